import { orderAmendmentBehaviour } from './behaviour/order-amendment.behaviour.js';
import { scaleOut } from './support/backends.js';

await orderAmendmentBehaviour(scaleOut);
