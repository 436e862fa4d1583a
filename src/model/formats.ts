/**
 * String formats the canonical model uses, registered once with TypeBox so compiled validators
 * check them. Written as character scans rather than regular expressions: they run for every
 * field of every event, and a batch holds 10,000 events.
 */
import { FormatRegistry } from '@sinclair/typebox';

const digit = (s: string, i: number) => {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
};
const num2 = (s: string, i: number) => (s.charCodeAt(i) - 48) * 10 + (s.charCodeAt(i + 1) - 48);

/** Days in a month of the Gregorian calendar (month 1-12). */
function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** RFC 3339 date: YYYY-MM-DD, a day the calendar has (no February 30, no 31st of April). */
export function isDate(s: string): boolean {
  if (s.length < 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return false;
  if (!digit(s, 0) || !digit(s, 1) || !digit(s, 2) || !digit(s, 3) || !digit(s, 5) || !digit(s, 6) || !digit(s, 8) || !digit(s, 9)) return false;
  const year = num2(s, 0) * 100 + num2(s, 2),
    month = num2(s, 5),
    day = num2(s, 8);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month);
}

/**
 * RFC 3339 date-time: YYYY-MM-DDThh:mm:ss[.fraction](Z|±hh:mm), a real calendar date and time.
 * The leap second RFC 3339 allows (ss = 60) is refused: JavaScript's Date cannot hold it, and a
 * value accepted here that the stores cannot convert would fail the commit of everyone's events.
 */
export function isDateTime(s: string): boolean {
  if (!isDateTimeText(s)) return false;
  // Only the first and last years can leave the range once the offset is applied.
  const year = s.charCodeAt(0) === 48 && s.charCodeAt(1) === 48 && s.charCodeAt(2) === 48 && s.charCodeAt(3) <= 49;
  return (!year && !s.startsWith('9999')) || inStorableRange(s);
}

/**
 * The instants both stores can hold: PostgreSQL has no year 0 and JavaScript writes years past
 * 9999 as "+010000-…", which PostgreSQL cannot read; a value outside failed the request (500) on
 * the scale-out backend. So the instant, in UTC, must fall in the years 0001-9999.
 */
const FIRST_MS = Date.parse('0001-01-01T00:00:00Z');
const LAST_MS = Date.parse('9999-12-31T23:59:59.999Z');
function inStorableRange(s: string): boolean {
  const ms = Date.parse(s.replace(/^(.{10})[ t]/, '$1T'));
  return ms >= FIRST_MS && ms <= LAST_MS;
}

function isDateTimeText(s: string): boolean {
  if (s.length < 20 || !isDate(s)) return false;
  const t = s.charCodeAt(10);
  if (t !== 84 && t !== 116 && t !== 32) return false;
  if (!digit(s, 11) || !digit(s, 12) || s.charCodeAt(13) !== 58 || !digit(s, 14) || !digit(s, 15) || s.charCodeAt(16) !== 58 || !digit(s, 17) || !digit(s, 18))
    return false;
  if (num2(s, 11) > 23 || num2(s, 14) > 59 || num2(s, 17) > 59) return false;
  let i = 19;
  if (s.charCodeAt(i) === 46) {
    i++;
    const start = i;
    while (i < s.length && digit(s, i)) i++;
    if (i === start) return false;
  }
  const z = s.charCodeAt(i);
  if (z === 90 || z === 122) return i + 1 === s.length;
  if ((z !== 43 && z !== 45) || i + 6 !== s.length) return false;
  return digit(s, i + 1) && digit(s, i + 2) && s.charCodeAt(i + 3) === 58 && digit(s, i + 4) && digit(s, i + 5) && num2(s, i + 1) <= 23 && num2(s, i + 4) <= 59;
}

/** String.prototype.isWellFormed (ES2024, in Node 20), which the ES2022 library types lack. */
const wellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

/**
 * Text stored and compared as sent (event ids, order numbers): well-formed Unicode. A lone
 * UTF-16 surrogate is written to the database as U+FFFD, so two distinct ids would collide there;
 * U+0000 PostgreSQL cannot store at all (a stock file's SKU carrying it stalled the scale-out worker).
 */
export function isWellFormedText(s: string): boolean {
  return wellFormed(s) && !s.includes('\u0000');
}

/**
 * The characters an identifier may not carry anywhere, because the formats the hub writes
 * reserve them: the X12 delimiters the hub writes with (`*` element, `~` segment, `>` component,
 * `^` repetition) and every control character (C0, DEL, C1, and the Unicode line and paragraph
 * separators), which end lines, records and segments in one format or another. X12 has no
 * escape, so a value carrying one could only be refused when the document is written, long
 * after its sender was answered.
 */
export const RESERVED_CHARACTERS = '* ~ > ^';

/** The index of the first reserved character in `s`, or -1. */
export function reservedCharacterAt(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c === 127 || (c >= 0x80 && c <= 0x9f) || c === 0x2028 || c === 0x2029) return i;
    if (c === 42 || c === 126 || c === 62 || c === 94) return i;
  }
  return -1;
}

/**
 * Identifiers (sku, location, source, channel, customer, order id): well-formed Unicode, no
 * whitespace or control character at either end, where a copy-paste slip would otherwise make
 * "ABC-100 " a second item, and no reserved character anywhere (RESERVED_CHARACTERS).
 */
export function isIdentifier(s: string): boolean {
  const first = s.charCodeAt(0),
    last = s.charCodeAt(s.length - 1);
  return first > 32 && last > 32 && first !== 160 && last !== 160 && wellFormed(s) && reservedCharacterAt(s) < 0;
}

/**
 * References other systems print on their documents (a channel's order number, an invoice or
 * tracking number): well-formed Unicode with no reserved character (RESERVED_CHARACTERS).
 */
export function isReference(s: string): boolean {
  return wellFormed(s) && reservedCharacterAt(s) < 0;
}

if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', isDateTime);
if (!FormatRegistry.Has('date')) FormatRegistry.Set('date', isDate);
if (!FormatRegistry.Has('identifier')) FormatRegistry.Set('identifier', isIdentifier);
if (!FormatRegistry.Has('well-formed')) FormatRegistry.Set('well-formed', isWellFormedText);
if (!FormatRegistry.Has('reference')) FormatRegistry.Set('reference', isReference);

/** The format name of identifiers, for schemas. */
export const IDENTIFIER_FORMAT = 'identifier';
/** The format name of other text kept and compared as sent (event ids, order numbers). */
export const WELL_FORMED_FORMAT = 'well-formed';
/** The format name of references printed on other systems' documents (order, invoice and tracking numbers). */
export const REFERENCE_FORMAT = 'reference';
