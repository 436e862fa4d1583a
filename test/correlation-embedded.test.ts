import { correlationBehaviour } from './behaviour/correlation.behaviour.js';
import { embedded } from './support/backends.js';

await correlationBehaviour(embedded);
