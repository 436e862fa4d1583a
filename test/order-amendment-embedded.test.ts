import { orderAmendmentBehaviour } from './behaviour/order-amendment.behaviour.js';
import { embedded } from './support/backends.js';

await orderAmendmentBehaviour(embedded);
