import { crossReferenceBehaviour } from './behaviour/cross-references.behaviour.js';
import { scaleOut } from './support/backends.js';

await crossReferenceBehaviour(scaleOut);
