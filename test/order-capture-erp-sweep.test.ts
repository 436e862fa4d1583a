import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startOrderHub } from './support/order-hub.js';

// A capture holds its units in memory before its group commit lands; the background ERP sweep
// runs on a timer and could meet the order in that gap. The ERP must not hear of an order that is
// not on disk yet, and the capture, not the sweep, makes the first attempt.
test('the ERP sweep leaves an order alone while its capture is still committing it', async () => {
  const hub = await startOrderHub();
  try {
    await hub.stock('ABC-100', 'DAL', 10);
    const placedBefore = hub.erp.calls.place;
    const request = { channel: 'queued', externalId: 'SWEEP-1', customer: 'C-42', lines: [{ sku: 'ABC-100', qty: 2 }] };
    const captured = hub.orders.capture.capture(request, 'sweep-key-1', { principal: 'admin', correlationId: 'corr-sweep-1' });
    // Same turn of the event loop: the order is held in memory, its commit not yet run.
    const swept = hub.orders.erp.sweep();
    const [outcome] = await Promise.all([captured, swept]);
    assert.equal(outcome.statusCode, 201, `captured as ${outcome.body.status}`);
    assert.equal(outcome.body.status, 'accepted');
    assert.ok(outcome.body.erpOrderNumber);
    assert.equal(hub.erp.calls.place - placedBefore, 1);
    const timeline = (await hub.api('GET', `/v1/orders/${outcome.body.id}/timeline`)).body;
    const steps = (timeline.entries as { step: string }[]).map((e) => e.step);
    assert.equal(steps.filter((s: string) => s.startsWith('erp.')).length, 1, `steps: ${steps.join(', ')}`);
  } finally {
    await hub.stop();
  }
});
