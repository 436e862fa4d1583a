import { storefrontWebhookBehaviour } from './behaviour/storefront-webhooks.behaviour.js';
import { scaleOut } from './support/backends.js';

await storefrontWebhookBehaviour(scaleOut);
