/**
 * What every backend checks of an order request before it reserves anything, and how it turns
 * a sourced request into an order: one place, so the embedded and the scale-out hub refuse the
 * same requests with the same errors and capture the same orders.
 */
import { createHash } from 'node:crypto';
import type { Channel } from '../../model/catalog.js';
import type { Customer } from '../../model/customer.js';
import type { OrderRequest } from '../../model/order.js';
import { InvalidInputError, UnknownChannelError } from '../../domain/errors.js';
import { isReference, RESERVED_CHARACTERS } from '../../model/formats.js';
import { CreditHoldError, CustomerInactiveError, IdempotencyKeyMissingError, UnknownCustomerError } from '../../domain/orders/order-errors.js';
import type { OrderState } from '../../domain/orders/order-state.js';

const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

/** The stored form of a key: scoped to the API key that sent it, so clients cannot collide. */
export function scopedKey(idempotencyKey: string | undefined, principal: string, missing: () => Error = () => new IdempotencyKeyMissingError()): string {
  if (idempotencyKey === undefined || !KEY_FORMAT.test(idempotencyKey)) throw missing();
  return `${principal}\u001f${idempotencyKey}`;
}

/** The key as the client sent it (for error messages). */
export function clientKey(scoped: string): string {
  return scoped.slice(scoped.indexOf('\u001f') + 1);
}

/**
 * Same request, same fingerprint, whatever the property order or spacing of its JSON: the
 * validated request's fields in a fixed order (the schema admits no others), hashed.
 */
export function fingerprintOf(r: OrderRequest): string {
  let text = `${r.channel}\u0000${r.externalId}\u0000${r.customer}\u0000${r.backorder ?? 'reject'}`;
  for (const l of r.lines) text += `\u0000${l.sku}\u0001${l.qty}\u0001${l.unitPrice ?? ''}`;
  return createHash('sha256').update(text).digest('base64url');
}

/**
 * Throws UnknownChannelError, UnknownCustomerError, CustomerInactiveError, InvalidInputError
 * (unknown or repeated items, naming the line) or CreditHoldError (the channel rejects such
 * orders). A customer on hold on a channel that holds orders passes: the order is captured held.
 */
export function checkOrderRequest(
  request: OrderRequest,
  channel: Channel | undefined,
  customer: Customer | undefined,
  isKnownSku: (sku: string) => boolean,
): { channel: Channel; customer: Customer } {
  if (!channel) throw new UnknownChannelError(request.channel, '/channel');
  if (!customer) throw new UnknownCustomerError(request.customer);
  if (!customer.active) throw new CustomerInactiveError(request.customer);
  const issues: { path: string; message: string }[] = [];
  // Orders from webhooks and EDI files are not schema-validated requests; their number still reaches other formats.
  if (!isReference(request.externalId))
    issues.push({ path: '/externalId', message: `must be well-formed Unicode with no control character or ${RESERVED_CHARACTERS} reserved by EDI X12` });
  const seen = new Set<string>();
  for (const [i, line] of request.lines.entries()) {
    if (!isKnownSku(line.sku))
      issues.push({ path: `/lines/${i}/sku`, message: `item '${line.sku}' is not known to the hub; define it with PUT /v1/items/${line.sku}` });
    else if (seen.has(line.sku))
      issues.push({ path: `/lines/${i}/sku`, message: `${line.sku} appears on more than one line; put its whole quantity on one line` });
    seen.add(line.sku);
  }
  if (issues.length > 0)
    throw new InvalidInputError(issues, 'The order names items the hub does not know, repeats an item or carries a number other formats cannot hold.');
  if (customer.creditHold && channel.onCreditHold === 'reject') throw new CreditHoldError(customer.id, channel.id);
  return { channel, customer };
}

/** The order a sourced request becomes; held (not sent to the ERP) while its customer is on credit hold. */
export function newOrder(
  id: string,
  request: OrderRequest,
  customer: Customer,
  allocations: [string, number][][],
  nowIso: string,
  correlationId?: string,
): OrderState {
  return {
    id,
    ...(correlationId ? { correlationId } : {}),
    channel: request.channel,
    externalId: request.externalId,
    customer: customer.id,
    backorder: request.backorder ?? 'reject',
    createdAt: nowIso,
    updatedAt: nowIso,
    erp: { state: customer.creditHold ? 'held' : 'pending', attempts: 0 },
    released: false,
    delivered: false,
    invoiced: false,
    cancelled: false,
    lines: request.lines.map((l, i) => ({
      sku: l.sku,
      qty: l.qty,
      ...(l.unitPrice !== undefined ? { unitPrice: l.unitPrice } : {}),
      alloc: allocations[i]!,
      departed: {},
      returned: 0,
    })),
    shipments: [],
  };
}

export const creditHoldDetail = (customer: string) => `customer ${customer} is on credit hold; held, not sent to the ERP`;
