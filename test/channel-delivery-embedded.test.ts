import { channelDeliveryBehaviour } from './behaviour/channel-delivery.behaviour.js';
import { embedded } from './support/backends.js';

await channelDeliveryBehaviour(embedded);
