import { slaBehaviour } from './behaviour/sla.behaviour.js';
import { embedded } from './support/backends.js';

await slaBehaviour(embedded);
