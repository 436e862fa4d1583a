import { fileFaultBehaviour } from './behaviour/file-faults.behaviour.js';
import { scaleOut } from './support/backends.js';

await fileFaultBehaviour(scaleOut);
