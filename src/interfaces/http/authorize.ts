/**
 * Who may call what: the bearer key is looked up, its scope checked against the route's, a key
 * bound to channels kept to the routes that honour the binding, and requests counted per key
 * (@fastify/rate-limit, 429 with Retry-After). Failed authentications are counted per client
 * address: past `failedAuthPerMinute` in a minute, that address is answered 429 until the minute
 * ends, whatever key it sends, so that guessing keys is slowed down and a correct guess cannot be
 * told from a wrong one while it waits.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ChannelAccess, ChannelBoundKeyError } from '../../domain/access/channel-access.js';
import { grantsScope, type KeyGrant } from '../../domain/access/key-grant.js';
import { SystemAccess, SystemBoundKeyError } from '../../domain/access/system-access.js';
import type { Scope } from '../../model/scopes.js';
import type { ApiKeys } from '../../app/keys/api-keys.js';
import { HttpProblem } from './problem.js';
import { RequestWindows } from './request-windows.js';

/** The configuration file's `auth` section with its defaults filled in (hub-config.ts settingsOf). */
export interface AuthSettings {
  /** /metrics answers without a key. */
  metricsPublic: boolean;
  /** Requests a minute per key, unless the key sets its own ratePerMinute. */
  perKeyPerMinute: number;
  /** Failed authentications a minute per client address before it is answered 429. */
  failedAuthPerMinute: number;
  /** How often a scale-out api process rereads the keys created and revoked through the API. */
  keyRefreshMs: number;
}

const MINUTE_MS = 60_000;

/** The per-key and per-address counts of one HTTP server. */
export class RequestGate {
  readonly windows = new RequestWindows();

  constructor(
    readonly apiKeys: ApiKeys,
    readonly settings: AuthSettings,
  ) {}

  /** Seconds the address must wait before authenticating again, or 0. */
  lockedFor(address: string): number {
    const w = this.windows.peek(`fail:${address}`, MINUTE_MS);
    return w.current >= this.settings.failedAuthPerMinute ? Math.max(1, Math.ceil(w.ttl / 1000)) : 0;
  }

  authenticationFailed(address: string): void {
    this.windows.take(`fail:${address}`, MINUTE_MS);
  }

  limitOf(grant: KeyGrant): number {
    return grant.ratePerMinute ?? this.settings.perKeyPerMinute;
  }

  /** Counts a request of `grant` (the fast path's share); false when it is over its limit. */
  admit(grant: KeyGrant): boolean {
    return this.windows.take(`key:${grant.id}`, MINUTE_MS).current <= this.limitOf(grant);
  }
}

/** How the bearer key of a request is read. */
export function bearerKey(header: string | string[] | undefined): string | undefined {
  return typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() || undefined : undefined;
}

/** The channels the request's key may use. */
export function channelAccessOf(request: FastifyRequest): ChannelAccess {
  return ChannelAccess.of(request.grant?.channels);
}

/** The event sources the request's key may send as. */
export function systemAccessOf(request: FastifyRequest): SystemAccess {
  return SystemAccess.of(request.grant?.systems);
}

/** Which bindings a route applies itself. */
export interface RouteBinding {
  channelScoped: boolean;
  systemScoped: boolean;
}

/**
 * The onRequest hook that admits only keys holding `scope`. A key bound to channels or systems
 * passes only where the route applies one of its bindings itself: a route added without thinking
 * of bound keys refuses them.
 */
export function authorize(gate: RequestGate, scope: Scope, binding: RouteBinding, route: string) {
  return (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) => {
    const wait = gate.lockedFor(request.ip);
    if (wait > 0) {
      reply.header('retry-after', String(wait));
      return done(
        new HttpProblem(
          429,
          'too_many_failed_authentications',
          'Too many requests',
          `Too many requests from this address failed authentication; retry in ${wait} s with a valid key.`,
          { retryAfterSeconds: wait },
        ),
      );
    }
    const key = bearerKey(request.headers.authorization);
    const grant = key === undefined ? undefined : gate.apiKeys.find(key);
    if (!grant) {
      gate.authenticationFailed(request.ip);
      const detail =
        key === undefined ? 'Send an API key as "Authorization: Bearer <key>".' : 'The API key is not known to this hub, or was revoked, or has expired.';
      return done(new HttpProblem(401, 'unauthenticated', 'Unauthenticated', detail));
    }
    if (!grantsScope(grant, scope)) {
      return done(
        new HttpProblem(403, 'forbidden', 'Forbidden', `The API key '${grant.name}' lacks the scope '${scope}' this route needs.`, { requiredScope: scope }),
      );
    }
    const refusal = bindingRefusal(grant, binding, `${request.method} ${route}`);
    if (refusal) return done(refusal);
    request.apiKeyName = grant.name;
    request.grant = grant;
    done();
  };
}

function bindingRefusal(grant: KeyGrant, binding: RouteBinding, route: string): Error | undefined {
  if (!grant.channels && !grant.systems) return undefined;
  if ((grant.channels && binding.channelScoped) || (grant.systems && binding.systemScoped)) return undefined;
  return grant.channels ? new ChannelBoundKeyError(route) : new SystemBoundKeyError(route);
}

/** Per-key request limits: after authentication, before the body is read. */
export async function limitRequests(app: FastifyInstance, gate: RequestGate): Promise<void> {
  const windows = gate.windows;
  await app.register(rateLimit, {
    global: true,
    hook: 'preParsing',
    timeWindow: MINUTE_MS,
    // The plugin constructs its store; this one is shared with the fast path.
    store: function SharedWindows() {
      return windows;
    } as unknown as never,
    keyGenerator: (request) => (request.grant ? `key:${request.grant.id}` : `ip:${request.ip}`),
    max: (request) => (request.grant ? gate.limitOf(request.grant) : gate.settings.perKeyPerMinute),
    addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
    errorResponseBuilder: (request, context) =>
      new HttpProblem(
        429,
        'rate_limited',
        'Too many requests',
        `${request.grant ? `The API key '${request.grant.name}'` : 'This address'} made more than ${context.max} requests this minute; retry in ${Math.ceil(context.ttl / 1000)} s.`,
        { retryAfterSeconds: Math.ceil(context.ttl / 1000), limitPerMinute: context.max },
      ),
  });
}
