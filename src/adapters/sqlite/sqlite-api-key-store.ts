/** The embedded ApiKeyStore: one row per key in the hub's SQLite database, the record as JSON. */
import type { ApiKeyStore, StoredApiKey } from '../../ports/api-key-store.js';
import type { Db } from './open-database.js';

export class SqliteApiKeyStore implements ApiKeyStore {
  constructor(private readonly db: Db) {}

  saveKey(key: StoredApiKey): void {
    this.db.prepare('INSERT INTO api_keys (id, digest, record, created_at) VALUES (?, ?, ?, ?)').run(key.id, key.digest, JSON.stringify(key), key.createdAt);
  }

  keys(): StoredApiKey[] {
    return (this.db.prepare('SELECT record FROM api_keys ORDER BY created_at, id').pluck(true).all() as string[]).map((r) => JSON.parse(r) as StoredApiKey);
  }

  revokeKey(id: string, at: string): StoredApiKey | undefined {
    return this.db.transaction(() => {
      const record = this.db.prepare('SELECT record FROM api_keys WHERE id = ?').pluck(true).get(id) as string | undefined;
      if (record === undefined) return undefined;
      const key = JSON.parse(record) as StoredApiKey;
      if (key.revokedAt !== undefined) return key;
      const revoked = { ...key, revokedAt: at };
      this.db.prepare('UPDATE api_keys SET record = ? WHERE id = ?').run(JSON.stringify(revoked), id);
      return revoked;
    })();
  }
}
