import { ediAmendmentBehaviour } from './behaviour/edi-amendment.behaviour.js';
import { scaleOut } from './support/backends.js';

await ediAmendmentBehaviour(scaleOut);
