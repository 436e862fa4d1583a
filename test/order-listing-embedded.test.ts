import { orderListingBehaviour } from './behaviour/order-listing.behaviour.js';
import { embedded } from './support/backends.js';

await orderListingBehaviour(embedded);
