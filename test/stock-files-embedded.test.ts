import { stockFileBehaviour } from './behaviour/stock-files.behaviour.js';
import { embedded } from './support/backends.js';

await stockFileBehaviour(embedded);
