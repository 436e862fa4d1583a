/**
 * The one place where errors become HTTP answers: RFC 9457 problem+json with a stable type per
 * condition, the offending fields for validation errors, and the correlation id to quote.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import {
  CrossdockError,
  InvalidInputError,
  type DatabaseUnavailableError,
  type Issue,
  type NotFoundError,
  type ShuttingDownError,
  type StorageFailedError,
  type UnstorableSubmissionError,
  type UnknownChannelError,
  type UnknownItemError,
  type UnknownLocationError,
  type StaleWebhookError,
  type WebhookSignatureError,
  type WebhookTopicMismatchError,
  type WorkersBehindError,
} from '../../domain/errors.js';
import type {
  CreditHoldError,
  CustomerInactiveError,
  DuplicateOrderError,
  ErpCallError,
  ErpUnavailableError,
  IdempotencyKeyInUseError,
  IdempotencyKeyMissingError,
  IdempotencyKeyReusedError,
  IllegalTransitionError,
  InsufficientStockError,
  UnknownCustomerError,
} from '../../domain/orders/order-errors.js';
import type { DeliveryFailedError } from '../../domain/delivery/delivery-errors.js';
import type { ChannelBoundKeyError, ChannelNotGrantedError, ChannelRequiredError } from '../../domain/access/channel-access.js';
import type { SystemBoundKeyError } from '../../domain/access/system-access.js';
import type { ActionNotAllowedError, EntryCannotApplyError, ExceptionClosedError } from '../../domain/exceptions/exception-errors.js';
import type { AmendmentRefusedError } from '../../domain/orders/order-amendment.js';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: Issue[];
  correlationId?: string;
  [extra: string]: unknown;
}

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
  }
}

const problemType = (code: string) => `urn:crossdock:problem:${code}`;

/** How one condition is answered: its status and title, and the fields beyond `detail` it carries. */
interface ProblemRule<E> {
  status: number;
  title: string;
  extras?: (err: E) => Record<string, unknown>;
}

/** A rule, or for a condition answered two ways, the choice of rule by the error's own fields. */
type ProblemEntry<E> = ProblemRule<E> | ((err: E) => ProblemRule<E>);

type KnownError =
  | InvalidInputError
  | UnknownChannelError
  | UnknownItemError
  | UnknownLocationError
  | NotFoundError
  | WorkersBehindError
  | StorageFailedError
  | UnstorableSubmissionError
  | DatabaseUnavailableError
  | ShuttingDownError
  | WebhookSignatureError
  | WebhookTopicMismatchError
  | StaleWebhookError
  | IdempotencyKeyMissingError
  | IdempotencyKeyInUseError
  | IdempotencyKeyReusedError
  | UnknownCustomerError
  | CustomerInactiveError
  | CreditHoldError
  | InsufficientStockError
  | DuplicateOrderError
  | ErpUnavailableError
  | IllegalTransitionError
  | ErpCallError
  | DeliveryFailedError
  | ChannelNotGrantedError
  | ChannelRequiredError
  | ChannelBoundKeyError
  | SystemBoundKeyError
  | ActionNotAllowedError
  | ExceptionClosedError
  | EntryCannotApplyError
  | AmendmentRefusedError;

/**
 * Every error code the hub raises, with its answer. A code missing here is a bug, answered 500
 * (and test/problem-table.test.ts fails), not quietly given a guessed status.
 */
