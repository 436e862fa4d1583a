/**
 * Validates one inbound event of any canonical type. Dispatches on `type` so each event is checked
 * against exactly one compiled schema, and an unknown type is named as such rather than as a
 * wall of union errors. The check allocates nothing for a valid event: it runs 10,000 times a batch.
 */
import type { TSchema } from '@sinclair/typebox';
import { compileValidator, type ValidationIssue, type Validator } from './validator.js';
import { InventoryMovement, InventorySnapshot, type InventoryEvent } from './inventory-event.js';

const movement = compileValidator(InventoryMovement);
const snapshot = compileValidator(InventorySnapshot);

/** The event types the hub accepts today. */
export const acceptedEventTypes = (): string[] => ['inventory.movement', 'inventory.snapshot'];

function validatorFor(value: unknown): Validator<TSchema> | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const type = (value as { type?: unknown }).type;
  return type === 'inventory.movement' ? movement : type === 'inventory.snapshot' ? snapshot : undefined;
}

/** True when `value` is a valid canonical event. */
export function isValidEvent(value: unknown): value is InventoryEvent {
  const validator = validatorFor(value);
  return validator !== undefined && validator.check(value);
}

/** Why `value` is not a valid event (call after isValidEvent said false). */
export function eventIssues(value: unknown): ValidationIssue[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [{ path: '/', message: 'must be an event object' }];
  const validator = validatorFor(value);
  if (!validator) return [{ path: '/type', message: `must be one of ${acceptedEventTypes().join(', ')}` }];
  return validator.issues(value);
}

export type EventCheck = { ok: true; event: InventoryEvent } | { ok: false; errors: ValidationIssue[] };

/** Both answers at once, for callers off the hot path. */
export function validateEvent(value: unknown): EventCheck {
  return isValidEvent(value) ? { ok: true, event: value } : { ok: false, errors: eventIssues(value) };
}
