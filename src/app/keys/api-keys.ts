/**
 * Every API key this process accepts: the admin key and the configured ones (held from start),
 * and the keys created through the API (read from the ApiKeyStore, again every `refreshMs` on the
 * scale-out backend so that a key revoked through another process stops working here too). Keys
 * are held as SHA-256 digests. Keys that matched are remembered for a while so that a client
 * calling thousands of times a second is not hashed every time; unknown keys are never remembered
 * (no memory for an attacker to fill). Expiry is checked on every use.
 */
import { createHash } from 'node:crypto';
import { inForce, type KeyGrant } from '../../domain/access/key-grant.js';
import type { Scope } from '../../model/scopes.js';
import type { Clock } from '../../ports/clock.js';
import type { StoredApiKey } from '../../ports/api-key-store.js';

export class ApiKeys {
  private readonly configured = new Map<string, KeyGrant>();
  private stored = new Map<string, KeyGrant>();
  private storedVersion = '';
  private readonly recent = new Map<string, KeyGrant>();

  constructor(private readonly clock: Clock = { now: () => Date.now() }) {}

  /** A key from the environment, the configuration file or the data directory. */
  add(name: string, key: string, scopes: readonly Scope[]): void {
    this.configured.set(keyDigest(key), { id: `config:${name}`, name, scopes: new Set(scopes) });
    this.recent.clear();
  }

  /** Takes the stored keys as they are now: revoked ones stop matching at once. */
  useStored(keys: readonly StoredApiKey[]): void {
    const version = keys.map((k) => `${k.id}:${k.revokedAt ?? ''}`).join(',');
    if (version === this.storedVersion) return;
    const next = new Map<string, KeyGrant>();
    for (const k of keys) if (k.revokedAt === undefined) next.set(k.digest, grantOf(k));
    this.stored = next;
    this.storedVersion = version;
    this.recent.clear();
  }

  /** The grant for a presented key, or undefined when the key is unknown, revoked or expired. */
  find(key: string): KeyGrant | undefined {
    let grant = this.recent.get(key);
    if (!grant) {
      const digest = keyDigest(key);
      grant = this.configured.get(digest) ?? this.stored.get(digest);
      if (!grant) return undefined;
      if (this.recent.size >= RECENT_LIMIT) this.recent.clear();
      this.recent.set(key, grant);
    }
    return inForce(grant, this.clock.now()) ? grant : undefined;
  }

  /** Whether a key from the environment, the configuration file or the data directory has this name. */
  isConfiguredName(name: string): boolean {
    for (const g of this.configured.values()) if (g.name === name) return true;
    return false;
  }

  get size(): number {
    return this.configured.size + this.stored.size;
  }
}

const RECENT_LIMIT = 1024;

/** SHA-256, base64: what the hub keeps of a key. Keys are random and long, so no slow hash is needed. */
export function keyDigest(key: string): string {
  return createHash('sha256').update(key).digest('base64');
}

function grantOf(k: StoredApiKey): KeyGrant {
  return {
    id: k.id,
    name: k.name,
    scopes: new Set(k.scopes),
    ...(k.channels ? { channels: new Set(k.channels) } : {}),
    ...(k.systems ? { systems: new Set(k.systems) } : {}),
    ...(k.expiresAt ? { expiresAt: Date.parse(k.expiresAt) } : {}),
    ...(k.ratePerMinute ? { ratePerMinute: k.ratePerMinute } : {}),
  };
}