const PROBLEMS: { [E in KnownError as E['code']]: ProblemEntry<E> } = {
  invalid_input: { status: 422, title: 'Invalid input', extras: (e) => ({ errors: e.issues }) },
  // A channel named by the URL is a missing resource; one named in a request body is a bad field.
  unknown_channel: (e) =>
    e.path === undefined
      ? { status: 404, title: 'Not found' }
      : { status: 422, title: 'Unknown channel', extras: () => ({ errors: [{ path: e.path, message: e.message }] }) },
  unknown_item: { status: 404, title: 'Not found' },
  not_found: { status: 404, title: 'Not found' },
  unknown_location: { status: 422, title: 'Unknown location', extras: (e) => ({ errors: [{ path: e.path, message: e.message }] }) },
  storage_failed: { status: 503, title: 'Service unavailable', extras: () => ({ retryable: true }) },
  unstorable_submission: { status: 422, title: 'Submission cannot be stored', extras: () => ({ retryable: false }) },
  shutting_down: { status: 503, title: 'Service unavailable', extras: () => ({ retryable: true }) },
  workers_behind: { status: 503, title: 'Service unavailable', extras: () => ({ retryable: true }) },
  database_unavailable: { status: 503, title: 'Service unavailable', extras: () => ({ retryable: true }) },
  bad_signature: { status: 401, title: 'Unauthenticated' },
  topic_mismatch: {
    status: 422,
    title: 'Topic contradicts the body',
    extras: (e) => ({ topic: e.topic, errors: [{ path: `headers/${e.header}`, message: e.reason }] }),
  },
  stale_webhook: { status: 422, title: 'Webhook outside the replay window', extras: (e) => ({ errors: [{ path: `headers/${e.header}`, message: e.reason }] }) },
  idempotency_key_required: {
    status: 400,
    title: 'Idempotency-Key required',
    extras: () => ({ errors: [{ path: '/headers/idempotency-key', message: 'is required' }] }),
  },
  idempotency_key_in_use: { status: 409, title: 'Request in progress', extras: () => ({ retryable: true }) },
  idempotency_key_reused: {
    status: 422,
    title: 'Idempotency-Key reused',
    // A key bound to channels is never told another channel's order id.
    extras: (e) => ({
      ...(e.orderId ? { orderId: e.orderId } : {}),
      errors: [
        {
          path: e.field,
          message: e.orderId ? `was used before for a different order request (order ${e.orderId})` : 'was used before for a different order request',
        },
      ],
    }),
  },
  unknown_customer: { status: 422, title: 'Customer cannot order', extras: (e) => ({ errors: e.issues }) },
  customer_inactive: { status: 422, title: 'Customer cannot order', extras: (e) => ({ errors: e.issues }) },
  credit_hold: { status: 422, title: 'Customer on credit hold', extras: () => ({ errors: [{ path: '/customer', message: 'is on credit hold' }] }) },
  insufficient_stock: { status: 409, title: 'Not enough stock', extras: (e) => ({ errors: e.issues, shortfalls: e.shortfalls }) },
  duplicate_order: { status: 409, title: 'Order already captured', extras: (e) => ({ orderId: e.orderId }) },
  illegal_transition: { status: 409, title: 'Not allowed in this state' },
  amendment_refused: {
    status: 409,
    title: 'Amendment refused',
    extras: (e) => ({
      reason: e.reason,
      ...(e.issues.length > 0 ? { errors: e.issues } : {}),
      ...(e.shortfalls.length > 0 ? { shortfalls: e.shortfalls } : {}),
    }),
  },
  erp_unavailable: { status: 503, title: 'ERP unavailable', extras: (e) => ({ orderId: e.orderId, retryable: true }) },
  // Raised inside ERP commits and deliveries, which turn them into retries or exceptions; one that
  // reached a request would be answered as before the table existed.
  erp_call_failed: { status: 400, title: 'Request failed' },
  delivery_failed: { status: 400, title: 'Request failed' },
  channel_not_granted: {
    status: 403,
    title: 'Forbidden',
    extras: (e) => ({ errors: [{ path: e.path, message: e.message }], grantedChannels: e.granted }),
  },
  channel_required: { status: 422, title: 'Channel required', extras: (e) => ({ errors: [{ path: e.path, message: e.message }], grantedChannels: e.granted }) },
  channel_bound_key: { status: 403, title: 'Forbidden' },
  system_bound_key: { status: 403, title: 'Forbidden' },
  action_not_allowed: { status: 409, title: 'Action does not apply', extras: (e) => ({ allowed: e.allowed }) },
  entry_cannot_apply: { status: 422, title: 'The entry still cannot be applied', extras: (e) => ({ position: e.position }) },
  exception_closed: { status: 409, title: 'Exception resolved', extras: (e) => ({ exceptionStatus: e.status }) },
};

