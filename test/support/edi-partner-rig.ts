/**
 * One EDI trading partner's connector on its own, for tests of what it does with documents: its
 * folder, its control numbers and cross-references on a fresh SQLite database, and the hub behind
 * it replaced by recorders (orders captured and cancelled, events ingested, documents parked,
 * rejections kept). `drop` puts a file in in/ and takes it; `out` reads what the partner got.
 */
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../src/adapters/sqlite/open-database.js';
import { SqliteControlNumbers } from '../../src/adapters/sqlite/sqlite-control-numbers.js';
import { SqliteCrossReferenceStore } from '../../src/adapters/sqlite/sqlite-cross-reference-store.js';
import { CrossReferences } from '../../src/app/master-data/cross-references.js';
import { EdiPartner, type EdiPartnerOptions } from '../../src/connectors/edi-x12/edi-partner.js';
import { readInterchange, splitInterchanges, type Interchange, type Party } from '../../src/connectors/edi-x12/x12-interchange.js';
import type { Issue } from '../../src/domain/errors.js';
import type { HubEvent } from '../../src/model/hub-event.js';
import type { OrderRequest } from '../../src/model/order.js';
import type { AmendedLine } from '../../src/domain/orders/order-amendment.js';
import { tempDataDir } from './test-hub.js';

export interface Rig {
  partner: EdiPartner;
  folder: string;
  controls: SqliteControlNumbers;
  xrefs: CrossReferences;
  captured: OrderRequest[];
  cancelled: string[];
  /** Amendments the 860s (BCH01 04/05) asked for, in order. */
  amended: { orderId: string; lines: AmendedLine[]; key: string }[];
  events: HubEvent[];
  parked: { reason: string; errors: Issue[]; body: string }[];
  rejections: { reason: string; errors: Issue[] }[];
  /** Drops a file in in/ and takes it; answers where it went (processed or failed) and why. */
  drop(name: string, text: string): Promise<{ went: 'processed' | 'failed'; error?: string }>;
  /** The files in out/ by name, in the order written. */
  out(): { name: string; text: string; x: Interchange }[];
}

/** The parties of a document's first interchange, as the partner and the hub would be configured to match it. */
export function partiesOf(text: string): { partner: Party; us: Party } {
  // Read by hand: the envelope may be one the reader refuses (a wrong count further on).
  const first = splitInterchanges(text)[0]!;
  const element = first[3]!;
  const isa = first.split(element, 17);
  const gs = new RegExp(`GS${element.replace(/[|*^]/g, '\\$&')}[^\\n~]*`).exec(first)?.[0].split(element) ?? [];
  return {
    partner: { qualifier: isa[5]!.trim(), id: isa[6]!.trim(), ...(gs[2] && gs[2] !== isa[6]!.trim() ? { applicationId: gs[2] } : {}) },
    us: { qualifier: isa[7]!.trim(), id: isa[8]!.trim(), ...(gs[3] && gs[3] !== isa[8]!.trim() ? { applicationId: gs[3] } : {}) },
  };
}

export function ediRig(o: Partial<EdiPartnerOptions> & { partner: Party; us: Party; knownSkus?: string[] }): Rig {
  const dir = tempDataDir();
  const db = openDatabase(dir);
  const controls = new SqliteControlNumbers(db);
  const xrefs = new CrossReferences({ store: new SqliteCrossReferenceStore(db), baseUnit: () => 'EA' });
  const folder = join(dir, 'edi');
  const rig = {
    folder,
    controls,
    xrefs,
    captured: [] as OrderRequest[],
    cancelled: [] as string[],
    amended: [] as { orderId: string; lines: AmendedLine[]; key: string }[],
    events: [] as HubEvent[],
    parked: [] as Rig['parked'],
    rejections: [] as Rig['rejections'],
  };
  const known = o.knownSkus ? new Set(o.knownSkus) : undefined;
  const partner = new EdiPartner({
    id: 'acme',
    folder,
    pollMs: 60_000,
    usage: 'P',
    testInterchanges: 'refuse',
    mapping: { channel: 'b2b', customer: 'C-42', itemQualifier: 'VN', itemQualifiers: [], backorder: 'allow' },
    controls,
    references: xrefs,
    capture: async (request) => {
      const unknown = request.lines.findIndex((l) => known && !known.has(l.sku));
      if (unknown >= 0)
        return {
          kind: 'refused',
          reason: `item ${request.lines[unknown]!.sku} is not known`,
          errors: [{ path: `/lines/${unknown}/sku`, message: 'is not known' }],
        };
      rig.captured.push(request);
      return {
        kind: 'captured',
        orderId: `O-${rig.captured.length}`,
        lines: request.lines.map((l) => ({ sku: l.sku, qty: l.qty, reserved: l.qty, backordered: 0 })),
      };
    },
    cancel: async (po) => {
      rig.cancelled.push(po);
      return rig.captured.some((r) => r.externalId === po) ? { kind: 'cancelled', orderId: `O-of-${po}` } : { kind: 'unknown' };
    },
    orderNow: async (po) => {
      const i = rig.captured.findIndex((r) => r.externalId === po);
      if (i < 0) return undefined;
      const last = [...rig.amended].reverse().find((a) => a.orderId === `O-${i + 1}`);
      return { orderId: `O-${i + 1}`, lines: last?.lines ?? rig.captured[i]!.lines.map((l) => ({ ...l })) };
    },
    amend: async (orderId, lines, key) => {
      rig.amended.push({ orderId, lines, key });
      return { kind: 'amended', orderId };
    },
    ingest: async (events) => {
      rig.events.push(...events);
      return { accepted: events.length, rejected: [] };
    },
    park: (reason, errors, body) => {
      rig.parked.push({ reason, errors, body });
    },
    rejected: (reason, errors) => {
      rig.rejections.push({ reason, errors });
    },
    log: () => {},
    fault: () => {},
    now: () => Date.parse('2026-12-06T12:00:00Z'),
    ...o,
  });
  return {
    ...rig,
    partner,
    async drop(name, text) {
      // Written under a temporary name and renamed when done, as a careful sender does: taken at once.
      writeFileSync(join(folder, 'in', `${name}.tmp`), text);
      await partner.scan();
      renameSync(join(folder, 'in', `${name}.tmp`), join(folder, 'in', name));
      await partner.scan();
      if (existsSync(join(folder, 'processed', name))) return { went: 'processed' };
      return { went: 'failed', error: readFileSync(join(folder, 'failed', `${name}.error.txt`), 'utf8') };
    },
    out() {
      return readdirSync(join(folder, 'out'))
        .sort((a, b) => Number(/(\d+)\.edi$/.exec(a)![1]) - Number(/(\d+)\.edi$/.exec(b)![1]))
        .map((name) => {
          const text = readFileSync(join(folder, 'out', name), 'utf8');
          return { name, text, x: readInterchange(text) };
        });
    },
  };
}
