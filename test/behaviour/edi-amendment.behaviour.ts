/**
 * A customer's 860 amending its order through the partner's folder, as both backends must show
 * it: BCH01 04 applies QI, QD, DI and AI to the order's lines and 05 replaces them; the
 * reservations follow, the ERP simulator receives each change, and each 860 is answered by a 997
 * (AK5 A). One the order cannot take (no stock, and the partner does not take backorders) changes
 * nothing, is kept with its reason and answered AK5 E. Run by edi-amendment-embedded.test.ts and
 * edi-amendment-scale-out.test.ts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readInterchange, writeInterchange } from '../../src/connectors/edi-x12/x12-interchange.js';
import { skipReason, type Backend } from '../support/backends.js';
import { startOrderHarness } from '../support/order-hub.js';
import { until } from '../support/until.js';

const waitFor = (what: string, check: () => boolean | Promise<boolean>, ms = 15_000) =>
  until(
    what,
    async () => await check(),
    (ok) => ok,
    ms,
  );
const party = (id: string) => ({ qualifier: 'ZZ', id });

export async function ediAmendmentBehaviour(backend: Backend): Promise<void> {
  const skip = await skipReason(backend);

  describe(`860 amendments through the folder on the ${backend.name} backend`, { skip }, () => {
    test('an 860 change (QI, QD, DI, AI) and an 860 replace amend the order in place; one without stock changes nothing and is kept', {
      timeout: 90_000,
    }, async () => {
      const hub = await startOrderHarness(backend, {
        file: {
          locations: { DAL: { name: 'Dallas DC', authority: 'wms-dal' } },
          channels: { queued: { locations: ['DAL'] } },
          systems: {
            acme: {
              type: 'edi-x12',
              channel: 'queued',
              customer: 'C-42',
              backorder: 'reject',
              pollSeconds: 0.1,
              us: party('CROSSDOCK'),
              partner: party('ACMEPLUMB'),
            },
          },
        } as never,
      });
      const dir = join(hub.dataDir, 'edi', 'acme');
      const doc = (control: number, functionalId: string, set: string, segments: string[][]) =>
        writeInterchange({
          sender: party('ACMEPLUMB'),
          receiver: party('CROSSDOCK'),
          control,
          at: new Date('2026-12-06T09:00:00Z'),
          usage: 'P',
          groups: [{ functionalId, control, transactions: [{ set, control: 1, segments }] }],
        });
      const drop = async (name: string, text: string) => {
        writeFileSync(join(dir, 'in', name), text);
        await waitFor(`${name} to be taken`, () => existsSync(join(dir, 'processed', name)));
        await hub.settled();
      };
      /** The AK5 of the 997 that answers group `control`. */
      const ak5For = (control: number) => {
        for (const f of readdirSync(join(dir, 'out')).filter((n) => n.startsWith('997'))) {
          const segments = readInterchange(readFileSync(join(dir, 'out', f), 'utf8')).groups[0]!.transactions[0]!.segments;
          if (segments.find((s) => s[0] === 'AK1')?.[2] === String(control)) return segments.find((s) => s[0] === 'AK5');
        }
        return undefined;
      };
      const lines = async () => {
        const order = (await hub.api('GET', '/v1/orders?channel=queued&externalId=PO-AM')).body.orders[0];
        return order.lines.map((l: { sku: string; qty: number; reserved: number }) => [l.sku, l.qty, l.reserved]);
      };
      const availability = async () => Promise.all(['EA-1', 'EA-2', 'EA-3', 'EA-4'].map((sku) => hub.available(sku)));
      try {
        await waitFor('the partner folder', () => existsSync(join(dir, 'in')));
        await hub.stock('EA-1', 'DAL', 20);
        await hub.stock('EA-2', 'DAL', 20);
        await hub.stock('EA-3', 'DAL', 5);
        await hub.stock('EA-4', 'DAL', 20);
        await drop(
          'po.edi',
          doc(71, 'PO', '850', [
            ['BEG', '00', 'SA', 'PO-AM', '', '20261206'],
            ['PO1', '1', '4', 'EA', '', '', 'VN', 'EA-1'],
            ['PO1', '2', '3', 'EA', '', '', 'VN', 'EA-2'],
            ['PO1', '3', '2', 'EA', '', '', 'VN', 'EA-3'],
          ]),
        );
        assert.deepEqual(await availability(), [16, 17, 3, 20]);
        const id = (await hub.api('GET', '/v1/orders?channel=queued&externalId=PO-AM')).body.orders[0].id as string;
        const changes = () => hub.erp.changes.filter((c) => c.externalReference === id);

        await drop(
          'change.edi',
          doc(72, 'PC', '860', [
            ['BCH', '04', 'SA', 'PO-AM', '', '', '20261206'],
            ['POC', '1', 'QI', '6', '', 'EA', '', '', 'VN', 'EA-1'],
            ['POC', '2', 'QD', '1', '', 'EA', '', '', 'VN', 'EA-2'],
            ['POC', '3', 'DI', '', '', 'EA', '', '', 'VN', 'EA-3'],
            ['POC', '4', 'AI', '5', '', 'EA', '', '', 'VN', 'EA-4'],
          ]),
        );
        assert.deepEqual(ak5For(72), ['AK5', 'A']);
        assert.deepEqual(await lines(), [
          ['EA-1', 6, 6],
          ['EA-2', 1, 1],
          ['EA-4', 5, 5],
        ]);
        assert.deepEqual(await availability(), [14, 19, 5, 15]);
        await waitFor('the ERP to receive the change', () => changes().length === 1);
        assert.deepEqual(changes()[0]!.lines, [
          { item: 'EA-1', quantity: 6 },
          { item: 'EA-2', quantity: 1 },
          { item: 'EA-4', quantity: 5 },
        ]);

        await drop(
          'replace.edi',
          doc(73, 'PC', '860', [
            ['BCH', '05', 'SA', 'PO-AM', '', '', '20261206'],
            ['POC', '1', 'RZ', '2', '', 'EA', '', '', 'VN', 'EA-1'],
            ['POC', '2', 'AI', '3', '', 'EA', '', '', 'VN', 'EA-3'],
          ]),
        );
        assert.deepEqual(ak5For(73), ['AK5', 'A']);
        assert.deepEqual(await lines(), [
          ['EA-1', 2, 2],
          ['EA-3', 3, 3],
        ]);
        assert.deepEqual(await availability(), [18, 20, 2, 20]);
        await waitFor('the ERP to receive the replacement', () => changes().length === 2);

        // More EA-3 than is free, and the partner takes no backorders: refused whole, nothing changes.
        await drop(
          'short.edi',
          doc(74, 'PC', '860', [
            ['BCH', '04', 'SA', 'PO-AM', '', '', '20261206'],
            ['POC', '1', 'QI', '3', '', 'EA', '', '', 'VN', 'EA-1'],
            ['POC', '2', 'QI', '50', '', 'EA', '', '', 'VN', 'EA-3'],
          ]),
        );
        assert.deepEqual(ak5For(74), ['AK5', 'E', '5'], 'accepted with errors noted, as every set kept for a person');
        assert.deepEqual(await lines(), [
          ['EA-1', 2, 2],
          ['EA-3', 3, 3],
        ]);
        assert.deepEqual(await availability(), [18, 20, 2, 20]);
        const parked = (await hub.api('GET', '/v1/inbound/parked?system=acme')).body.parked as { reason: string }[];
        assert.ok(
          parked.some((p) => /purchase order change PO-AM \(change\): .*insufficient_stock/.test(p.reason)),
          `kept with its reason: ${JSON.stringify(parked.map((p) => p.reason))}`,
        );
        assert.equal(changes().length, 2, 'the ERP heard of no refused change');

        await drop(
          'unknown.edi',
          doc(75, 'PC', '860', [
            ['BCH', '04', 'SA', 'PO-NONE', '', '', '20261206'],
            ['POC', '1', 'QI', '3', '', 'EA', '', '', 'VN', 'EA-1'],
          ]),
        );
        assert.deepEqual(ak5For(75), ['AK5', 'E', '5']);
        const kept = (await hub.api('GET', '/v1/inbound/parked?system=acme')).body.parked as { reason: string }[];
        assert.ok(kept.some((p) => p.reason.startsWith('purchase order change PO-NONE (change): no order was captured for it')));
      } finally {
        await hub.stop();
      }
    });
  });
}
