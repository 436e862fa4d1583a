/**
 * Creating, listing and revoking API keys through the API. A new key is random, shown once and
 * stored as its digest; a revoked key stops working in this process at once and in the others of
 * a scale-out hub at their next refresh of the keys.
 */
import { randomBytes } from 'node:crypto';
import { InvalidInputError, NotFoundError, type Issue } from '../../domain/errors.js';
import type { ApiKeyCreated, ApiKeyInput, ApiKeyView } from '../../model/api-key.js';
import { CHANNEL_SCOPES, SYSTEM_SCOPES } from '../../model/scopes.js';
import type { ApiKeyStore, StoredApiKey } from '../../ports/api-key-store.js';
import type { Clock } from '../../ports/clock.js';
import { keyDigest, type ApiKeys } from './api-keys.js';

export interface ApiKeyAdminDeps {
  store: ApiKeyStore;
  keys: ApiKeys;
  clock: Clock;
  /** Whether a channel is defined (a key bound to an unknown channel would be refused everywhere). */
  channelExists(id: string): boolean;
}

export class ApiKeyAdmin {
  constructor(private readonly deps: ApiKeyAdminDeps) {}

  /** Throws InvalidInputError naming the field. */
  async create(input: ApiKeyInput): Promise<ApiKeyCreated> {
    const now = this.deps.clock.now();
    const issues = this.problemsWith(input, now, await this.deps.store.keys());
    if (issues.length > 0) throw new InvalidInputError(issues, 'The key cannot be created as asked.');
    const key = `cdk_${randomBytes(24).toString('base64url')}`;
    const stored: StoredApiKey = {
      id: `key_${randomBytes(8).toString('hex')}`,
      name: input.name,
      digest: keyDigest(key),
      prefix: key.slice(0, 10),
      scopes: [...input.scopes],
      ...(input.channels ? { channels: [...input.channels] } : {}),
      ...(input.systems ? { systems: [...input.systems] } : {}),
      ...(input.expiresAt ? { expiresAt: new Date(input.expiresAt).toISOString() } : {}),
      ...(input.ratePerMinute ? { ratePerMinute: input.ratePerMinute } : {}),
      createdAt: new Date(now).toISOString(),
    };
    await this.deps.store.saveKey(stored);
    await this.refresh();
    return { ...viewOf(stored, now), key };
  }

  async list(): Promise<ApiKeyView[]> {
    const now = this.deps.clock.now();
    return (await this.deps.store.keys()).map((k) => viewOf(k, now));
  }

  /** Revokes the key: 401 from then on. Throws NotFoundError. */
  async revoke(id: string): Promise<ApiKeyView> {
    const now = this.deps.clock.now();
    const revoked = await this.deps.store.revokeKey(id, new Date(now).toISOString());
    if (!revoked) throw new NotFoundError('API key', id);
    await this.refresh();
    return viewOf(revoked, now);
  }

  /** Reads the stored keys into this process's key ring (at start, after a change, and periodically on scale-out). */
  async refresh(): Promise<void> {
    this.deps.keys.useStored(await this.deps.store.keys());
  }

  private problemsWith(input: ApiKeyInput, now: number, existing: StoredApiKey[]): Issue[] {
    const issues: Issue[] = [];
    // The name is who the hub says acted (timelines, the write log) and scopes Idempotency-Keys:
    // two keys in force must not share it. A rotated key takes its name once the old one is revoked.
    if (this.deps.keys.isConfiguredName(input.name) || existing.some((k) => k.name === input.name && viewOf(k, now).status === 'active')) {
      issues.push({ path: '/name', message: `a key named '${input.name}' is in force; revoke it first or choose another name` });
    }
    if (input.channels || input.systems) issues.push(...bindingProblems(input));
    if (input.channels) {
      input.channels.forEach((c, i) => {
        if (!this.deps.channelExists(c)) issues.push({ path: `/channels/${i}`, message: `channel '${c}' is not defined` });
      });
    }
    if (input.expiresAt !== undefined && Date.parse(input.expiresAt) <= now) {
      issues.push({ path: '/expiresAt', message: `must be in the future (it is ${new Date(now).toISOString()} now)` });
    }
    return issues;
  }
}

/** Each scope of a bound key must be one its bindings narrow, or it would reach past them. */
function bindingProblems(input: ApiKeyInput): Issue[] {
  const allowed = [...(input.channels ? CHANNEL_SCOPES : []), ...(input.systems ? SYSTEM_SCOPES : [])];
  const bindings = [input.channels ? 'channels' : undefined, input.systems ? 'systems' : undefined].filter(Boolean).join(' and ');
  return input.scopes.flatMap((s, i) =>
    allowed.includes(s)
      ? []
      : [{ path: `/scopes/${i}`, message: `a key bound to ${bindings} may hold only ${allowed.join(', ')}; '${s}' reaches beyond them` }],
  );
}

function viewOf(k: StoredApiKey, now: number): ApiKeyView {
  const status = k.revokedAt ? 'revoked' : k.expiresAt && Date.parse(k.expiresAt) <= now ? 'expired' : 'active';
  const { digest: _, ...shown } = k;
  return { ...shown, status };
}
