import { orderLifecycleBehaviour } from './behaviour/order-lifecycle.behaviour.js';
import { embedded } from './support/backends.js';

await orderLifecycleBehaviour(embedded);
