import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXCEPTION_ACTIONS, EXCEPTION_CLASSES, EXCEPTION_STATUSES, isLiveStatus, isSourceAction, ownerFor, statusAfter } from './exception-rules.js';

const rules = [
  { class: 'dead_letter', system: 'shopify', owner: 'ecommerce' },
  { class: 'dead_letter', owner: 'integrations' },
  { system: 'erp', owner: 'finance-it' },
];

test('the first rule whose class and system both match names the owner; otherwise the default', () => {
  assert.equal(ownerFor(rules, 'operations', { class: 'dead_letter', system: 'shopify' }), 'ecommerce');
  assert.equal(ownerFor(rules, 'operations', { class: 'dead_letter', system: 'amazon' }), 'integrations');
  assert.equal(ownerFor(rules, 'operations', { class: 'erp_pending', system: 'erp' }), 'finance-it');
  assert.equal(ownerFor(rules, 'operations', { class: 'parked_event', system: null }), 'operations');
  assert.equal(ownerFor([], 'operations', { class: 'dead_letter', system: 'shopify' }), 'operations');
});

test('acknowledge and discard move the status; the other actions leave it to what they cause', () => {
  assert.equal(statusAfter('acknowledge', 'open'), 'acknowledged');
  assert.equal(statusAfter('discard', 'acknowledged'), 'resolved');
  for (const a of ['assign', 'retry', 'replay', 'edit'] as const) assert.equal(statusAfter(a, 'acknowledged'), 'acknowledged');
});

test('open and acknowledged exceptions still need someone; resolved ones are history', () => {
  assert.deepEqual(
    EXCEPTION_STATUSES.filter((s) => isLiveStatus(s)),
    ['open', 'acknowledged'],
  );
  assert.deepEqual(EXCEPTION_STATUSES, ['open', 'acknowledged', 'resolved', 'auto_resolved']);
});

test('retry, replay, edit, discard and add_xref act on the record behind the exception; acknowledge and assign on the exception', () => {
  assert.deepEqual(
    EXCEPTION_ACTIONS.filter((a) => isSourceAction(a)),
    ['retry', 'replay', 'edit', 'discard', 'add_xref'],
  );
  assert.deepEqual(EXCEPTION_ACTIONS, ['retry', 'replay', 'edit', 'discard', 'add_xref', 'acknowledge', 'assign']);
  assert.deepEqual(EXCEPTION_CLASSES, [
    'parked_event',
    'parked_inbound',
    'unknown_cross_reference',
    'order_exception',
    'dead_letter',
    'dead_log_entry',
    'erp_pending',
    'sla_breach',
    'partner_rejection',
  ]);
});

test('actions that work on the record leave its status as it was', () => {
  for (const action of ['assign', 'retry', 'replay', 'edit', 'add_xref'] as const)
    for (const status of ['open', 'acknowledged'] as const) assert.equal(statusAfter(action, status), status, `${action} on ${status}`);
});
