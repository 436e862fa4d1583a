import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateSlaRules, type SlaBreachDeps } from './sla-breaches.js';
import type { SlaRule } from '../../../domain/sla/sla-rules.js';

const NOW = Date.parse('2026-12-06T12:00:00Z');
const ago = (min: number) => new Date(NOW - min * 60_000).toISOString();
const rule = (r: Partial<SlaRule> & Pick<SlaRule, 'kind' | 'minutes'>): SlaRule => ({ id: r.kind, severity: 'high', ...r });

function deps(rules: SlaRule[], over: Partial<SlaBreachDeps> = {}): SlaBreachDeps {
  return {
    rules,
    clock: { now: () => NOW },
    orders: { listOrders: async () => [], timeline: async () => [] } as never,
    backlogs: async () => [],
    exceptions: { list: async () => [] } as never,
    ...over,
  };
}

test('a shipment not delivered in time breaches once per destination; one on time does not', async () => {
  const breaches = await evaluateSlaRules(
    deps([rule({ kind: 'shipment_to_channels', minutes: 15 })], {
      backlogs: async () => [
        {
          destination: 'shop',
          shipments: [
            { idempotencyKey: 'a', orderId: 'o1', since: ago(20), state: 'pending' },
            { idempotencyKey: 'b', orderId: 'o2', since: ago(16), state: 'dead' },
          ],
        },
        { destination: 'edi', shipments: [{ idempotencyKey: 'c', orderId: 'o3', since: ago(5), state: 'pending' }] },
      ],
    }),
  );
  assert.deepEqual(
    breaches.map((b) => [b.entity.id, b.since]),
    [['shop', ago(5)]],
  );
  assert.match(breaches[0]!.detail, /2 shipment confirmation\(s\) not delivered to shop within 15 min \(orders o1, o2; 1 dead-lettered\)/);
});

test('a channel trailing the hub by more than the limit breaches; a destination outside the rule is not looked at', async () => {
  const backlogs = async () => [
    { destination: 'shop', channel: 'web', shipments: [], oldestChange: { sku: 'A', at: ago(11) } },
    { destination: 'amazon', channel: 'amz', shipments: [], oldestChange: { sku: 'B', at: ago(30) } },
    { destination: 'crm', channel: 'b2b', shipments: [], oldestChange: { sku: 'C', at: ago(9) } },
  ];
  const breaches = await evaluateSlaRules(deps([rule({ kind: 'channel_lag', minutes: 10, destinations: ['shop', 'crm'] })], { backlogs }));
  assert.deepEqual(
    breaches.map((b) => b.entity.id),
    ['shop'],
  );
});

test('an exception left open past the limit breaches; sla_breach exceptions themselves are left out', async () => {
  const exception = (id: number, cls: string, openedMinAgo: number) => ({
    id,
    class: cls,
    owner: 'ops',
    error: 'x',
    correlationId: null,
    system: null,
    createdAt: ago(openedMinAgo),
    history: [{ at: ago(openedMinAgo) }],
  });
  const breaches = await evaluateSlaRules(
    deps([rule({ kind: 'exception_ack', minutes: 30 })], {
      exceptions: { list: async () => [exception(3, 'dead_letter', 31), exception(2, 'sla_breach', 60), exception(1, 'parked_event', 29)] } as never,
    }),
  );
  assert.deepEqual(
    breaches.map((b) => b.entity),
    [{ kind: 'exception', id: '3' }],
  );
});
