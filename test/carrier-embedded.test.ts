import { carrierBehaviour } from './behaviour/carrier.behaviour.js';
import { embedded } from './support/backends.js';

await carrierBehaviour(embedded);
