/** API keys on the scale-out backend: one row per key, the record as JSON, read by every api process. */
import type { ApiKeyStore, StoredApiKey } from '../../ports/api-key-store.js';
import type { PgDatabase } from './pg-database.js';

export class PgApiKeyStore implements ApiKeyStore {
  constructor(private readonly db: PgDatabase) {}

  async saveKey(key: StoredApiKey): Promise<void> {
    await this.db.pool.query('INSERT INTO api_keys (id, digest, record, created_at) VALUES ($1, $2, $3::jsonb, $4)', [
      key.id,
      key.digest,
      JSON.stringify(key),
      key.createdAt,
    ]);
  }

  async keys(): Promise<StoredApiKey[]> {
    const { rows } = await this.db.pool.query<{ record: StoredApiKey }>('SELECT record FROM api_keys ORDER BY created_at, id');
    return rows.map((r) => r.record);
  }

  async revokeKey(id: string, at: string): Promise<StoredApiKey | undefined> {
    // One statement: two processes revoking at once keep the first instant.
    const { rows } = await this.db.pool.query<{ record: StoredApiKey }>(
      `UPDATE api_keys SET record = CASE WHEN record ? 'revokedAt' THEN record ELSE record || jsonb_build_object('revokedAt', $2::text) END
       WHERE id = $1 RETURNING record`,
      [id, at],
    );
    return rows[0]?.record;
  }
}
