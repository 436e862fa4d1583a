import { customerBehaviour } from './behaviour/customers.behaviour.js';
import { scaleOut } from './support/backends.js';

await customerBehaviour(scaleOut);
