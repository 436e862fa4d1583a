import { rmSync } from 'node:fs';
import { SqliteInventoryStore } from '../src/adapters/sqlite/sqlite-inventory-store.js';
import { describeInventoryStoreContract } from './contracts/inventory-store.contract.js';
import { tempDataDir } from './support/test-hub.js';

describeInventoryStoreContract('sqlite', () => {
  const dir = tempDataDir();
  let store = new SqliteInventoryStore(dir);
  return {
    store,
    reopen: () => {
      store.close();
      store = new SqliteInventoryStore(dir);
      return store;
    },
    cleanup: () => {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
