import { unknownReferencesBehaviour } from './behaviour/unknown-references.behaviour.js';
import { scaleOut } from './support/backends.js';

await unknownReferencesBehaviour(scaleOut);
