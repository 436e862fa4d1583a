import { carrierBehaviour } from './behaviour/carrier.behaviour.js';
import { scaleOut } from './support/backends.js';

await carrierBehaviour(scaleOut);
