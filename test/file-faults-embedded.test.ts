import { fileFaultBehaviour } from './behaviour/file-faults.behaviour.js';
import { embedded } from './support/backends.js';

await fileFaultBehaviour(embedded);
