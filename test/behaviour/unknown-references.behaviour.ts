/**
 * Documents parked for want of a cross-reference, as both backends must show and settle them: a
 * 3PL's stock files in its own item codes, one code not mapped, appear in /v1/exceptions as
 * `unknown_cross_reference` naming the system, scheme and code, one group per missing mapping;
 * one action on the group adds the mapping and replays every file waiting for it, oldest first,
 * and the exceptions resolve themselves with the replay's outcome; a file waiting for a second
 * mapping moves to that mapping's group; a mapping added through PUT /v1/xrefs settles its group
 * the same way. Run by unknown-references-embedded.test.ts and unknown-references-scale-out.test.ts.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { skipReason, type Backend } from '../support/backends.js';
import { startOrderHarness, type OrderHarness } from '../support/order-hub.js';
import { until } from '../support/until.js';

interface Exception {
  id: number;
  class: string;
  status: string;
  group: string;
  error: string;
  entity: { kind: string; id: string };
  actions: string[];
  history: { action: string; note: string; status: string }[];
  correlationId: string | null;
  payload: { waitingFor: { kind: string; system: string; scheme: string; external: string }[]; parkedId: number };
}

export async function unknownReferencesBehaviour(backend: Backend): Promise<void> {
  const skip = await skipReason(backend);
  describe(`unknown cross-references on the ${backend.name} backend`, { skip }, () => {
    let hub: OrderHarness;
    let folder: string;
    before(async () => {
      hub = await startOrderHarness(backend, {
        file: {
          locations: { DAL: { name: 'Dallas DC', authority: 'wms-dal' }, RNO: { name: 'Reno 3PL', authority: 'rno-files' } },
          channels: { direct: { locations: ['RNO'] }, queued: { locations: ['DAL'] } },
          xrefs: [{ kind: 'item', system: 'rno-files', scheme: 'item', external: 'R-0001', id: 'ABC-100' }],
          systems: {
            'rno-files': {
              type: 'csv-snapshot',
              location: 'RNO',
              itemScheme: 'item',
              columns: { sku: 'item', onHand: 'qty' },
              pollSeconds: 0.1,
              settleSeconds: 0.1,
            },
          },
          exceptions: { reconcileMs: 100 },
        } as never,
      });
      folder = join(hub.dataDir, 'inbox', 'rno-files');
      await until(
        'the stock-file folder',
        async () => existsSync(folder),
        (x) => x,
      );
    });
    after(async () => {
      await hub?.stop();
    });

    const list = async (query: string): Promise<Exception[]> => (await hub.api('GET', `/v1/exceptions?${query}`)).body.exceptions;
    const one = async (id: number): Promise<Exception> => (await hub.api('GET', `/v1/exceptions/${id}`)).body;
    const parkedCount = async () => (await hub.api('GET', '/v1/inbound/parked?system=rno-files')).body.parked.length as number;

    test('files waiting for one mapping are one group; one action adds it, replays them in arrival order and they resolve', { timeout: 60_000 }, async () => {
      // Two counts of the same code, a day apart: replayed in the order they came, the later count stands.
      writeFileSync(join(folder, 'a-monday.csv'), 'item,qty\nR-0001,40\nR-0002,7\n');
      await until('the first file parked', parkedCount, (n) => n === 1);
      writeFileSync(join(folder, 'b-tuesday.csv'), 'item,qty\nR-0002,5\n');
      await until('the second file parked', parkedCount, (n) => n === 2);
      // A third waits for two codes; R-0003 first.
      writeFileSync(join(folder, 'c-wednesday.csv'), 'item,qty\nR-0003,9\nR-0002,6\n');
      await until('the third file parked', parkedCount, (n) => n === 3);

      const waiting = await until(
        'three unknown-reference exceptions',
        () => list('class=unknown_cross_reference&status=open'),
        (xs) => xs.length === 3,
        30_000,
      );
      const groupR2 = 'xref:item:rno-files:item:R-0002';
      const groupR3 = 'xref:item:rno-files:item:R-0003';
      assert.deepEqual(waiting.map((e) => e.group).sort(), [groupR2, groupR2, groupR3]);
      // Each exception carries the id minted for its file, as the file's .result.json names it.
      const reports = ['a-monday', 'b-tuesday', 'c-wednesday'].map((f) => join(folder, 'processed', `${f}.csv.result.json`));
      await until(
        'the parked files archived',
        async () => reports.every((r) => existsSync(r)),
        (x) => x,
      );
      const minted = reports.map((r) => (JSON.parse(readFileSync(r, 'utf8')) as { parked: boolean; correlationId: string }).correlationId);
      assert.equal(new Set(minted).size, 3, JSON.stringify(minted));
      assert.deepEqual(waiting.map((e) => e.correlationId).sort(), [...minted].sort());
      const first = waiting.find((e) => e.group === groupR2)!;
      assert.deepEqual(first.entity, { kind: 'item', id: 'rno-files/item/R-0002' });
      assert.match(first.error, /no cross-reference for item R-0002 \(system rno-files, scheme item\)/);
      assert.ok(first.actions.includes('add_xref'), JSON.stringify(first.actions));
      const detail = await one(first.id);
      assert.deepEqual(detail.payload.waitingFor, [{ kind: 'item', system: 'rno-files', scheme: 'item', external: 'R-0002' }]);
      // Nothing half-applied: the mapped row of the first file waits with it.
      await hub.settled();
      assert.equal(await hub.available('ABC-100', 'direct'), 0);
      // The parked-inbound class does not show them a second time.
      assert.equal((await list('class=parked_inbound&status=open')).length, 0);

      // An id the hub refuses as a cross-reference: named, and nothing changes.
      const bad = await hub.api('POST', `/v1/exception-groups/${encodeURIComponent(groupR2)}/actions/add_xref`, { id: ' spaced ' });
      assert.equal(bad.status, 422, JSON.stringify(bad.body));
      assert.equal(bad.body.errors[0].path, '/id');
      assert.equal((await hub.api('POST', `/v1/exception-groups/${encodeURIComponent(groupR2)}/actions/add_xref`, {})).status, 400);

      const done = await hub.api('POST', `/v1/exception-groups/${encodeURIComponent(groupR2)}/actions/add_xref`, { id: 'XYZ-200' });
      assert.equal(done.status, 200, JSON.stringify(done.body));
      assert.equal(done.body.results.length, 2);
      assert.ok(
        done.body.results.every((r: { ok: boolean }) => r.ok),
        JSON.stringify(done.body),
      );
      const acted = await one(done.body.results[0].id);
      assert.deepEqual(
        acted.history.map((h) => h.action),
        ['opened', 'add_xref', 'auto_resolved'],
      );
      assert.match(acted.history[1]!.note, /mapped item R-0002 \(system rno-files, scheme item\) to XYZ-200; 2 waiting document\(s\) replayed/);
      // The second was settled by the first one's action: said so, not refused as closed.
      assert.match(done.body.results[1].note, /^auto_resolved meanwhile: the cross-reference for item R-0002 .* was added and the document replayed/);
      const xref = (await hub.api('GET', '/v1/xrefs?kind=item&system=rno-files&scheme=item&external=R-0002')).body.xrefs;
      assert.deepEqual(
        xref.map((x: { id: string }) => x.id),
        ['XYZ-200'],
      );
      await hub.settled();
      await until(
        'the counts applied, the later one standing',
        () => hub.available('XYZ-200', 'direct'),
        (n) => n === 5,
      );
      assert.equal(await hub.available('ABC-100', 'direct'), 40);

      const settled = await until(
        'the group to resolve itself',
        () => list(`group=${encodeURIComponent(groupR2)}`),
        (xs) => xs.length === 2 && xs.every((e) => e.status === 'auto_resolved'),
        30_000,
      );
      assert.match((await one(settled[0]!.id)).history.at(-1)!.note, /was added and the document replayed/);
      assert.equal(await parkedCount(), 1, 'the file waiting for R-0003 is still parked');
      assert.deepEqual(
        (await list(`group=${encodeURIComponent(groupR3)}&status=open`)).map((e) => e.class),
        ['unknown_cross_reference'],
      );

      // The last mapping through PUT /v1/xrefs: the file is replayed and its exception resolves.
      const put = await hub.api('PUT', '/v1/xrefs', [{ kind: 'item', system: 'rno-files', scheme: 'item', external: 'R-0003', id: 'ABC-100' }]);
      assert.equal(put.body.replayed, 1);
      await until(
        'the last exception to resolve itself',
        () => list(`group=${encodeURIComponent(groupR3)}`),
        (xs) => xs.length === 1 && xs[0]!.status === 'auto_resolved',
        30_000,
      );
      assert.equal(await parkedCount(), 0);
      await hub.settled();
      await until(
        'the last file applied',
        () => hub.available('ABC-100', 'direct'),
        (n) => n === 9,
      );
      assert.equal(await hub.available('XYZ-200', 'direct'), 6);
      // The replayed files' rows are counted as dropped files' are: 2 + 1 + 2 taken, none before the replays.
      const metrics = String((await hub.api('GET', '/metrics')).body);
      assert.match(metrics, /crossdock_inbound_file_rows_total\{system="rno-files",outcome="taken"\} 5\b/);
    });
  });
}
