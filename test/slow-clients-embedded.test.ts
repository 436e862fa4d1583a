import { slowClientBehaviour } from './behaviour/slow-clients.behaviour.js';
import { embedded } from './support/backends.js';

await slowClientBehaviour(embedded);
