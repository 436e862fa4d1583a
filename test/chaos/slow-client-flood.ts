/**
 * Scenario 5: a flood of slow clients (more connections than the hub admits, each sending its
 * request body a byte at a time, and opening a new one whenever the hub cuts it off) beside
 * normal clients posting movements and reading availability over their kept-alive connections.
 * The oracle: every normal request answered 2xx and its movements applied (stock equals their
 * sum), nothing of a slow request applied, no slow connection held past the request timeout,
 * and the hub process alive and healthy at the end.
 */
import { connect, type Socket } from 'node:net';
import {
  ADMIN_KEY,
  atLeast,
  atMost,
  availability,
  call,
  equal,
  hubHome,
  info,
  killHard,
  movement,
  scaled,
  sleep,
  startHubProcess,
  type HubProcess,
  type ScenarioReport,
} from './support.js';

const NORMAL_SKUS = 50;

export async function slowClientFloodScenario(o: { scale: number; seed: number }): Promise<ScenarioReport> {
  const full = o.scale >= 0.5;
  const maxConnections = full ? 500 : 100;
  const flood = Math.round(maxConnections * 1.6);
  const requestTimeoutMs = full ? 5000 : 1500;
  const durationMs = scaled(40_000, o.scale, 5000);
  const home = hubHome(`
locations:
  DAL: { name: Dallas DC, authority: wms-dal }
channels:
  web: { locations: [DAL] }
http: { requestTimeoutMs: ${requestTimeoutMs}, headersTimeoutMs: ${requestTimeoutMs}, maxConnections: ${maxConnections} }
`);
  const started = Date.now();
  let hub: HubProcess | undefined;
  try {
    hub = await startHubProcess(home);
    const url = new URL(hub.url);
    // Normal clients open their connections first, as a WMS connector and a storefront that were already working would have.
    const normal = { requests: 0, failed: 0, firstFailure: '', latencies: [] as number[] };
    const sent = new Map<string, number>();
    let seq = 0;
    let stop = false;
    const normalClient = async (c: number) => {
      while (!stop) {
        const t0 = Date.now();
        let answer: Awaited<ReturnType<typeof call>> | undefined;
        let sku = '';
        if (c % 2 === 0) {
          const events = Array.from({ length: 10 }, () => {
            seq++;
            sku = `N-${seq % NORMAL_SKUS}`;
            return movement({ id: `n-${seq}`, source: 'wms-dal', seq, sku, location: 'DAL', onHand: 1 + (seq % 4) });
          });
          answer = await call(hub!.url, 'POST', '/v1/events', events).catch((err: Error) => ({ status: 0, body: err.message, headers: new Headers() }));
          if (answer.status === 200) for (const e of events) sent.set(e.sku, (sent.get(e.sku) ?? 0) + e.delta.onHand);
        } else {
          answer = await call(hub!.url, 'GET', `/v1/availability/N-${c}?channel=web`).catch((err: Error) => ({
            status: 0,
            body: err.message,
            headers: new Headers(),
          }));
          // Before the first movement of that item the hub does not know it yet.
          if (answer.status === 404) answer = { ...answer, status: 200 };
        }
        normal.requests++;
        normal.latencies.push(Date.now() - t0);
        if (answer.status < 200 || answer.status >= 300) {
          normal.failed++;
          normal.firstFailure ||= `${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`;
        }
        await sleep(20);
      }
    };

    const slow = { opened: 0, refusedAtOpen: 0, cut408: 0, cutOther: 0, longestMs: 0, bytesSent: 0 };
    const open = new Set<Socket>();
    const body = JSON.stringify([movement({ id: 'slow-1', source: 'wms-dal', seq: 10_000_000, sku: 'SLOW-1', location: 'DAL', onHand: 1000 })]);
    const openSlow = () => {
      if (stop) return;
      const socket = connect(Number(url.port), url.hostname);
      let connectedAt = Date.now();
      let answer = '';
      let connected = false;
      slow.opened++;
      socket.on('connect', () => {
        connected = true;
        connectedAt = Date.now();
        open.add(socket);
        socket.write(
          `POST /v1/events HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer ${ADMIN_KEY}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
        );
        (socket as Socket & { sentBytes?: number }).sentBytes = 0;
      });
      socket.on('data', (chunk) => {
        answer += chunk.toString();
      });
      socket.on('error', () => {});
      socket.on('close', () => {
        open.delete(socket);
        const held = Date.now() - connectedAt;
        if (/^HTTP\/1\.1 408/.test(answer)) slow.cut408++;
        else if (!connected || held < 200) slow.refusedAtOpen++;
        else slow.cutOther++;
        if (connected && held > slow.longestMs) slow.longestMs = held;
        setTimeout(openSlow, 10);
      });
    };
    // A byte every 100 ms on every slow connection, never the whole body within the timeout.
    const trickle = setInterval(() => {
      for (const s of open) {
        const t = s as Socket & { sentBytes?: number };
        if (t.sentBytes !== undefined && t.sentBytes < body.length - 1 && !s.destroyed) {
          s.write(body[t.sentBytes++]!);
          slow.bytesSent++;
        }
      }
    }, 100);

    const clients = Array.from({ length: 4 }, (_, c) => normalClient(c));
    await sleep(300);
    for (let i = 0; i < flood; i++) openSlow();
    await sleep(durationMs);
    stop = true;
    clearInterval(trickle);
    await Promise.all(clients);
    for (const s of open) s.destroy();

    const alive = hub.child.exitCode === null && hub.child.signalCode === null;
    const health = alive ? (await call(hub.url, 'GET', '/healthz').catch(() => ({ status: 0 }))).status : 0;
    const shown = alive ? await availability(hub.url, 'web', [...sent.keys()]) : new Map<string, number>();
    const wrong = [...sent].filter(([sku, n]) => shown.get(sku) !== n).length;
    const slowApplied = alive ? (await call(hub.url, 'GET', '/v1/availability/SLOW-1?channel=web')).status : 0;
    const sorted = [...normal.latencies].sort((a, b) => a - b);
    const p99 = sorted[Math.floor(sorted.length * 0.99)] ?? 0;
    return {
      name: 'slow-client flood beside normal traffic',
      setting: `${flood} slow connections kept open for ${durationMs / 1000} s (a body byte every 100 ms, a new connection for each one cut) against maxConnections ${maxConnections} and requestTimeoutMs ${requestTimeoutMs}, beside 4 normal clients; ${((Date.now() - started) / 1000).toFixed(0)} s`,
      figures: [
        equal('hub process alive at the end', alive ? 'yes' : 'no', 'yes'),
        equal('GET /healthz after the flood', health, 200),
        info('normal requests', normal.requests),
        equal('normal requests not answered 2xx', normal.failed === 0 ? 0 : `${normal.failed}: ${normal.firstFailure}`, 0),
        info('normal request latency p99, ms', p99),
        equal('items whose stock differs from the normal movements', wrong, 0),
        equal('slow request applied (404: item never seen)', slowApplied, 404),
        info('slow connections opened', slow.opened),
        atLeast('slow connections cut with 408 at the request timeout', slow.cut408, 1),
        info('slow connections closed as they opened (over the cap)', slow.refusedAtOpen),
        info('slow connections closed otherwise', slow.cutOther),
        // Node checks the timeouts every quarter of the timeout (connection-limits.ts): a cut comes that much later at most, plus scheduling under the flood.
        atMost('longest a slow connection was held, ms', slow.longestMs, Math.round(requestTimeoutMs * 1.25) + 2000),
      ],
    };
  } finally {
    if (hub) await killHard(hub);
    home.remove();
  }
}
