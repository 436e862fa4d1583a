import { slaBehaviour } from './behaviour/sla.behaviour.js';
import { scaleOut } from './support/backends.js';

await slaBehaviour(scaleOut);
