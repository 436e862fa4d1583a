import { unknownReferencesBehaviour } from './behaviour/unknown-references.behaviour.js';
import { embedded } from './support/backends.js';

await unknownReferencesBehaviour(embedded);
