/**
 * API keys created through the API, kept durably: never the key itself, only its digest. Every
 * process of a hub reads the same keys (the embedded SQLite store, or PostgreSQL shared by the
 * scale-out processes), so a key revoked through one process is refused by all.
 */
import type { Scope } from '../model/scopes.js';

type Awaitable<T> = T | Promise<T>;

export interface StoredApiKey {
  id: string;
  name: string;
  /** SHA-256 of the key, base64. */
  digest: string;
  /** The key's first characters, for a person to recognise it. */
  prefix: string;
  scopes: Scope[];
  channels?: string[];
  /** Event sources the key may send as; absent: every system. */
  systems?: string[];
  expiresAt?: string;
  ratePerMinute?: number;
  createdAt: string;
  revokedAt?: string;
}

export interface ApiKeyStore {
  /** Stores a new key. */
  saveKey(key: StoredApiKey): Awaitable<void>;
  /** Every key, revoked and expired ones too, oldest first. */
  keys(): Awaitable<StoredApiKey[]>;
  /** Marks a key revoked at `at` (the first revocation's instant stays); undefined when no key has the id. */
  revokeKey(id: string, at: string): Awaitable<StoredApiKey | undefined>;
}
