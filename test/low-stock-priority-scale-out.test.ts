import { lowStockPriorityBehaviour } from './behaviour/low-stock-priority.behaviour.js';
import { scaleOut } from './support/backends.js';

await lowStockPriorityBehaviour(scaleOut);
