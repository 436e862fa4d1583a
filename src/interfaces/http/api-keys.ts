/**
 * API keys and their scopes (docs/REFERENCE.md "Auth and errors"). Configured keys are held as SHA-256
 * digests. Keys that matched are remembered for a while so that a client calling thousands of
 * times a second is not hashed every time; unknown keys are never remembered (no memory for an
 * attacker to fill).
 */
import { createHash } from 'node:crypto';

import type { Scope } from '../../model/scopes.js';

export { SCOPES, type Scope } from '../../model/scopes.js';

export interface ApiKeyGrant {
  name: string;
  scopes: ReadonlySet<Scope>;
}

export class ApiKeys {
  private readonly byDigest = new Map<string, ApiKeyGrant>();
  private readonly recent = new Map<string, ApiKeyGrant>();

  add(name: string, key: string, scopes: readonly Scope[]): void {
    this.byDigest.set(digest(key), { name, scopes: new Set(scopes) });
    this.recent.clear();
  }

  /** The grant for a presented key, or undefined when the key is unknown. */
  find(key: string): ApiKeyGrant | undefined {
    const hit = this.recent.get(key);
    if (hit) return hit;
    const grant = this.byDigest.get(digest(key));
    if (grant) {
      if (this.recent.size >= RECENT_LIMIT) this.recent.clear();
      this.recent.set(key, grant);
    }
    return grant;
  }

  get size(): number {
    return this.byDigest.size;
  }
}

const RECENT_LIMIT = 1024;

function digest(key: string): string {
  return createHash('sha256').update(key).digest('base64');
}
