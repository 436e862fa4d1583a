import { inventoryBehaviour } from './behaviour/inventory.behaviour.js';
import { embedded } from './support/backends.js';

await inventoryBehaviour(embedded);
