import { embedded, scaleOut } from './support/backends.js';
import { describeOrderChangesContract } from './contracts/order-changes.contract.js';

await describeOrderChangesContract(embedded);
await describeOrderChangesContract(scaleOut);
