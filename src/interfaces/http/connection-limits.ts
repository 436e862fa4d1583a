/**
 * What keeps a slow or hostile client from stopping the hub: Node's server timeouts (a request
 * must arrive whole within a time, an idle connection is closed), a cap on open connections, and
 * load shedding (@fastify/under-pressure) that answers 503 with Retry-After while the heap nears
 * its limit (or, when configured, the event loop stalls), before the process runs out of memory.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import underPressure from '@fastify/under-pressure';
import type { Server } from 'node:http';
import { HttpProblem } from './problem.js';

/** The configured limits (the file's `http` section with defaults filled in, hub-config.ts settingsOf). */
export interface HttpLimits {
  /** The whole request, headers and body, must arrive within this; a slower client gets 408 and is disconnected. */
  requestTimeoutMs: number;
  /** The headers must arrive within this (at most requestTimeoutMs). */
  headersTimeoutMs: number;
  /** A keep-alive connection with no request for this long is closed. */
  keepAliveTimeoutMs: number;
  /** A connection with no traffic at all for this long is closed, whatever it is doing. */
  idleTimeoutMs: number;
  /** Connections beyond this are closed as they open. */
  maxConnections: number;
  bodyLimitBytes: number;
  shedding: { maxEventLoopDelayMs: number; maxHeapUsedBytes: number; retryAfterSeconds: number };
}

/**
 * How often Node checks requests against their timeouts. Its default (30 s) would let a request
 * outlive a short timeout by that much; a quarter of the shortest timeout keeps the overrun small.
 */
export function timeoutCheckMs(limits: HttpLimits): number {
  return Math.max(25, Math.min(30_000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 4)));
}

/** Applies the timeouts and the connection cap to the server Fastify will listen with. */
export function limitConnections(server: Server, limits: HttpLimits): void {
  server.requestTimeout = limits.requestTimeoutMs;
  server.headersTimeout = Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs);
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.setTimeout(limits.idleTimeoutMs);
  server.maxConnections = limits.maxConnections;
}

/**
 * Sheds requests while the process is overloaded. /healthz is never shed: an orchestrator that
 * took an overloaded process for a dead one would restart it and lose the work in flight.
 */
export async function shedLoad(app: FastifyInstance, limits: HttpLimits): Promise<void> {
  const { maxEventLoopDelayMs, maxHeapUsedBytes, retryAfterSeconds } = limits.shedding;
  await app.register(underPressure, {
    maxEventLoopDelay: maxEventLoopDelayMs,
    maxHeapUsedBytes,
    // Sampled once per threshold: a stall that outlasts a sample leaves it empty, which the plugin
    // reads as an infinite delay, so a shorter interval would shed after stalls under the threshold.
    sampleInterval: Math.max(100, maxEventLoopDelayMs || 1000),
    pressureHandler: (request: FastifyRequest, reply: FastifyReply, type: string, value: number | undefined) => {
      if (request.routeOptions.url === '/healthz') return undefined;
      reply.header('retry-after', String(retryAfterSeconds));
      const measure = value === undefined ? type : `${type} at ${Math.round(value)}`;
      return Promise.reject(
        new HttpProblem(503, 'overloaded', 'Service unavailable', `The hub is shedding load (${measure}); retry after ${retryAfterSeconds} s.`, {
          retryable: true,
          retryAfterSeconds,
        }),
      );
    },
  });
}
