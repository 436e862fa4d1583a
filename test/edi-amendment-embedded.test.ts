import { ediAmendmentBehaviour } from './behaviour/edi-amendment.behaviour.js';
import { embedded } from './support/backends.js';

await ediAmendmentBehaviour(embedded);
