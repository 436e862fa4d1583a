/**
 * Validates one inbound event of any canonical type. Dispatches on `type` so each event is checked
 * against exactly one compiled schema, and an unknown type is named as such rather than as a
 * wall of union errors.
 */
import type { TSchema } from '@sinclair/typebox';
import { compileValidator, type ValidationIssue, type Validator } from './validator.js';
import { InventoryMovement, InventorySnapshot, type InventoryEvent } from './inventory-event.js';

const validators = new Map<string, Validator<TSchema>>([
  ['inventory.movement', compileValidator(InventoryMovement)],
  ['inventory.snapshot', compileValidator(InventorySnapshot)],
]);

/** The event types the hub accepts today. */
export const acceptedEventTypes = (): string[] => [...validators.keys()];

export type EventCheck = { ok: true; event: InventoryEvent } | { ok: false; errors: ValidationIssue[] };

export function validateEvent(value: unknown): EventCheck {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, errors: [{ path: '/', message: 'must be an event object' }] };
  }
  const type = (value as { type?: unknown }).type;
  const validator = typeof type === 'string' ? validators.get(type) : undefined;
  if (!validator) {
    return { ok: false, errors: [{ path: '/type', message: `must be one of ${acceptedEventTypes().join(', ')}` }] };
  }
  if (validator.check(value)) return { ok: true, event: value as InventoryEvent };
  return { ok: false, errors: validator.issues(value) };
}
