/**
 * The fuzz suite: generated and mutated inputs fired at a real hub over HTTP (event batches, order
 * captures, signed storefront webhooks) and through its folders (EDI X12 interchanges, 3PL stock
 * files), built from fast-check arbitraries and from the real partner documents in the shared
 * fixtures. Every input must end in a 4xx problem naming the field, or taken, parked or moved aside
 * with its reason: never a 5xx, a hang or a crash. Afterwards the hub's stock figures and orders are
 * compared with an oracle computed from what the hub said it took. `npm run fuzz` runs it at size;
 * test/fuzz-embedded.test.ts runs a short slice.
 */
import { createHmac } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Backend } from '../support/backends.js';
import { FIXTURES, fixture } from '../support/fixtures.js';
import { ADMIN_KEY, NETWORK } from '../support/test-hub.js';
import { startOrderHarness, type OrderHarness } from '../support/order-hub.js';
import { Random, mutateBytes, mutateDelimited, mutateJson, mutateX12, oddValues } from './mutate.js';
import { StockOracle, type CandidateEvent } from './stock-oracle.js';

export interface FuzzOptions {
  backend: Backend;
  inputs: number;
  seed: number;
  /** Progress lines (every 1,000 inputs). */
  progress?: (line: string) => void;
}

export interface FuzzFigures {
  backend: string;
  seed: number;
  inputs: number;
  byKind: Record<string, number>;
  /** Outcome classes: kind and status (or file outcome), and per-event outcomes of event batches. */
  outcomes: Record<string, number>;
  /** Broken promises: 5xx, hangs, answers that are not problems naming a field, oracle mismatches. */
  failures: string[];
  compared: { stockFigures: number; orders: number };
  durationMs: number;
}

const SECRET = 'fuzz-shop-secret';
const SKUS = Array.from({ length: 12 }, (_, i) => `FZ-${i}`);
const EDI_SKUS = ['AB3542', 'RD5322', 'XY5266', 'VX2332', 'RV0524', 'DX1875'];
const SHOP_SKUS = ['706405908216', '706405907431'];
const LOCATIONS: Record<string, string> = { DAL: 'wms-dal', ATL: 'wms-atl' };
const HTTP_TIMEOUT_MS = 30_000;
const FILE_TIMEOUT_MS = 120_000;

const HUB_FILE = {
  locations: { ...NETWORK.locations, FBA: { name: 'Amazon FBA', authority: 'amazon-fba' } },
  channels: {
    ...NETWORK.channels,
    queued: { locations: ['DAL', 'ATL'], onErpUnavailable: 'queue' },
    all: { locations: ['DAL', 'ATL', 'FBA'] },
  },
  systems: {
    shop: { type: 'shopify', channel: 'web', customer: 'C-42', webhookSecretEnv: 'FUZZ_SHOP_SECRET' },
    acme: {
      type: 'edi-x12',
      channel: 'b2b',
      customer: 'C-42',
      pollSeconds: 0.1,
      // As the fixture purchase orders address the hub (others' envelopes are refused: sender and receiver are checked).
      us: { qualifier: '01', id: '999999999' },
      partner: { qualifier: '12', id: '4405197800' },
    },
    'amazon-fba': {
      type: 'csv-snapshot',
      location: 'FBA',
      delimiter: '\t',
      pollSeconds: 0.1,
      columns: { sku: 'sku', onHand: 'afn-fulfillable-quantity', damaged: 'afn-unsellable-quantity' },
    },
  },
};

interface Answer {
  status: number;
  type: string;
  body: any;
}

