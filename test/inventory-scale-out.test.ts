import { inventoryBehaviour } from './behaviour/inventory.behaviour.js';
import { scaleOut } from './support/backends.js';

await inventoryBehaviour(scaleOut);
