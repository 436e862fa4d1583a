import { apiKeyBehaviour } from './behaviour/api-keys.behaviour.js';
import { embedded } from './support/backends.js';

await apiKeyBehaviour(embedded);