class Tally {
  constructor(private readonly report?: (line: string) => void) {}
  readonly outcomes: Record<string, number> = {};
  readonly byKind: Record<string, number> = {};
  readonly failures: string[] = [];
  failuresSeen = 0;
  count(outcome: string, n = 1): void {
    this.outcomes[outcome] = (this.outcomes[outcome] ?? 0) + n;
  }
  fail(what: string): void {
    this.failuresSeen++;
    if (this.failuresSeen <= 50) this.report?.(`failure: ${what.slice(0, 600)}`);
    if (this.failures.length < 50) this.failures.push(what);
  }
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzFigures> {
  const started = Date.now();
  const random = new Random(options.seed);
  const odd = oddValues(options.seed);
  const tally = new Tally(options.progress);
  const oracle = new StockOracle();
  const restOrders = new Map<string, { externalId: string; lines: { sku: string; qty: number }[] }>();
  const webhookOrders = new Set<string>();
  const pendingFiles: { kind: 'edi' | 'stock-file'; dir: string; name: string; text: string }[] = [];
  process.env.FUZZ_SHOP_SECRET = SECRET;
  const hub = await startOrderHarness(options.backend, { file: HUB_FILE as never });
  const fixtures = {
    shop: ['shopify/orders-create.webhook.json', 'shopify/order.json', 'shopify/inventory_level.json', 'shopify/inventory_levels.json'].map(fixture),
    edi: readdirSync(join(FIXTURES, 'x12'), { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile() && d.name.endsWith('.edi'))
      .map((d) => ({ name: d.name, text: readFileSync(join(d.parentPath, d.name), 'utf8') })),
    fba: fixture('csv/amazon-fba-inventory.tsv'),
  };
  const po850 = fixture('x12/node-x12/850.edi');
  let seq = 0;
  let serial = 0;

  const post = async (path: string, body: Buffer | string, headers: Record<string, string> = {}): Promise<Answer | undefined> => {
    try {
      const res = await fetch(hub.url + path, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : new Uint8Array(body),
        signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* judged below */
      }
      return { status: res.status, type: res.headers.get('content-type') ?? '', body: parsed };
    } catch (err) {
      tally.fail(`${path}: no answer (${(err as Error).message}) to ${preview(body)}`);
      return undefined;
    }
  };

  /** A refusal must be a problem; one of a body's content must name the field. */
  const judgeRefusal = (kind: string, a: Answer, sent: Buffer | string): void => {
    tally.count(`${kind}: ${a.status}`);
    if (a.status >= 500) {
      tally.fail(`${kind}: ${a.status} ${JSON.stringify(a.body).slice(0, 300)} for ${preview(sent)}`);
      return;
    }
    if (!a.type.startsWith('application/problem+json')) {
      tally.fail(`${kind}: ${a.status} is not a problem (${a.type}) for ${preview(sent)}`);
      return;
    }
    if ((a.status === 400 || a.status === 422) && !(Array.isArray(a.body?.errors) && a.body.errors.length > 0 && a.body.errors.every(namesField)))
      tally.fail(`${kind}: ${a.status} ${a.body?.type} names no field for ${preview(sent)}`);
  };

  // Opening stock, through the same path and oracle as everything else.
  await sendEvents(
    [...SKUS, ...EDI_SKUS, ...SHOP_SKUS].flatMap((sku) => Object.keys(LOCATIONS).map((location) => snapshotOf(sku, location, 1_000))),
    undefined,
  );

  function snapshotOf(sku: string, location: string, onHand: number): Record<string, unknown> {
    const source = LOCATIONS[location] ?? 'tpl-nowhere';
    return { id: `s-${++seq}`, type: 'inventory.snapshot', source, seq, occurredAt: '2026-11-22T10:00:00Z', sku, location, balance: { onHand } };
  }
  function movementOf(sku: string, location: string, delta: number): Record<string, unknown> {
    const source = LOCATIONS[location] ?? 'tpl-nowhere';
    return {
      id: `m-${++seq}`,
      type: 'inventory.movement',
      source,
      seq,
      occurredAt: '2026-11-22T10:00:00Z',
      sku,
      location,
      reason: 'adjustment',
      delta: { onHand: delta },
    };
  }
  function validEvent(): Record<string, unknown> {
    const sku = random.pick(SKUS);
    const location = random.chance(0.05) ? 'NOWHERE' : random.pick(Object.keys(LOCATIONS));
    return random.chance(0.2) ? snapshotOf(sku, location, random.int(2000)) : movementOf(sku, location, random.int(41) - 20);
  }

  async function sendEvents(events: unknown[], raw: Buffer | undefined): Promise<void> {
    const sent = raw ?? JSON.stringify(events);
    const a = await post('/v1/events', sent);
    if (!a) return;
    if (a.status !== 200) return judgeRefusal('events', a, sent);
    tally.count('events: 200');
    const rejected = new Set<number>((a.body.rejected as { index: number; errors: unknown[] }[]).map((r) => r.index));
    for (const r of a.body.rejected as { index: number; errors: unknown[] }[]) {
      if (!(Array.isArray(r.errors) && r.errors.length > 0 && r.errors.every(namesField)))
        tally.fail(`events: rejected event names no field: ${JSON.stringify(r)}`);
    }
    const parked = new Set<number>((a.body.parked as { index: number }[]).map((p) => p.index));
    let accepted = 0,
      duplicates = 0;
    const parsed = raw ? (JSON.parse(raw.toString()) as unknown[]) : events;
    for (const [index, value] of parsed.entries()) {
      if (rejected.has(index)) {
        tally.count('event: rejected');
        continue;
      }
      const e = value as Record<string, any>;
      if (!oracle.isNew({ source: e.source, id: e.id, seq: e.seq })) {
        duplicates++;
        tally.count('event: duplicate');
        continue;
      }
      accepted++;
      if (parked.has(index)) {
        tally.count('event: parked');
        continue;
      }
      tally.count('event: accepted');
      if (typeof e.type === 'string' && e.type.startsWith('inventory.')) oracle.apply(candidate(e));
    }
    if (accepted !== a.body.accepted || duplicates !== a.body.duplicates)
      tally.fail(`events: the hub took ${a.body.accepted} and saw ${a.body.duplicates} duplicates, the oracle ${accepted} and ${duplicates}: ${preview(sent)}`);
  }

  async function fireEvents(): Promise<void> {
    const batch = Array.from({ length: 1 + random.int(4) }, () => validEvent());
    const roll = random.next();
    if (roll < 0.45) return sendEvents(batch, undefined);
    if (roll < 0.85) {
      const i = random.int(batch.length);
      batch[i] = mutateJson(batch[i], random, odd) as Record<string, unknown>;
      return sendEvents(batch, undefined);
    }
    const text = JSON.stringify(batch);
    // Nesting deeper than JSON.stringify can write, in an unknown field, as raw text.
    const bytes = random.chance(0.05) ? Buffer.from(`${text.slice(0, -2)},"deep":${'['.repeat(10_000)}${']'.repeat(10_000)}}]`) : mutateBytes(text, random);
    // Only a body that parses as JSON can change anything; what does not must be refused.
    let reparsed: unknown;
    try {
      reparsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    } catch {
      const a = await post('/v1/events', bytes);
      if (a) judgeOnlyRefusal('events (bytes)', a, bytes);
      return;
    }
    if (!Array.isArray(reparsed)) {
      const a = await post('/v1/events', bytes);
      if (a) judgeOnlyRefusal('events (bytes)', a, bytes);
      return;
    }
    return sendEvents(reparsed, bytes);
  }

  function judgeOnlyRefusal(kind: string, a: Answer, sent: Buffer | string): void {
    if (a.status < 400) {
      tally.count(`${kind}: ${a.status}`);
      tally.fail(`${kind}: ${a.status} for a body that is not a JSON array: ${preview(sent)}`);
      return;
    }
    judgeRefusal(kind, a, sent);
  }

  async function fireOrder(): Promise<void> {
    const base = {
      channel: 'queued',
      externalId: `FO-${++serial}`,
      customer: 'C-42',
      lines: Array.from({ length: 1 + random.int(3) }, (_, k) => ({ sku: SKUS[(serial + k) % SKUS.length]!, qty: 1 + random.int(5) })),
    };
    const body = random.chance(0.5) ? base : mutateJson(base, random, odd);
    const text = random.chance(0.1) ? mutateBytes(JSON.stringify(body), random) : JSON.stringify(body);
    const a = await post('/v1/orders', text, { 'idempotency-key': `fz-${serial}` });
    if (!a) return;
    if (a.status === 201 || a.status === 200) {
      tally.count(`orders: ${a.status}`);
      const o = a.body as { id: string; externalId: string; channel: string; lines: { sku: string; qty: number }[] };
      if (o.channel === 'queued') restOrders.set(o.id, { externalId: o.externalId, lines: o.lines.map((l) => ({ sku: l.sku, qty: l.qty })) });
      else webhookOrders.add(`${o.channel}:${o.id}`);
      return;
    }
    if (a.status < 400) {
      tally.count(`orders: ${a.status}`);
      tally.fail(`orders: unexpected ${a.status} for ${preview(text)}`);
      return;
    }
    judgeRefusal('orders', a, text);
  }

  async function fireWebhook(): Promise<void> {
    const source = random.pick(fixtures.shop);
    const topic = random.chance(0.8) ? 'orders/create' : random.pick(['orders/cancelled', 'inventory_levels/update', 'orders/create ', '']);
    let raw: Buffer;
    const roll = random.next();
    if (roll < 0.15) raw = Buffer.from(source);
    else if (roll < 0.8) raw = Buffer.from(JSON.stringify(mutateJson(JSON.parse(source), random, odd), null, random.chance(0.5) ? 2 : undefined));
    else raw = mutateBytes(source, random);
    const signed = random.chance(0.9);
    const signature = createHmac('sha256', signed ? SECRET : 'wrong')
      .update(raw)
      .digest('base64');
    const a = await post('/hooks/shop', raw, { 'x-shopify-topic': topic, 'x-shopify-hmac-sha256': signature, 'x-shopify-webhook-id': `fz-w-${++serial}` });
    if (!a) return;
    if (a.status !== 200) return judgeRefusal('webhooks', a, raw);
    const status = String(a.body?.status);
    tally.count(`webhooks: 200 ${status}`);
    if (!signed) tally.fail(`webhooks: an unsigned webhook was taken (${status})`);
    if (status === 'parked' && !(typeof a.body.reason === 'string' && a.body.reason.length > 0 && (a.body.errors ?? []).every(namesField)))
      tally.fail(`webhooks: parked without its reason: ${JSON.stringify(a.body)}`);
    if ((status === 'captured' || status === 'already_captured') && a.body.orderId) webhookOrders.add(`web:${a.body.orderId}`);
    if (status === 'cancelled' && a.body.orderId) webhookOrders.add(`web:${a.body.orderId}`);
  }

  function dropEdi(): void {
    // Each purchase order under its own ISA13: the same one again is a duplicate the hub sets aside.
    const base = random.chance(0.7)
      ? { name: '850.edi', text: po850.replace(/000003438/g, String(10_000 + serial).padStart(9, '0')) }
      : random.pick(fixtures.edi);
    const roll = random.next();
    const text = roll < 0.1 ? base.text : roll < 0.8 ? mutateX12(base.text, random, odd) : mutateBytes(base.text, random).toString('latin1');
    const dir = join(hub.dataDir, 'edi', 'acme');
    const name = `fz-${++serial}.edi`;
    if (!existsSync(join(dir, 'in'))) return;
    writeFileSync(join(dir, 'in', name), text, roll >= 0.8 ? 'latin1' : 'utf8');
    pendingFiles.push({ kind: 'edi', dir, name, text });
  }

  function dropStockFile(): void {
    const roll = random.next();
    const text = roll < 0.1 ? fixtures.fba : roll < 0.85 ? mutateDelimited(fixtures.fba, random, odd) : mutateBytes(fixtures.fba, random).toString('latin1');
    const dir = join(hub.dataDir, 'inbox', 'amazon-fba');
    const name = `fz-${++serial}.tsv`;
    if (!existsSync(dir)) return;
    writeFileSync(join(dir, name), text, roll >= 0.85 ? 'latin1' : 'utf8');
    pendingFiles.push({ kind: 'stock-file', dir, name, text });
  }

  try {
    for (let i = 0; i < options.inputs; i++) {
      const roll = random.next();
      const kind = roll < 0.55 ? 'events' : roll < 0.75 ? 'orders' : roll < 0.9 ? 'webhooks' : roll < 0.95 ? 'edi' : 'stock-files';
      tally.byKind[kind] = (tally.byKind[kind] ?? 0) + 1;
      if (kind === 'events') await fireEvents();
      else if (kind === 'orders') await fireOrder();
      else if (kind === 'webhooks') await fireWebhook();
      else if (kind === 'edi') dropEdi();
      else dropStockFile();
      if ((i + 1) % 1000 === 0) options.progress?.(`${i + 1} inputs, ${tally.failuresSeen} failures, ${Math.round((Date.now() - started) / 1000)} s`);
    }
    await judgeFiles(pendingFiles, tally);
    const health = await fetch(`${hub.url}/healthz`);
    if (health.status !== 200) tally.fail(`the hub is not healthy afterwards: ${health.status}`);
    await hub.settled();
    const compared = await compareWithOracle(hub, oracle, restOrders, webhookOrders, pendingFiles, tally);
    return {
      backend: options.backend.name,
      seed: options.seed,
      inputs: options.inputs,
      byKind: tally.byKind,
      outcomes: Object.fromEntries(Object.entries(tally.outcomes).sort()),
      failures: tally.failuresSeen > tally.failures.length ? [...tally.failures, `... and ${tally.failuresSeen - tally.failures.length} more`] : tally.failures,
      compared,
      durationMs: Date.now() - started,
    };
  } finally {
    await hub.stop();
  }
}

function candidate(e: Record<string, any>): CandidateEvent {
  return { source: e.source, id: e.id, seq: e.seq, type: e.type, sku: e.sku, location: e.location, onHandDelta: e.delta?.onHand, onHand: e.balance?.onHand };
}

const namesField = (issue: unknown): boolean =>
  typeof issue === 'object' &&
  issue !== null &&
  typeof (issue as { path?: unknown }).path === 'string' &&
  typeof (issue as { message?: unknown }).message === 'string';

function preview(sent: Buffer | string): string {
  const text = typeof sent === 'string' ? sent : sent.toString('latin1');
  return JSON.stringify(text.length > 300 ? `${text.slice(0, 300)}…(${text.length})` : text);
}

/** Every dropped file ends processed (with its report) or failed (with its reason); none stays. */
async function judgeFiles(files: { kind: string; dir: string; name: string; text: string }[], tally: Tally): Promise<void> {
  const deadline = Date.now() + FILE_TIMEOUT_MS;
  for (const f of files) {
    const inbox = f.kind === 'edi' ? join(f.dir, 'in') : f.dir;
    while (existsSync(join(inbox, f.name)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const failed = join(f.dir, 'failed', `${f.name}.error.txt`);
    const processed = f.kind === 'edi' ? join(f.dir, 'processed', f.name) : join(f.dir, 'processed', `${f.name}.result.json`);
    if (existsSync(join(inbox, f.name))) {
      tally.count(`${f.kind}: still waiting`);
      tally.fail(`${f.kind}: ${f.name} was not taken within ${FILE_TIMEOUT_MS / 1000} s`);
    } else if (existsSync(failed)) {
      tally.count(`${f.kind}: failed with its reason`);
      if (readFileSync(failed, 'utf8').trim() === '') tally.fail(`${f.kind}: ${f.name} failed without a reason`);
    } else if (existsSync(processed) || existsSync(join(f.dir, 'processed', f.name))) {
      tally.count(`${f.kind}: processed`);
    } else {
      tally.count(`${f.kind}: vanished`);
      tally.fail(`${f.kind}: ${f.name} left the folder but is neither processed nor failed`);
    }
  }
}

async function listOrders(hub: OrderHarness, channel: string): Promise<{ id: string; externalId: string; lines: { sku: string; qty: number }[] }[]> {
  const out = [];
  let cursor: string | null = null;
  do {
    const page: { status: number; body: any } = await hub.api(
      'GET',
      `/v1/orders?channel=${channel}&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    if (page.status !== 200) throw new Error(`listing orders: ${page.status} ${JSON.stringify(page.body)}`);
    out.push(...page.body.orders);
    cursor = page.body.next;
  } while (cursor);
  return out;
}

async function compareWithOracle(
  hub: OrderHarness,
  oracle: StockOracle,
  restOrders: Map<string, { externalId: string; lines: { sku: string; qty: number }[] }>,
  webhookOrders: Set<string>,
  files: { kind: string; dir: string; name: string; text: string }[],
  tally: Tally,
): Promise<{ stockFigures: number; orders: number }> {
  let stockFigures = 0;
  const bySku = new Map<string, { source: string; location: string; onHand: number }[]>();
  for (const f of oracle.figures()) {
    if (!(f.location in LOCATIONS) && f.location !== 'FBA') continue;
    bySku.set(f.sku, [...(bySku.get(f.sku) ?? []), f]);
  }
  for (const [sku, expected] of bySku) {
    const res = await hub.api('GET', `/v1/availability/${encodeURIComponent(sku)}/explain?channel=all`);
    if (res.status !== 200) {
      tally.fail(`oracle: explain ${JSON.stringify(sku)} answered ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      continue;
    }
    for (const e of expected) {
      const at = (res.body.locations as { location: string; authority: string | null; onHand: number; shadows: { source: string; onHand: number }[] }[]).find(
        (l) => l.location === e.location,
      );
      const seen = at?.authority === e.source ? at.onHand : at?.shadows.find((s) => s.source === e.source)?.onHand;
      stockFigures++;
      if (seen !== e.onHand) tally.fail(`oracle: ${JSON.stringify(sku)} at ${e.location} from ${e.source}: the hub shows ${seen}, the oracle ${e.onHand}`);
    }
  }

  const queued = await listOrders(hub, 'queued');
  const shown = new Map(queued.map((o) => [o.id, o]));
  for (const [id, o] of restOrders) {
    const s = shown.get(id);
    if (!s) tally.fail(`oracle: order ${id} (${o.externalId}) was placed but is not listed`);
    else if (JSON.stringify(s.lines.map((l) => [l.sku, l.qty])) !== JSON.stringify(o.lines.map((l) => [l.sku, l.qty])))
      tally.fail(`oracle: order ${id} lists other lines than placed`);
  }
  for (const id of shown.keys()) if (!restOrders.has(id)) tally.fail(`oracle: order ${id} is listed on queued but no capture placed it`);
  const web = await listOrders(hub, 'web');
  for (const o of web) if (!webhookOrders.has(`web:${o.id}`)) tally.fail(`oracle: storefront order ${o.id} was not answered as captured`);
  const processedText = files
    .filter((f) => f.kind === 'edi' && existsSync(join(f.dir, 'processed', f.name)))
    .map((f) => f.text)
    .join('\n');
  const b2b = await listOrders(hub, 'b2b');
  for (const o of b2b) if (!processedText.includes(o.externalId)) tally.fail(`oracle: EDI order ${o.externalId} comes from no processed interchange`);
  return { stockFigures, orders: queued.length + web.length + b2b.length };
}
