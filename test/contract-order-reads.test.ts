import { embedded, scaleOut } from './support/backends.js';
import { describeOrderReadsContract } from './contracts/order-reads.contract.js';

await describeOrderReadsContract(embedded);
await describeOrderReadsContract(scaleOut);
