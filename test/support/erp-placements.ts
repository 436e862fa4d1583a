/**
 * "One ERP order per hub order", asserted on what reached the ERP rather than on its store (which
 * deduplicates by reference, so a hub placing an order twice would still show one).
 */
import assert from 'node:assert/strict';
import type { ErpSimulator } from '../../sim/erp-simulator.js';

/** Every hub order in `orderIds` reached the ERP's order logic exactly once, and nothing else did. */
export function assertPlacedOnceEach(erp: ErpSimulator, orderIds: Iterable<string>, what = 'one ERP order per hub order'): void {
  const counts = Object.fromEntries(erp.placements);
  const expected = Object.fromEntries([...new Set(orderIds)].map((id) => [id, 1]));
  assert.deepEqual(counts, expected, `${what}: placing calls per reference`);
}
