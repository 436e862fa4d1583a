/**
 * Amending an order in place (POST /v1/orders/{id}/amendments) as both backends must show it: the
 * reservations follow (availability before and after), the ERP simulator receives the new lines
 * once, a repeat under the same Idempotency-Key changes nothing, a refusal leaves the order, the
 * stock and the ERP untouched, and an ERP that is down gets the change once it is back. Run by
 * order-amendment-embedded.test.ts and order-amendment-scale-out.test.ts.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { skipReason, type Backend } from '../support/backends.js';
import { orderNetwork, startOrderHarness, type OrderHarness } from '../support/order-hub.js';
import { until } from '../support/until.js';

const ITEMS = Object.fromEntries(['AM-1', 'AM-2', 'AM-3', 'AM-4', 'AM-5', 'AM-6', 'AM-7', 'AM-8'].map((sku) => [sku, { description: sku, uom: 'EA' }]));

export async function orderAmendmentBehaviour(backend: Backend): Promise<void> {
  const skip = await skipReason(backend);

  describe(`order amendments on the ${backend.name} backend`, { skip }, () => {
    let hub: OrderHarness;
    before(async () => {
      // The order network with these items; its ERP settings (left out here) point at this harness's simulator.
      const { erp: _erp, ...network } = orderNetwork('', {});
      hub = await startOrderHarness(backend, { file: { ...network, items: ITEMS, exceptions: { reconcileMs: 100, erpPendingMinutes: 0 } } });
    });
    after(async () => {
      await hub?.stop();
    });

    let ext = 0;
    let keys = 0;
    const capture = async (lines: { sku: string; qty: number }[], extra: Record<string, unknown> = {}) => {
      const res = await hub.order({ channel: 'queued', externalId: `AMD-${++ext}`, customer: 'C-42', lines, ...extra });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      return res.body.id as string;
    };
    /** `key` null sends no Idempotency-Key; `as` is another API key to send with. */
    const amend = (id: string, lines: unknown[], key: string | null = `amend-${++keys}`, as?: string) =>
      hub.api('POST', `/v1/orders/${id}/amendments`, { lines }, { ...(as ? { key: as } : {}), headers: key === null ? {} : { 'idempotency-key': key } });
    const available = async (sku: string) => {
      await hub.settled();
      return hub.available(sku);
    };
    const changesTo = (id: string) => hub.erp.changes.filter((c) => c.externalReference === id);
    const waitFor = (what: string, check: () => boolean | Promise<boolean>, timeoutMs?: number) =>
      until(
        what,
        async () => await check(),
        (ok) => ok,
        timeoutMs,
      );
    /** The ERP exceptions of an order, whatever their status, each with its history. */
    const exceptionsOf = async (id: string) => {
      const listed = (await hub.api('GET', `/v1/exceptions?class=erp_pending&entity=order:${id}`)).body.exceptions as { id: number }[];
      return Promise.all(listed.map(async (x) => (await hub.api('GET', `/v1/exceptions/${x.id}`)).body as { status: string; history: { note: string }[] }));
    };
    const view = async (id: string) => (await hub.api('GET', `/v1/orders/${id}`)).body;
    const steps = async (id: string) =>
      ((await hub.api('GET', `/v1/orders/${id}/timeline`)).body.entries as { step: string; detail?: string }[]).map((e) => e.step);

    test('an amendment moves the reservations, tells the ERP once, and a repeat of its key changes nothing', async () => {
      await hub.stock('AM-1', 'DAL', 10);
      await hub.stock('AM-2', 'DAL', 10);
      await hub.stock('AM-3', 'ATL', 10);
      const id = await capture([
        { sku: 'AM-1', qty: 2 },
        { sku: 'AM-2', qty: 1 },
      ]);
      assert.deepEqual([await available('AM-1'), await available('AM-2'), await available('AM-3')], [8, 9, 10]);
      const lines = [
        { sku: 'AM-1', qty: 5 },
        { sku: 'AM-3', qty: 2, unitPrice: 4.5 },
      ];
      const res = await amend(id, lines, 'amend-one');
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(
        res.body.lines.map((l: { sku: string; qty: number; reserved: number; backordered: number }) => [l.sku, l.qty, l.reserved, l.backordered]),
        [
          ['AM-1', 5, 5, 0],
          ['AM-3', 2, 2, 0],
        ],
      );
      assert.equal(res.body.status, 'accepted');
      // AM-2 removed gives its unit back; AM-1 takes three more; AM-3 is reserved where it is.
      assert.deepEqual([await available('AM-1'), await available('AM-2'), await available('AM-3')], [5, 10, 8]);
      await waitFor('the ERP simulator received the change', () => changesTo(id).length === 1);
      assert.deepEqual(changesTo(id)[0]!.lines, [
        { item: 'AM-1', quantity: 5 },
        { item: 'AM-3', quantity: 2, unitPrice: 4.5 },
      ]);
      assert.deepEqual(hub.erp.orders.get(id)?.lines, changesTo(id)[0]!.lines, 'the ERP order holds the amended lines');
      await waitFor('the ERP answer is on the timeline', async () => (await steps(id)).includes('erp.changed'));
      assert.deepEqual(await steps(id), ['captured', 'erp.committed', 'amended', 'erp.changed']);
      const amended = (await hub.api('GET', `/v1/orders/${id}/timeline`)).body.entries.find((e: { step: string }) => e.step === 'amended');
      assert.equal(amended.detail, 'before: AM-1 × 2, AM-2 × 1; after: AM-1 × 5, AM-3 × 2 @ 4.5');
      assert.equal(amended.correlationId, res.headers.get('x-correlation-id'));

      const again = await amend(id, lines, 'amend-one');
      assert.equal(again.status, 200, JSON.stringify(again.body));
      assert.equal(again.headers.get('idempotent-replayed'), 'true');
      assert.deepEqual(again.body.lines, (await view(id)).lines);
      const other = await amend(id, [{ sku: 'AM-1', qty: 1 }], 'amend-one');
      assert.equal(other.status, 422, JSON.stringify(other.body));
      assert.equal(other.body.type, 'urn:crossdock:problem:idempotency_key_reused');
      assert.deepEqual([await available('AM-1'), await available('AM-2'), await available('AM-3')], [5, 10, 8], 'the repeats reserved nothing');
      assert.equal(changesTo(id).length, 1, 'the ERP was told once');
      assert.equal(hub.erp.placements.get(id), 1, 'the order was never placed again');

      const audit = await hub.api('GET', `/v1/audit?entity=${encodeURIComponent(`order:${id}`)}`);
      assert.equal(audit.status, 200, JSON.stringify(audit.body));
      assert.ok(
        audit.body.entries.some((e: { action: string }) => e.action === 'POST /v1/orders/:id/amendments'),
        `the audit trail has the amendment: ${JSON.stringify(audit.body.entries)}`,
      );
    });

    test('a refused amendment leaves the order, the stock and the ERP as they were', async () => {
      await hub.stock('AM-4', 'DAL', 3);
      const id = await capture([{ sku: 'AM-4', qty: 2 }]);
      const before = await view(id);
      const stepsBefore = await steps(id);
      assert.equal(await available('AM-4'), 1);
      const short = await amend(id, [{ sku: 'AM-4', qty: 5 }], 'amend-short');
      assert.equal(short.status, 409, JSON.stringify(short.body));
      assert.equal(short.body.reason, 'insufficient_stock');
      assert.deepEqual(short.body.errors, [{ path: '/lines/0/qty', message: '3 more of AM-4 wanted, 1 available' }]);
      assert.equal(await available('AM-4'), 1);
      assert.deepEqual((await view(id)).lines, before.lines);
      assert.deepEqual(await steps(id), stepsBefore);
      assert.equal(changesTo(id).length, 0);

      // The refused key did nothing: it may carry the amendment that fits.
      const fits = await amend(id, [{ sku: 'AM-4', qty: 3 }], 'amend-short');
      assert.equal(fits.status, 200, JSON.stringify(fits.body));
      assert.equal(await available('AM-4'), 0);

      assert.equal((await hub.api('POST', `/v1/orders/${id}/cancel`)).status, 200);
      const cancelled = await amend(id, [{ sku: 'AM-4', qty: 1 }]);
      assert.equal(cancelled.status, 409);
      assert.equal(cancelled.body.reason, 'cancelled');
      assert.equal(await available('AM-4'), 3);

      assert.equal((await amend('ord_nope', [{ sku: 'AM-4', qty: 1 }])).status, 404);
      const noKey = await amend(id, [{ sku: 'AM-4', qty: 1 }], null);
      assert.equal(noKey.status, 400);
      assert.deepEqual(noKey.body.errors, [{ path: '/headers/idempotency-key', message: 'is required' }]);
      const badQty = await amend(id, [{ sku: 'AM-4', qty: -1 }]);
      assert.equal(badQty.status, 400);
      assert.equal(badQty.body.errors[0].path, '/lines/0/qty');
      const twice = await amend(id, [
        { sku: 'AM-4', qty: 1 },
        { sku: 'AM-4', qty: 2 },
      ]);
      assert.equal(twice.status, 422);
      assert.equal(twice.body.errors[0].path, '/lines/1/sku');
      const unknown = await amend(id, [{ sku: 'NOPE-1', qty: 1 }]);
      assert.equal(unknown.status, 422);
      assert.equal(unknown.body.errors[0].path, '/lines/0/sku');
    });

    test('backorders allowed: an increase owes what is not free, a decrease gives back reserved units first', async () => {
      await hub.stock('AM-5', 'DAL', 4);
      const id = await capture([{ sku: 'AM-5', qty: 3 }], { backorder: 'allow' });
      const up = await amend(id, [{ sku: 'AM-5', qty: 6 }]);
      assert.equal(up.status, 200, JSON.stringify(up.body));
      assert.deepEqual([up.body.lines[0].reserved, up.body.lines[0].backordered], [4, 2]);
      assert.equal(await available('AM-5'), 0);
      const down = await amend(id, [{ sku: 'AM-5', qty: 3 }]);
      assert.equal(down.status, 200, JSON.stringify(down.body));
      // Three fewer: three reserved units go back first (then the freed stock fills what the order still owes).
      await hub.settled();
      const after = await view(id);
      assert.equal(after.lines[0].qty, 3);
      assert.equal(after.lines[0].reserved + after.lines[0].backordered, 3);
      assert.equal(await available('AM-5'), 4 - after.lines[0].reserved);
    });

    test('a released order and another channel’s key are refused', async () => {
      await hub.stock('AM-6', 'DAL', 5);
      const id = await capture([{ sku: 'AM-6', qty: 1 }]);
      const bound = await hub.api('POST', '/v1/keys', { name: 'strict-shop', scopes: ['orders:read', 'orders:write'], channels: ['strict'] });
      assert.equal(bound.status, 201, JSON.stringify(bound.body));
      const foreign = await amend(id, [{ sku: 'AM-6', qty: 2 }], 'strict-1', bound.body.key);
      assert.equal(foreign.status, 404, 'a key bound to another channel meets the order as a missing one');
      assert.equal(await available('AM-6'), 4, 'and nothing changed');
      const released = await hub.api('POST', '/v1/events', [
        { id: `rel-${id}`, type: 'order.released', source: 'erp-main', seq: 9_000_000 + ext, occurredAt: '2026-11-22T11:00:00Z', orderId: id },
      ]);
      assert.equal(released.status, 200, JSON.stringify(released.body));
      await hub.settled();
      await waitFor('the order is released', async () => (await view(id)).status === 'released');
      const refused = await amend(id, [{ sku: 'AM-6', qty: 2 }]);
      assert.equal(refused.status, 409, JSON.stringify(refused.body));
      assert.equal(refused.body.reason, 'released');
      assert.equal(await available('AM-6'), 4);
    });

    test('an ERP that is down gets the change once it is back; nothing is lost', async () => {
      await hub.stock('AM-7', 'DAL', 10);
      const id = await capture([{ sku: 'AM-7', qty: 1 }]);
      hub.erp.faults = { ...hub.erp.faults, outage: true };
      try {
        const res = await amend(id, [{ sku: 'AM-7', qty: 4 }]);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        assert.equal(await available('AM-7'), 6, 'the stock moved although the ERP is down');
        await waitFor('the failed ERP call is on the timeline', async () => (await steps(id)).includes('erp.change_failed'));
        assert.equal(changesTo(id).length, 0);
        // Not taken within exceptions.erpPendingMinutes (0 here): an exception of its own in the ERP group.
        await waitFor('the ERP change exception', async () => (await exceptionsOf(id)).some((x) => x.status === 'open'), 20_000);
      } finally {
        hub.erp.faults = { ...hub.erp.faults, outage: false };
      }
      await waitFor('the ERP sweep sent the change once the ERP was back', () => changesTo(id).length >= 1, 20_000);
      assert.deepEqual(hub.erp.orders.get(id)?.lines, [{ item: 'AM-7', quantity: 4 }]);
      await waitFor('the change is recorded as taken', async () => (await steps(id)).includes('erp.changed'));
      await waitFor('the exception to resolve', async () => (await exceptionsOf(id)).every((x) => x.status === 'auto_resolved'), 20_000);
      const [resolved] = await exceptionsOf(id);
      assert.match(resolved!.history.at(-1)!.note, /the ERP took the amended lines/);
    });
  });
}
