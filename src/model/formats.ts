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

/** RFC 3339 date: YYYY-MM-DD. */
export function isDate(s: string): boolean {
  if (s.length < 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return false;
  if (!digit(s, 0) || !digit(s, 1) || !digit(s, 2) || !digit(s, 3) || !digit(s, 5) || !digit(s, 6) || !digit(s, 8) || !digit(s, 9)) return false;
  const month = num2(s, 5),
    day = num2(s, 8);
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/** RFC 3339 date-time: YYYY-MM-DDThh:mm:ss[.fraction](Z|±hh:mm). */
export function isDateTime(s: string): boolean {
  if (s.length < 20 || !isDate(s)) return false;
  const t = s.charCodeAt(10);
  if (t !== 84 && t !== 116 && t !== 32) return false;
  if (!digit(s, 11) || !digit(s, 12) || s.charCodeAt(13) !== 58 || !digit(s, 14) || !digit(s, 15) || s.charCodeAt(16) !== 58 || !digit(s, 17) || !digit(s, 18))
    return false;
  if (num2(s, 11) > 23 || num2(s, 14) > 59 || num2(s, 17) > 60) return false;
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

/**
 * Identifiers (sku, location, source, channel, event id): no whitespace or control character at
 * either end, where a copy-paste slip would otherwise make "ABC-100 " a second item.
 */
export function isIdentifier(s: string): boolean {
  const first = s.charCodeAt(0),
    last = s.charCodeAt(s.length - 1);
  return first > 32 && last > 32 && first !== 160 && last !== 160 && first !== 127 && last !== 127;
}

if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', isDateTime);
if (!FormatRegistry.Has('date')) FormatRegistry.Set('date', isDate);
if (!FormatRegistry.Has('identifier')) FormatRegistry.Set('identifier', isIdentifier);

/** The format name of identifiers, for schemas. */
export const IDENTIFIER_FORMAT = 'identifier';
