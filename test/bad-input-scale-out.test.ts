import { badInputBehaviour } from './behaviour/bad-input.behaviour.js';
import { scaleOut } from './support/backends.js';

await badInputBehaviour(scaleOut);
