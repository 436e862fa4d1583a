import { channelDeliveryBehaviour } from './behaviour/channel-delivery.behaviour.js';
import { scaleOut } from './support/backends.js';

await channelDeliveryBehaviour(scaleOut);
