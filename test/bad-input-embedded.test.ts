import { badInputBehaviour } from './behaviour/bad-input.behaviour.js';
import { embedded } from './support/backends.js';

await badInputBehaviour(embedded);
