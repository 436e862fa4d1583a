import { exceptionsBehaviour } from './behaviour/exceptions.behaviour.js';
import { embedded } from './support/backends.js';

await exceptionsBehaviour(embedded);
