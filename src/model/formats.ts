/**
 * String formats the canonical model uses, registered once with TypeBox so compiled validators
 * check them. Kept deliberately strict: an integration engineer should see a bad timestamp
 * rejected at the door, not discover it in a report a week later.
 */
import { FormatRegistry } from '@sinclair/typebox';

const DATE_TIME = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[Tt ]([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?([Zz]|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', (v) => DATE_TIME.test(v));
if (!FormatRegistry.Has('date')) FormatRegistry.Set('date', (v) => DATE.test(v));

/** Identifiers (sku, location, source, channel): printable, no whitespace at the ends. */
export const IDENTIFIER_PATTERN = '^[^\\s\\u0000-\\u001f](.*[^\\s\\u0000-\\u001f])?$';
