/**
 * What a presented API key grants: its scopes, the channels it is bound to (none: every channel),
 * until when, and how many requests a minute. The rules about scopes live here, once.
 */
import type { Scope } from '../../model/scopes.js';

export interface KeyGrant {
  /** The stored key's id, or `config:<name>` for a key from the environment or the configuration file. */
  id: string;
  name: string;
  scopes: ReadonlySet<Scope>;
  /** Absent: every channel. */
  channels?: ReadonlySet<string>;
  /** Absent: every system. The event sources the key may send as. */
  systems?: ReadonlySet<string>;
  /** Epoch milliseconds from which the key is refused. */
  expiresAt?: number;
  ratePerMinute?: number;
}

/** Whether a grant admits a route needing `scope`: `admin` also reads the hub's metrics. */
export function grantsScope(grant: KeyGrant, scope: Scope): boolean {
  return grant.scopes.has(scope) || (scope === 'metrics' && grant.scopes.has('admin'));
}

/** Whether the grant is still good at `now` (epoch milliseconds). */
export function inForce(grant: KeyGrant, now: number): boolean {
  return grant.expiresAt === undefined || now < grant.expiresAt;
}
