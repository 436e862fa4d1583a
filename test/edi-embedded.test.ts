import { ediBehaviour } from './behaviour/edi.behaviour.js';
import { embedded } from './support/backends.js';

await ediBehaviour(embedded);
