import { stockFileBehaviour } from './behaviour/stock-files.behaviour.js';
import { scaleOut } from './support/backends.js';

await stockFileBehaviour(scaleOut);
