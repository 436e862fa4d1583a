import { orderEventsProperty } from './behaviour/order-events-property.behaviour.js';
import { embedded } from './support/backends.js';

await orderEventsProperty(embedded);
