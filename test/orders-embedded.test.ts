import { orderCaptureBehaviour } from './behaviour/order-capture.behaviour.js';
import { embedded } from './support/backends.js';

await orderCaptureBehaviour(embedded);