function crossdockProblem(err: CrossdockError): ProblemBody {
  // Keyed by each class's own code, so the entry found for err.code is the one written for its class.
  const entry = (PROBLEMS as unknown as Record<string, ProblemEntry<CrossdockError> | undefined>)[err.code];
  if (!entry) return internalProblem();
  const rule = typeof entry === 'function' ? entry(err) : entry;
  return { type: problemType(err.code), title: rule.title, status: rule.status, detail: err.message, ...rule.extras?.(err) };
}

const internalProblem = (): ProblemBody => ({
  type: problemType('internal'),
  title: 'Internal error',
  status: 500,
  detail: 'The hub failed to handle this request; the correlation id finds it in the logs.',
});

/** `bodyLimit`: the route's limit on request bodies in bytes, named when a body exceeds it. */
export function toProblem(err: unknown, bodyLimit?: number): ProblemBody {
  if (err instanceof HttpProblem) {
    return { type: problemType(err.code), title: err.title, status: err.status, detail: err.message, ...err.extra };
  }
  if (err instanceof CrossdockError) return crossdockProblem(err);
  const fe = err as FastifyError & { validation?: unknown; validationContext?: string };
  if (fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (fe instanceof SyntaxError && fe.statusCode === 400)) {
    return {
      type: problemType('malformed_json'),
      title: 'Malformed JSON',
      status: 400,
      detail: `The request body is not valid JSON: ${fe.message}`,
      errors: [{ path: '/', message: fe.message }],
    };
  }
  if (fe.validation && fe.cause instanceof InvalidInputError) {
    const part = fe.validationContext ?? 'body';
    return {
      type: problemType('invalid_input'),
      title: 'Invalid input',
      status: 400,
      detail: `The request ${part} is not valid.`,
      errors: fe.cause.issues.map((i) => ({ path: part === 'body' ? i.path : `${part}${i.path}`, message: i.message })),
    };
  }
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    const limit = bodyLimit === undefined ? '' : ` The limit is ${bodyLimit} bytes; send a smaller body (split a batch into several requests).`;
    return {
      type: problemType('body_too_large'),
      title: 'Payload too large',
      status: 413,
      detail: `${fe.message}.${limit}`,
      ...(bodyLimit === undefined ? {} : { limitBytes: bodyLimit }),
    };
  }
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return {
      type: problemType('unsupported_body'),
      title: 'Unsupported body',
      status: 415,
      detail: `${fe.message}. Send the body as JSON with the header content-type: application/json.`,
    };
  }
  if (fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    return {
      type: problemType('unsupported_body'),
      title: 'Unsupported body',
      status: fe.statusCode ?? 415,
      detail: fe.message,
      errors: [{ path: '/', message: 'the body is empty; send a JSON body' }],
    };
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { type: problemType('bad_request'), title: 'Bad request', status: fe.statusCode, detail: fe.message };
  }
  return internalProblem();
}

export function sendProblem(log: Logger, request: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const body = toProblem(err, request.routeOptions.bodyLimit);
  body.correlationId = request.id;
  // The line's correlation id comes from the request's scope (hub-logger's mixin), as on every line written while serving it.
  const where = { method: request.method, url: request.url, status: body.status };
  if (body.status >= 500 || (err as { code?: string }).code === 'unstorable_submission') log.error({ ...where, err }, 'request failed');
  else log.info({ ...where, problem: body.type, detail: body.detail }, 'request refused');
  return reply.code(body.status).type('application/problem+json').send(body);
}
