import { storefrontWebhookBehaviour } from './behaviour/storefront-webhooks.behaviour.js';
import { embedded } from './support/backends.js';

await storefrontWebhookBehaviour(embedded);
