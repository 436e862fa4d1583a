import { crossReferenceBehaviour } from './behaviour/cross-references.behaviour.js';
import { embedded } from './support/backends.js';

await crossReferenceBehaviour(embedded);
