/** `npm run bench`: every benchmark in turn; each writes its section of bench/results.md. */
import { benchIngest } from './ingest.js';
import { benchLookup } from './lookup.js';

await benchIngest();
console.log();
await benchLookup();
