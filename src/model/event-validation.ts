/**
 * Validates one inbound event of any canonical type. Dispatches on `type` so each event is checked
 * against exactly one compiled schema, and an unknown type is named as such rather than as a
 * wall of union errors. The check allocates nothing for a valid event: it runs 10,000 times a batch.
 */
import type { TSchema } from '@sinclair/typebox';
import { compileValidator, type ValidationIssue, type Validator } from './validator.js';
import { InventoryMovement, InventorySnapshot } from './inventory-event.js';
import { OrderCancelled, OrderDelivered, OrderInvoiced, OrderReleased, OrderShipped, ReturnReceived } from './order-event.js';
import type { HubEvent } from './hub-event.js';

/**
 * Unknown top-level fields are kept in the log as sent, and every later read of the log writes them
 * out again: so they are bounded, in nesting and in size, where an event 10,000 arrays deep would
 * otherwise be stored and break every page of GET /v1/events that holds it.
 */
export const UNKNOWN_FIELD_LIMITS = { depth: 32, size: 65_536 } as const;

/** An event type's compiled schema and the top-level fields it names. */
interface EventSchema {
  validator: Validator<TSchema>;
  known: ReadonlySet<string>;
}

const schemaOf = (schema: TSchema): EventSchema => ({
  validator: compileValidator(schema),
  known: new Set(Object.keys((schema as { properties?: object }).properties ?? {})),
});

const movement = schemaOf(InventoryMovement);
const snapshot = schemaOf(InventorySnapshot);
const byType = new Map<string, EventSchema>([
  ['order.released', schemaOf(OrderReleased)],
  ['order.shipped', schemaOf(OrderShipped)],
  ['order.delivered', schemaOf(OrderDelivered)],
  ['order.invoiced', schemaOf(OrderInvoiced)],
  ['return.received', schemaOf(ReturnReceived)],
  ['order.cancelled', schemaOf(OrderCancelled)],
]);

/** The event types the hub accepts today. */
export const acceptedEventTypes = (): string[] => ['inventory.movement', 'inventory.snapshot', ...byType.keys()];

function schemaFor(value: unknown): EventSchema | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const type = (value as { type?: unknown }).type;
  // Inventory events are the bulk of traffic: test them before the map lookup.
  if (type === 'inventory.movement') return movement;
  if (type === 'inventory.snapshot') return snapshot;
  return typeof type === 'string' ? byType.get(type) : undefined;
}

/** True when `value` is a valid canonical event. */
export function isValidEvent(value: unknown): value is HubEvent {
  const schema = schemaFor(value);
  if (!schema?.validator.check(value)) return false;
  return unknownFieldIssue(value as Record<string, unknown>, schema.known) === undefined;
}

const pointer = (key: string) => `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;

/** The first unknown top-level field past the limits, or undefined when they all keep within them. */
function unknownFieldIssue(event: Record<string, unknown>, known: ReadonlySet<string>): ValidationIssue | undefined {
  let budget: number = UNKNOWN_FIELD_LIMITS.size;
  for (const key in event) {
    if (known.has(key)) continue;
    const left = wellFormed(key) && !key.includes('\u0000') ? sizeLeft(event[key], budget - key.length, 1) : ILL_FORMED;
    if (left === TOO_DEEP) {
      return { path: pointer(key), message: `an unknown field may nest at most ${UNKNOWN_FIELD_LIMITS.depth} levels of arrays and objects` };
    }
    if (left === ILL_FORMED) return { path: pointer(key), message: 'must be well-formed Unicode (no lone UTF-16 surrogate) without U+0000, in its keys too' };
    if (left < 0) return { path: pointer(key), message: `unknown fields are kept up to ${UNKNOWN_FIELD_LIMITS.size} characters in all` };
    budget = left;
  }
  return undefined;
}

const TOO_DEEP = Number.NEGATIVE_INFINITY;
/** A string or key holding a lone surrogate or U+0000: PostgreSQL's jsonb cannot store either (a parked event stalled the scale-out worker). */
const ILL_FORMED = -Number.MAX_VALUE;
const wellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

/** The budget left after `value` (roughly its JSON length), negative once spent, TOO_DEEP past the depth limit; stops early either way. */
function sizeLeft(value: unknown, budget: number, depth: number): number {
  if (typeof value === 'string') return wellFormed(value) && !value.includes('\u0000') ? budget - value.length - 2 : ILL_FORMED;
  if (typeof value !== 'object' || value === null) return budget - 8;
  if (depth > UNKNOWN_FIELD_LIMITS.depth) return TOO_DEEP;
  let left = budget - 2;
  if (Array.isArray(value)) {
    for (const item of value) {
      left = sizeLeft(item, left - 1, depth + 1);
      if (left < 0) return left;
    }
    return left;
  }
  for (const key in value) {
    if (!wellFormed(key) || key.includes('\u0000')) return ILL_FORMED;
    left = sizeLeft((value as Record<string, unknown>)[key], left - key.length - 4, depth + 1);
    if (left < 0) return left;
  }
  return left;
}

/** Why `value` is not a valid event (call after isValidEvent said false). */
export function eventIssues(value: unknown): ValidationIssue[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [{ path: '/', message: 'must be an event object' }];
  const schema = schemaFor(value);
  if (!schema) return [{ path: '/type', message: `must be one of ${acceptedEventTypes().join(', ')}` }];
  const issues = schema.validator.issues(value);
  const unknown = unknownFieldIssue(value as Record<string, unknown>, schema.known);
  return unknown ? [...issues, unknown] : issues;
}

export type EventCheck = { ok: true; event: HubEvent } | { ok: false; errors: ValidationIssue[] };

/** Both answers at once, for callers off the hot path. */
export function validateEvent(value: unknown): EventCheck {
  return isValidEvent(value) ? { ok: true, event: value } : { ok: false, errors: eventIssues(value) };
}
