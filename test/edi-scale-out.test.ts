import { ediBehaviour } from './behaviour/edi.behaviour.js';
import { scaleOut } from './support/backends.js';

await ediBehaviour(scaleOut);
