import { orderEventsProperty } from './behaviour/order-events-property.behaviour.js';
import { scaleOut } from './support/backends.js';

await orderEventsProperty(scaleOut);
