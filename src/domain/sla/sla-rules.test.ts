import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  SLA_BREACH_CLASS,
  SLA_KIND_VALUES,
  breachKey,
  brokeAt,
  deadlineOf,
  isLate,
  ruleOfKey,
  slaAlertBody,
  type SlaAlertFacts,
  type SlaRule,
} from './sla-rules.js';

const rule: SlaRule = { id: 'erp-15', kind: 'order_in_erp', minutes: 15, severity: 'high' };
const started = '2026-12-06T10:00:00.000Z';
const fifteenLater = Date.parse('2026-12-06T10:15:00.000Z');

test('the rule kinds are the four promises the configuration may name', () => {
  assert.deepEqual([...SLA_KIND_VALUES].sort(), ['channel_lag', 'exception_ack', 'order_in_erp', 'shipment_to_channels']);
});

test('a promise runs out exactly its minutes after it was made, and is late from that instant on', () => {
  assert.equal(deadlineOf(rule, started), fifteenLater);
  assert.equal(brokeAt(rule, started), '2026-12-06T10:15:00.000Z');
  assert.equal(isLate(rule, started, fifteenLater - 1), false);
  assert.equal(isLate(rule, started, fifteenLater), true);
  assert.equal(isLate(rule, started, fifteenLater + 1), true);
});

test('one breach of one rule for one entity has one key, and the key gives its rule back', () => {
  const key = breachKey({ rule, entity: { kind: 'order', id: 'O/1:2' } });
  assert.equal(key, 'erp-15/order:O/1:2');
  assert.notEqual(key, breachKey({ rule, entity: { kind: 'order', id: 'O/1:3' } }));
  assert.notEqual(key, breachKey({ rule: { id: 'erp-30' }, entity: { kind: 'order', id: 'O/1:2' } }));
  assert.equal(ruleOfKey(key), 'erp-15');
});

const facts: SlaAlertFacts = {
  kind: 'breach',
  exceptionId: 42,
  rule: 'erp-15',
  entity: { kind: 'order', id: 'O-1' },
  severity: 'high',
  owner: 'order-desk',
  error: 'not in the ERP after 15 minutes',
  correlationId: 'corr-1',
  at: '2026-12-06T10:15:01.000Z',
};

test('a breach alert says what broke, for what, how bad, whose, and which exception, with every fact as a field', () => {
  assert.deepEqual(slaAlertBody(facts), {
    text: ':rotating_light: SLA breached: erp-15 for order O-1 (high, owner order-desk): not in the ERP after 15 minutes [exception 42]',
    kind: 'breach',
    rule: 'erp-15',
    exception: 42,
    entity: { kind: 'order', id: 'O-1' },
    severity: 'high',
    owner: 'order-desk',
    error: 'not in the ERP after 15 minutes',
    correlationId: 'corr-1',
    at: '2026-12-06T10:15:01.000Z',
  });
});

test('a resolution alert says why the promise holds again, or that the condition cleared', () => {
  const resolved = slaAlertBody({ ...facts, kind: 'resolved', resolution: 'the order reached the ERP' });
  assert.equal(resolved.text, ':white_check_mark: SLA holds again: erp-15 for order O-1: the order reached the ERP [exception 42]');
  assert.equal(resolved.resolution, 'the order reached the ERP');
  const bare = slaAlertBody({ ...facts, kind: 'resolved' });
  assert.equal(bare.text, ':white_check_mark: SLA holds again: erp-15 for order O-1: the condition cleared [exception 42]');
  assert.equal('resolution' in bare, false);
});

// Operators filter the exception queue and route owners by this class name (API and configuration).
test('a breach is an exception of the class sla_breach', () => {
  assert.equal(SLA_BREACH_CLASS, 'sla_breach');
});
