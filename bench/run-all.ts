/** `npm run bench`: every benchmark in turn; each writes its section of bench/results.md. */
import { benchIngest } from './ingest.js';
import { benchLookup } from './lookup.js';
import { benchOrders } from './orders.js';
import { benchEgress } from './egress.js';
import { benchPropagation } from './propagation.js';
import { benchScaleOut } from './scale-out.js';
import { benchScaleOutOrders } from './scale-out-orders.js';
import { benchXrefTranslation } from './xref-translation.js';

await benchIngest();
console.log();
await benchLookup();
console.log();
await benchOrders();
console.log();
await benchEgress();
console.log();
await benchPropagation();
console.log();
await benchScaleOut();
console.log();
await benchScaleOutOrders();
console.log();
await benchXrefTranslation();
