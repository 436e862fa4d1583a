/**
 * The single availability lookup is the call storefronts make most, often once per product page.
 * Fastify's request pipeline (routing, hooks, request and reply objects, schema serialisation)
 * cost more than the lookup itself here, so a request that is plainly a well-formed, authorised
 * `GET /v1/availability/{sku}?channel={id}` for a known item and channel is answered before the
 * request reaches Fastify. Anything else (another route, an extra parameter, a missing or
 * insufficient key, an unknown item or channel) goes through Fastify untouched, so every error
 * answer, header and schema stays defined in one place: routes/availability.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestGate } from './authorize.js';
import { bearerKey } from './authorize.js';
import { correlationIdOf } from './correlation-id.js';
import type { HubMetrics } from './metrics.js';
import { lookUpAvailability, type AvailabilityDeps } from '../../app/inventory/look-up-availability.js';

const PREFIX = '/v1/availability/';
const QUERY = '?channel=';
/** Characters a SKU or channel id may carry unescaped in this path; anything else goes to Fastify's decoder. */
const PLAIN = /^[A-Za-z0-9._~-]+$/;

export interface LookupFastPathDeps extends AvailabilityDeps {
  gate: RequestGate;
  metrics: HubMetrics;
}

/** Returns a handler that answers the request and returns true, or returns false and leaves the request alone. */
export function lookupFastPath(deps: LookupFastPathDeps): (req: IncomingMessage, res: ServerResponse) => boolean {
  const record = deps.metrics.httpRoute('/v1/availability/:sku');
  return (req, res) => {
    const url = req.url;
    if (req.method !== 'GET' || url === undefined || !url.startsWith(PREFIX)) return false;
    const q = url.indexOf(QUERY, PREFIX.length);
    if (q < 0) return false;
    const sku = url.slice(PREFIX.length, q);
    const channel = url.slice(q + QUERY.length);
    if (!PLAIN.test(sku) || !PLAIN.test(channel)) return false;
    const started = performance.now();
    // Anything but a plain success (a locked-out address, a bound key on another channel, a key
    // over its rate) goes to Fastify, which answers it as the route does.
    const key = bearerKey(req.headers.authorization);
    if (key === undefined || deps.gate.lockedFor(req.socket.remoteAddress ?? '') > 0) return false;
    const grant = deps.gate.apiKeys.find(key);
    if (!grant?.scopes.has('availability:read') || (grant.channels && !grant.channels.has(channel))) return false;
    if (!deps.gate.admit(grant)) return false;
    let answer: ReturnType<typeof lookUpAvailability>;
    try {
      answer = lookUpAvailability(deps, sku, channel);
    } catch {
      return false;
    }
    const correlationId = correlationIdOf(req.headers['x-correlation-id']);
    // Same fields, order and types as the route's response schema (AvailabilityAnswer).
    const body = `{"sku":"${sku}","channel":"${channel}","available":${answer.available},"position":${answer.position}}`;
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length, 'x-correlation-id': correlationId });
    res.end(body);
    record('GET', 200, (performance.now() - started) / 1000);
    return true;
  };
}
