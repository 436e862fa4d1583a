/**
 * Test support (not shipped behaviour): the embedded inventory store on a scratch directory (on
 * /dev/shm where there is one, so a commit's fsync costs nothing), reopened as a restart would,
 * and one that refuses the submissions whose payload carries a marker, as a store refuses a row
 * it cannot take (the rest of the commit is rolled back with it).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IngestRecord } from '../../ports/inventory-store.js';
import { SqliteInventoryStore } from './sqlite-inventory-store.js';

/** A payload containing this text cannot be stored by a RefusingInventoryStore. */
export const UNSTORABLE = 'unstorable-marker';

export class RefusingInventoryStore extends SqliteInventoryStore {
  /** While set, every commit fails (a store that itself fails). */
  broken: Error | undefined;
  /** While set, every admin transaction fails. */
  transactionsFail: Error | undefined;
  commits = 0;

  override commitIngest(candidateKeys: string[], decide: (newKeys: Set<string>) => IngestRecord | undefined): void {
    this.commits++;
    super.commitIngest(candidateKeys, (fresh) => {
      if (this.broken) throw this.broken;
      const record = decide(fresh);
      if (record?.batches.some((b) => b.count > 0 && b.payload.includes(UNSTORABLE))) throw new Error('the store cannot take this payload');
      return record;
    });
  }

  override transaction<T>(fn: () => T): T {
    return super.transaction(() => {
      const result = fn();
      if (this.transactionsFail) throw this.transactionsFail;
      return result;
    });
  }
}

export interface ScratchStore {
  store: RefusingInventoryStore;
  /** Closes the store and opens the same directory again (a restart). */
  reopen(): RefusingInventoryStore;
  dispose(): void;
}

export function scratchInventoryStore(): ScratchStore {
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const dir = mkdtempSync(join(base, 'crossdock-unit-'));
  const scratch: ScratchStore = {
    store: new RefusingInventoryStore(dir),
    reopen() {
      scratch.store.close();
      scratch.store = new RefusingInventoryStore(dir);
      return scratch.store;
    },
    dispose() {
      try {
        scratch.store.close();
      } catch {
        /* already closed */
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return scratch;
}
