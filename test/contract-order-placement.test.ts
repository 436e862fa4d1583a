import { embedded, scaleOut } from './support/backends.js';
import { describeOrderPlacementContract } from './contracts/order-placement.contract.js';

await describeOrderPlacementContract(embedded);
await describeOrderPlacementContract(scaleOut);
