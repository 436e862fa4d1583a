import { orderLifecycleBehaviour } from './behaviour/order-lifecycle.behaviour.js';
import { scaleOut } from './support/backends.js';

await orderLifecycleBehaviour(scaleOut);
