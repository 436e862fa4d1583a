/**
 * A carrier's tracking webhook as a careless or hostile sender may write it: anything but a
 * tracker with a tracking number is refused naming the field, and only a string is ever looked up.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CarrierTracking } from './carrier-tracking.js';

function carrier() {
  const looked: unknown[] = [];
  const c = new CarrierTracking({
    id: 'parcels',
    secret: 's',
    orderByTracking: (n) => {
      looked.push(n);
      return n === '1Z999' ? 'ord_1' : undefined;
    },
    now: () => Date.parse('2026-12-07T10:00:00Z'),
  });
  return { c, looked };
}

test('a delivered tracker names its order; other statuses change nothing', async () => {
  const { c } = carrier();
  const delivered = await c.eventsFrom('{"result": {"tracking_code": "1Z999", "status": "delivered", "updated_at": "2026-12-07T09:30:00Z"}}');
  assert.ok(delivered.ok);
  assert.deepEqual(
    delivered.events.map((e) => [e.type, (e as { orderId?: string }).orderId, e.occurredAt]),
    [['order.delivered', 'ord_1', '2026-12-07T09:30:00.000Z']],
  );
  assert.deepEqual(await c.eventsFrom('{"result": {"tracking_code": "1Z999", "status": "in_transit"}}'), { ok: true, events: [] });
});

test('a body that is no tracker, or a tracking number that is no string, is refused naming the field and looks nothing up', async () => {
  const { c, looked } = carrier();
  const refused = async (raw: string) => {
    const r = await c.eventsFrom(raw);
    return r.ok ? 'taken' : r.errors.map((e) => e.path).join();
  };
  assert.equal(await refused('null'), '/result');
  assert.equal(await refused('[1]'), '/result');
  assert.equal(await refused('{"result": "1Z999"}'), '/result');
  assert.equal(await refused('{"result": null}'), '/result');
  for (const code of ['{"sql": 1}', '["1Z999"]', '42', 'true', '""', '"   "', JSON.stringify('9'.repeat(101))])
    assert.equal(await refused(`{"result": {"tracking_code": ${code}, "status": "delivered"}}`), '/result/tracking_code', code);
  assert.equal(await refused('{"result": {"tracking_code": "1Z999", "status": {"is": "delivered"}}}'), '/result/status');
  assert.deepEqual(looked, []);
  assert.equal(await refused('{"result": {"tracking_code": "NOPE", "status": "delivered"}}'), '/result/tracking_code');
  assert.deepEqual(looked, ['NOPE']);
});

test('an updated_at that is no instant gives way to the time of arrival', async () => {
  const { c } = carrier();
  for (const at of ['"yesterday"', '12345', '{"t": 1}', 'null']) {
    const r = await c.eventsFrom(`{"result": {"tracking_code": "1Z999", "status": "delivered", "updated_at": ${at}}}`);
    assert.ok(r.ok);
    assert.equal(r.events[0]?.occurredAt, '2026-12-07T10:00:00.000Z', at);
  }
});
