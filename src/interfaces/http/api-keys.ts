/**
 * API keys and their scopes (CONTRACT.md "Auth and errors"). Keys are held as SHA-256 digests,
 * so a key never sits in memory or logs in clear beyond the moment it is checked.
 */
import { createHash } from 'node:crypto';

import type { Scope } from '../../model/scopes.js';

export { SCOPES, type Scope } from '../../model/scopes.js';

export interface ApiKeyGrant { name: string; scopes: ReadonlySet<Scope> }

export class ApiKeys {
  private readonly byDigest = new Map<string, ApiKeyGrant>();

  add(name: string, key: string, scopes: readonly Scope[]): void {
    this.byDigest.set(digest(key), { name, scopes: new Set(scopes) });
  }

  /** The grant for a presented key, or undefined when the key is unknown. */
  find(key: string): ApiKeyGrant | undefined {
    return this.byDigest.get(digest(key));
  }

  get size(): number {
    return this.byDigest.size;
  }
}

function digest(key: string): string {
  return createHash('sha256').update(key).digest('base64');
}
