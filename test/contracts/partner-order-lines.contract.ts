/**
 * The behaviour every store of partners' order lines must have (SQLite and PostgreSQL), as one
 * suite each adapter runs: the lines come back as kept, per system; the first lines kept for an
 * order stay (a purchase order sent again changes nothing); they survive a reopen.
 */
import { describe, it, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import type { PartnerOrderLines } from '../../src/ports/partner-order-lines.js';
import type { PartnerOrderLine } from '../../src/domain/orders/partner-order-lines.js';
import type { AdapterUnderTest, MakeAdapter, Skip } from './adapter-under-test.js';

const ELBOW: PartnerOrderLine = {
  sku: 'ELBOW-15',
  lineId: '3',
  unit: 'CA',
  factor: 12,
  base: 'EA',
  products: [
    ['BP', 'ELB-15'],
    ['UP', '036000291452'],
  ],
};
const VALVE: PartnerOrderLine = { sku: 'VALVE-2', lineId: '7', unit: 'EA', factor: 1, base: 'EA', products: [['BP', 'VAL-2']] };

export function describePartnerOrderLinesContract(name: string, make: MakeAdapter<PartnerOrderLines>, skip: Skip = false): void {
  describe(`PartnerOrderLines contract: ${name}`, { skip }, () => {
    let ctx: AdapterUnderTest<PartnerOrderLines>;
    beforeEach(async () => {
      ctx = await make();
    });
    afterEach(async () => {
      await ctx.cleanup();
    });

    it("gives back each order's lines as kept, in the partner's order, only to the system that sent them", async () => {
      await ctx.store.keep('o-1', 'acme', [ELBOW, VALVE]);
      await ctx.store.keep('o-2', 'acme', [VALVE]);
      await ctx.store.keep('o-3', 'globex', [ELBOW]);
      const got = await ctx.store.of('acme', ['o-1', 'o-2', 'o-3', 'o-unknown', 'o-1']);
      assert.deepEqual([...got.keys()].sort(), ['o-1', 'o-2']);
      assert.deepEqual(got.get('o-1'), [ELBOW, VALVE]);
      assert.deepEqual(got.get('o-2'), [VALVE]);
      assert.deepEqual([...(await ctx.store.of('globex', ['o-1', 'o-3'])).keys()], ['o-3']);
      assert.equal((await ctx.store.of('acme', [])).size, 0);
    });

    it('keeps the first lines of an order: writing it again, even different lines, changes nothing', async () => {
      await ctx.store.keep('o-1', 'acme', [ELBOW]);
      await ctx.store.keep('o-1', 'acme', [VALVE]);
      await Promise.all(Array.from({ length: 10 }, () => ctx.store.keep('o-1', 'acme', [ELBOW, VALVE])));
      assert.deepEqual((await ctx.store.of('acme', ['o-1'])).get('o-1'), [ELBOW]);
    });

    it("adds the lines of items an order has none for, after those kept, once however often; another system's order is left alone", async () => {
      const TAPE: PartnerOrderLine = { sku: 'TAPE-1', lineId: '9', unit: 'BX', factor: 6, base: 'EA', products: [['BP', 'TP-1']] };
      await ctx.store.keep('o-1', 'acme', [ELBOW]);
      // An 860 that adds the valve and the tape, and names the elbow again under another line number.
      const added = [{ ...ELBOW, lineId: '30' }, VALVE, TAPE];
      await Promise.all(Array.from({ length: 5 }, () => ctx.store.addMissing('o-1', 'acme', added)));
      assert.deepEqual((await ctx.store.of('acme', ['o-1'])).get('o-1'), [ELBOW, VALVE, TAPE]);
      await ctx.store.addMissing('o-1', 'globex', [{ ...TAPE, sku: 'OTHER' }]);
      assert.deepEqual((await ctx.store.of('acme', ['o-1'])).get('o-1'), [ELBOW, VALVE, TAPE]);
      // An order whose 850 lines were never kept gets these as its lines.
      await ctx.store.addMissing('o-2', 'acme', [TAPE]);
      assert.deepEqual((await ctx.store.of('acme', ['o-2'])).get('o-2'), [TAPE]);
    });

    it('keeps the lines across a reopen', async () => {
      await ctx.store.keep('o-1', 'acme', [ELBOW]);
      const again = await ctx.reopen();
      assert.deepEqual((await again.of('acme', ['o-1'])).get('o-1'), [ELBOW]);
    });
  });
}
