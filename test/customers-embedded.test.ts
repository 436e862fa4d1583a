import { customerBehaviour } from './behaviour/customers.behaviour.js';
import { embedded } from './support/backends.js';

await customerBehaviour(embedded);
