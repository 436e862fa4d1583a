import { embedded, scaleOut } from './support/backends.js';
import { describeIdempotencyKeysContract } from './contracts/idempotency-keys.contract.js';

await describeIdempotencyKeysContract(embedded);
await describeIdempotencyKeysContract(scaleOut);
