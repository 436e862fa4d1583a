import { orderListingBehaviour } from './behaviour/order-listing.behaviour.js';
import { scaleOut } from './support/backends.js';

await orderListingBehaviour(scaleOut);
