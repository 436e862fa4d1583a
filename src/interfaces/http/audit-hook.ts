/**
 * Puts every write that reaches a route (and is not refused) in the audit trail: who (the API
 * key, or the operator the CLI names), from where, what route, which entity, and for master data
 * what it was before and after. Reads are never recorded.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditRecorder } from '../../app/audit/audit-recorder.js';

/** The header the CLI sends with the name of the person running it. */
export const OPERATOR_HEADER = 'x-crossdock-operator';

/** Master data and configuration: the entity a route changes, and how to read it as it is now. */
export type BeforeReaders = Record<string, { kind: string; param: string; read: (id: string) => unknown }>;

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
const READ_SCOPES = new Set(['availability:read', 'orders:read']);

/** Who made the request: the operator the CLI names, else the API key (or the signing system for /hooks). */
export function actorOf(request: FastifyRequest): { actor: string; apiKey: string | null; via: 'api' | 'cli' } {
  const operator = request.headers[OPERATOR_HEADER];
  const apiKey = request.apiKeyName;
  if (typeof operator === 'string' && operator.trim() !== '') return { actor: `operator:${operator.trim().slice(0, 200)}`, apiKey, via: 'cli' };
  const system = (request.params as { systemId?: string } | undefined)?.systemId;
  return { actor: apiKey ?? (system ? `system:${system}` : 'anonymous'), apiKey, via: 'api' };
}

interface Pending {
  entity: { kind: string; id: string } | null;
  before?: unknown;
  after?: unknown;
  masterData: boolean;
}

const parseBody = (payload: unknown): unknown => {
  if (typeof payload !== 'string') return undefined;
  try {
    return JSON.parse(payload) as unknown;
  } catch {
    return undefined;
  }
};

/** The entity a write names: the route's resource and its first path parameter (an order capture: the order it made). */
function entityOf(url: string, params: Record<string, unknown>): { kind: string; id: string } | null {
  const segment = url.startsWith('/hooks/') ? 'systems' : (url.split('/')[2] ?? '');
  const first = Object.values(params)[0];
  if (first === undefined) return null;
  return { kind: segment.replace(/s$/, '').replace(/-/g, '_'), id: String(first) };
}

export function recordWrites(app: FastifyInstance, deps: { recorder: AuditRecorder; masterData: BeforeReaders; clock: { now(): number } }): void {
  const pending = new WeakMap<FastifyRequest, Pending>();
  const isWrite = (request: FastifyRequest) => {
    const url = request.routeOptions.url ?? '';
    if (READS.has(request.method) || !(url.startsWith('/v1/') || url.startsWith('/hooks/'))) return false;
    return !READ_SCOPES.has(request.routeOptions.config?.scope ?? '');
  };

  app.addHook('preHandler', async (request) => {
    if (!isWrite(request)) return;
    const url = request.routeOptions.url!;
    const params = (request.params ?? {}) as Record<string, unknown>;
    const master = deps.masterData[`${request.method} ${url}`];
    if (master) {
      const id = String(params[master.param]);
      pending.set(request, { entity: { kind: master.kind, id }, before: (await master.read(id)) ?? null, masterData: true });
    } else {
      pending.set(request, { entity: entityOf(url, params), masterData: false });
    }
  });

  app.addHook('onSend', async (request, _reply, payload) => {
    const p = pending.get(request);
    // Only master data keeps its answer, and an order capture its new id: other answers (event batches) are not parsed.
    if (p?.masterData) p.after = parseBody(payload);
    else if (p && p.entity === null && request.routeOptions.url === '/v1/orders') {
      const id = (parseBody(payload) as { id?: unknown } | undefined)?.id;
      if (typeof id === 'string') p.entity = { kind: 'order', id };
    }
    return payload;
  });

  app.addHook('onResponse', async (request, reply) => {
    const p = pending.get(request);
    if (!p || reply.statusCode >= 400) return;
    deps.recorder.record({
      at: new Date(deps.clock.now()).toISOString(),
      ...actorOf(request),
      origin: request.ip,
      action: `${request.method} ${request.routeOptions.url}`,
      entity: p.entity,
      status: reply.statusCode,
      ...(p.masterData ? { before: p.before, after: p.after } : {}),
      correlationId: request.id,
    });
  });
}
