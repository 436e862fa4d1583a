import { slowClientBehaviour } from './behaviour/slow-clients.behaviour.js';
import { scaleOut } from './support/backends.js';

await slowClientBehaviour(scaleOut);
