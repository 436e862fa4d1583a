/**
 * The refusals a client or operator reads (problem+json, CLI output): each with its stable code,
 * whether retrying can help, and a message naming the ids and the next step.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeliveryFailedError } from './delivery/delivery-errors.js';
import {
  DatabaseUnavailableError,
  InvalidInputError,
  NotFoundError,
  ShuttingDownError,
  StaleWebhookError,
  StorageFailedError,
  UnknownChannelError,
  UnknownItemError,
  UnknownLocationError,
  UnstorableSubmissionError,
  WebhookSignatureError,
  WebhookTopicMismatchError,
  WorkersBehindError,
} from './errors.js';
import { ActionNotAllowedError, EntryCannotApplyError, ExceptionClosedError } from './exceptions/exception-errors.js';

const facts = (e: { code: string; retryable: boolean; message: string; name: string }) => [e.name, e.code, e.retryable, e.message];

test('every refusal says what happened, whether a retry helps, and what to do', () => {
  const cause = new Error('disk full');
  const table: [Error & { code: string; retryable: boolean }, string, boolean, string][] = [
    [new InvalidInputError([{ path: '/x', message: 'bad' }]), 'invalid_input', false, 'The request is not valid.'],
    [new UnknownChannelError('web'), 'unknown_channel', false, "Channel 'web' is not defined; define it with PUT /v1/channels/web."],
    [
      new UnknownItemError('A'),
      'unknown_item',
      false,
      "Item 'A' is not known to the hub; define it with PUT /v1/items/A or send an inventory event that names it.",
    ],
    [new UnknownLocationError('DAL', '/location'), 'unknown_location', false, "Location 'DAL' is not defined; define it with PUT /v1/locations/DAL first."],
    [new NotFoundError('Order', 'O1'), 'not_found', false, "Order 'O1' does not exist."],
    [
      new WorkersBehindError(12, 10, 500),
      'workers_behind',
      true,
      'The workers have applied the log through position 10, and this request needs 12; waited 500 ms. Nothing was reserved; retry shortly, and check that worker processes are running (crossdock_log_lag_entries).',
    ],
    [new StorageFailedError('the order', cause), 'storage_failed', true, 'The hub could not make the order durable; nothing was applied. Retry the request.'],
    [
      new UnstorableSubmissionError('this event batch', cause),
      'unstorable_submission',
      false,
      'The hub could not store this event batch, though the requests committed with it were stored; nothing of it was applied. Retrying it unchanged will fail the same way: the correlation id finds the cause in the logs.',
    ],
    [
      new DatabaseUnavailableError('connection refused', cause),
      'database_unavailable',
      true,
      "The hub's database is unavailable (connection refused). Retry shortly: a retry applies once (orders by their Idempotency-Key, events by source and id), whether or not this attempt reached the database. If it persists, check PostgreSQL and that every hub process together stays under its max_connections (scaleOut.connections).",
    ],
    [new ShuttingDownError(), 'shutting_down', true, 'The hub is shutting down and accepts no more work; retry against another instance or after restart.'],
    [
      new WebhookSignatureError('shop'),
      'bad_signature',
      false,
      "The webhook's signature does not match the secret configured for system 'shop'; it was not taken.",
    ],
    [
      new WebhookTopicMismatchError('shop', 'X-Topic', 'orders/create', 'the body is a refund'),
      'topic_mismatch',
      false,
      "The webhook from 'shop' was not taken: its X-Topic 'orders/create' contradicts its body: the body is a refund.",
    ],
    [
      new StaleWebhookError('shop', 'X-Sent-At', '2020-01-01', 'is too old'),
      'stale_webhook',
      false,
      "The webhook from 'shop' was not taken: its X-Sent-At '2020-01-01' is too old.",
    ],
    [new DeliveryFailedError('web', 'HTTP 503', true, 1000, 503), 'delivery_failed', true, 'Delivery to web failed: HTTP 503'],
    [new DeliveryFailedError('web', 'HTTP 400', false), 'delivery_failed', false, 'Delivery to web failed: HTTP 400'],
    [
      new ActionNotAllowedError('parked', 'retry', ['discard', 'acknowledge']),
      'action_not_allowed',
      false,
      "'retry' does not apply to a parked exception; the actions that do are: discard, acknowledge.",
    ],
    [new ExceptionClosedError(7, 'resolved'), 'exception_closed', false, 'Exception 7 is resolved; only open or acknowledged exceptions can be acted on.'],
    [
      new EntryCannotApplyError(42, 'unknown item'),
      'entry_cannot_apply',
      false,
      'Log entry 42 still cannot be applied: unknown item. It stays among the dead entries.',
    ],
  ];
  for (const [e, code, retryable, message] of table) assert.deepEqual(facts(e), [e.constructor.name, code, retryable, message]);
  assert.equal(new StorageFailedError('x', cause).cause, cause);
  assert.equal(new UnstorableSubmissionError('x', cause).cause, cause);
  assert.equal(new DatabaseUnavailableError('x', cause).cause, cause);
  assert.equal(new InvalidInputError([], 'The order is not valid.').message, 'The order is not valid.');
});
