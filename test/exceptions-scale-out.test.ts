import { exceptionsBehaviour } from './behaviour/exceptions.behaviour.js';
import { scaleOut } from './support/backends.js';

await exceptionsBehaviour(scaleOut);
