/**
 * The one place where errors become HTTP answers: RFC 9457 problem+json with a stable type per
 * condition, the offending fields for validation errors, and the correlation id to quote.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import {
  CrossdockError, DatabaseUnavailableError, InvalidInputError, WebhookSignatureError, NotFoundError, ShuttingDownError, StorageFailedError, WorkersBehindError,
  UnknownChannelError, UnknownItemError, UnknownLocationError, type Issue,
} from '../../domain/errors.js';
import {
  CreditHoldError, CustomerInactiveError, DuplicateOrderError, ErpUnavailableError, IdempotencyKeyInUseError,
  IdempotencyKeyMissingError, IdempotencyKeyReusedError, IllegalTransitionError, InsufficientStockError, UnknownCustomerError,
} from '../../domain/orders/order-errors.js';

export interface ProblemBody {
  type: string; title: string; status: number; detail: string; errors?: Issue[]; correlationId?: string;
  [extra: string]: unknown;
}

export class HttpProblem extends Error {
  constructor(readonly status: number, readonly code: string, readonly title: string, detail: string, readonly extra: Record<string, unknown> = {}) {
    super(detail);
  }
}

const problemType = (code: string) => `urn:crossdock:problem:${code}`;

export function toProblem(err: unknown): ProblemBody {
  if (err instanceof HttpProblem) {
    return { type: problemType(err.code), title: err.title, status: err.status, detail: err.message, ...err.extra };
  }
  if (err instanceof InvalidInputError) {
    return { type: problemType(err.code), title: 'Invalid input', status: 422, detail: err.message, errors: err.issues };
  }
  if (err instanceof UnknownChannelError || err instanceof UnknownItemError || err instanceof NotFoundError) {
    return { type: problemType(err.code), title: 'Not found', status: 404, detail: err.message };
  }
  if (err instanceof UnknownLocationError) {
    return { type: problemType(err.code), title: 'Unknown location', status: 422, detail: err.message, errors: [{ path: err.path, message: err.message }] };
  }
  if (err instanceof StorageFailedError || err instanceof ShuttingDownError || err instanceof WorkersBehindError || err instanceof DatabaseUnavailableError) {
    return { type: problemType(err.code), title: 'Service unavailable', status: 503, detail: err.message, retryable: true };
  }
  if (err instanceof WebhookSignatureError) {
    return { type: problemType(err.code), title: 'Unauthenticated', status: 401, detail: err.message };
  }
  if (err instanceof IdempotencyKeyMissingError) {
    return { type: problemType(err.code), title: 'Idempotency-Key required', status: 400, detail: err.message, errors: [{ path: '/headers/idempotency-key', message: 'is required' }] };
  }
  if (err instanceof IdempotencyKeyInUseError) {
    return { type: problemType(err.code), title: 'Request in progress', status: 409, detail: err.message, retryable: true };
  }
  if (err instanceof IdempotencyKeyReusedError) {
    return { type: problemType(err.code), title: 'Idempotency-Key reused', status: 422, detail: err.message, orderId: err.orderId };
  }
  if (err instanceof UnknownCustomerError || err instanceof CustomerInactiveError) {
    return { type: problemType(err.code), title: 'Customer cannot order', status: 422, detail: err.message, errors: err.issues };
  }
  if (err instanceof CreditHoldError) {
    return { type: problemType(err.code), title: 'Customer on credit hold', status: 422, detail: err.message, errors: [{ path: '/customer', message: 'is on credit hold' }] };
  }
  if (err instanceof InsufficientStockError) {
    return { type: problemType(err.code), title: 'Not enough stock', status: 409, detail: err.message, errors: err.issues, shortfalls: err.shortfalls };
  }
  if (err instanceof DuplicateOrderError) {
    return { type: problemType(err.code), title: 'Order already captured', status: 409, detail: err.message, orderId: err.orderId };
  }
  if (err instanceof IllegalTransitionError) {
    return { type: problemType(err.code), title: 'Not allowed in this state', status: 409, detail: err.message };
  }
  if (err instanceof ErpUnavailableError) {
    return { type: problemType(err.code), title: 'ERP unavailable', status: 503, detail: err.message, orderId: err.orderId, retryable: true };
  }
  if (err instanceof CrossdockError) {
    return { type: problemType(err.code), title: 'Request failed', status: 400, detail: err.message };
  }
  const fe = err as FastifyError & { validation?: unknown; validationContext?: string };
  if (fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (fe instanceof SyntaxError && fe.statusCode === 400)) {
    return { type: problemType('malformed_json'), title: 'Malformed JSON', status: 400, detail: `The request body is not valid JSON: ${fe.message}`, errors: [{ path: '/', message: fe.message }] };
  }
  if (fe.validation && fe.cause instanceof InvalidInputError) {
    const part = fe.validationContext ?? 'body';
    return {
      type: problemType('invalid_input'), title: 'Invalid input', status: 400,
      detail: `The request ${part} is not valid.`,
      errors: fe.cause.issues.map((i) => ({ path: part === 'body' ? i.path : `${part}${i.path}`, message: i.message })),
    };
  }
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return { type: problemType('body_too_large'), title: 'Payload too large', status: 413, detail: fe.message };
  }
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    return { type: problemType('unsupported_body'), title: 'Unsupported body', status: fe.statusCode ?? 415, detail: fe.message };
  }
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { type: problemType('bad_request'), title: 'Bad request', status: fe.statusCode, detail: fe.message };
  }
  return { type: problemType('internal'), title: 'Internal error', status: 500, detail: 'The hub failed to handle this request; the correlation id finds it in the logs.' };
}

export function sendProblem(log: Logger, request: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const body = toProblem(err);
  body.correlationId = request.id;
  const where = { correlationId: request.id, method: request.method, url: request.url, status: body.status };
  if (body.status >= 500) log.error({ ...where, err }, 'request failed');
  else log.info({ ...where, problem: body.type, detail: body.detail }, 'request refused');
  return reply.code(body.status).type('application/problem+json').send(body);
}
