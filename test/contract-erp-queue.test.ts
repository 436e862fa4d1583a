import { embedded, scaleOut } from './support/backends.js';
import { describeErpQueueContract } from './contracts/erp-queue.contract.js';

await describeErpQueueContract(embedded);
await describeErpQueueContract(scaleOut);
