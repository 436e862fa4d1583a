import { orderCaptureBehaviour } from './behaviour/order-capture.behaviour.js';
import { scaleOut } from './support/backends.js';

await orderCaptureBehaviour(scaleOut);
