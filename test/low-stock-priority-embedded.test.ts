import { lowStockPriorityBehaviour } from './behaviour/low-stock-priority.behaviour.js';
import { embedded } from './support/backends.js';

await lowStockPriorityBehaviour(embedded);
