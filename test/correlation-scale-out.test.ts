import { correlationBehaviour } from './behaviour/correlation.behaviour.js';
import { scaleOut } from './support/backends.js';

await correlationBehaviour(scaleOut);
