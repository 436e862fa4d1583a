/**
 * Mutations for the fuzz suite: structure-aware ones for JSON values (a field removed, replaced by
 * an odd value, nested deep, duplicated...) and byte-level ones for texts (truncated, a byte flipped,
 * invalid UTF-8 inserted, X12 separators or delimiters where data belongs). Odd values come from
 * fast-check arbitraries sampled once from the run's seed; choices come from a seeded generator, so
 * a run is reproduced by its seed.
 */
import fc from 'fast-check';

/** mulberry32: small, fast and seedable. */
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

const EDGE_STRINGS = [
  '',
  ' ',
  ' ABC-100',
  'ABC-100 ',
  '\u00a0',
  '\ud800',
  'a\udc00b',
  '\u0000',
  'x\u0000y',
  '\u001f',
  '\u007f',
  '\u200b',
  '\ufeff',
  '😀',
  'e\u0301',
  '~*^|>:',
  'ISA*00*',
  'SE*1*0001~',
  '"quoted"',
  'a,b\r\nc',
  'tab\there',
  '../../etc/passwd',
  '%00',
  '__proto__',
  'constructor',
  'x'.repeat(201),
  '😀'.repeat(101),
  '2026-02-31T10:00:00Z',
  '2026-11-22T23:59:60Z',
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59-23:59',
  '2026-11-22T10:00:00',
  '2026-11-22',
  '1e400',
  'NaN',
];
const EDGE_NUMBERS = [
  0,
  -0,
  -1,
  1,
  0.5,
  -1e-300,
  1e21,
  1e308,
  -1e308,
  1_000_000_000,
  1_000_000_001,
  -1_000_000_000,
  -1_000_000_001,
  2 ** 31,
  2 ** 53 - 1,
  2 ** 53,
  2 ** 53 + 2,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
];

/** A pool of odd values drawn from fast-check arbitraries, plus hand-picked edges. */
export function oddValues(seed: number, size = 3000): unknown[] {
  const arbitrary = fc.oneof(
    fc.jsonValue({ maxDepth: 4 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.string({ unit: fc.constantFrom('\u0000', '\ud800', '\udfff', '\u0085', '\u2028', '~', '*', '|', '\t', '\r', '\n', '"', '\\', 'a'), maxLength: 12 }),
    fc.integer(),
    fc.double(),
    fc.bigInt().map((b) => Number(b)),
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    fc.constantFrom(...EDGE_STRINGS),
    fc.constantFrom(...EDGE_NUMBERS),
    fc.constantFrom(null, true, false, [], {}, [[[]]]),
  );
  return [...EDGE_STRINGS, ...EDGE_NUMBERS, ...fc.sample(arbitrary, { seed, numRuns: size })];
}

const deep = (levels: number, leaf: unknown): unknown => {
  let v = leaf;
  for (let i = 0; i < levels; i++) v = [v];
  return v;
};

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path to a value inside `value` (object keys and array indexes). */
function paths(value: unknown, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(value)) for (const [i, v] of value.entries()) paths(v, [...at, i], out);
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) paths(v, [...at, k], out);
  return out;
}

function setAt(root: Json, path: (string | number)[], make: (old: Json) => Json | undefined): Json {
  if (path.length === 0) return make(root) ?? null;
  const parent = path.slice(0, -1).reduce<Json>((v, k) => (v as Record<string, Json>)[k as string]!, root) as Record<string | number, Json> | Json[];
  const key = path[path.length - 1]!;
  const next = make((parent as Record<string | number, Json>)[key]!);
  if (next === undefined) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete (parent as Record<string | number, Json>)[key];
  } else (parent as Record<string | number, Json>)[key] = next;
  return root;
}

/** One structure-aware mutation of a JSON value (a deep copy is changed; `value` is left alone). */
export function mutateJson(value: unknown, random: Random, odd: readonly unknown[]): unknown {
  const copy = JSON.parse(JSON.stringify(value)) as Json;
  const targets = paths(copy);
  const path = random.pick(targets);
  switch (random.int(9)) {
    case 0:
      return setAt(copy, path, () => undefined);
    case 1:
    case 2:
    case 3:
      return setAt(copy, path, () => random.pick(odd) as Json);
    case 4:
      return setAt(copy, path, (old) => deep(random.pick([2, 31, 33, 200, 1000]), old) as Json);
    case 5:
      return setAt(copy, path, (old) => (typeof old === 'string' ? old + random.pick(odd as Json[]) : typeof old === 'number' ? -old : old));
    case 6: {
      const container = path.length === 0 ? copy : setAt(copy, path, (old) => old);
      if (container && typeof container === 'object' && !Array.isArray(container)) {
        const key = String(random.pick(odd));
        (container as Record<string, Json>)[key] = random.chance(0.1) ? 'z'.repeat(70_000) : (random.pick(odd) as Json);
      }
      return copy;
    }
    case 7:
      return setAt(copy, path, (old) => (typeof old === 'number' ? old + random.pick([1, -1, 0.5, 1e9, 2 ** 53]) : old));
    default:
      return setAt(copy, path, (old) => (typeof old === 'string' ? old.slice(0, random.int(old.length + 1)) : JSON.stringify(old)));
  }
}

/** One byte-level mutation of a text as sent (the result may not be valid UTF-8 or JSON). */
export function mutateBytes(text: string, random: Random, alphabet: readonly string[] = ['~', '*', '|', '\t', ',', '\r\n', '"', '\\']): Buffer {
  const bytes = Buffer.from(text);
  const at = random.int(bytes.length + 1);
  switch (random.int(7)) {
    case 0:
      return bytes.subarray(0, at);
    case 1: {
      const copy = Buffer.from(bytes);
      if (copy.length > 0) copy[Math.min(at, copy.length - 1)] = random.int(256);
      return copy;
    }
    case 2:
      return Buffer.concat([
        bytes.subarray(0, at),
        Buffer.from(random.pick([[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc0, 0xaf], [0x00]])),
        bytes.subarray(at),
      ]);
    case 3:
      return Buffer.concat([bytes.subarray(0, at), Buffer.from(random.pick(alphabet)), bytes.subarray(at)]);
    case 4: {
      const end = Math.min(bytes.length, at + random.int(40));
      return Buffer.concat([bytes.subarray(0, at), bytes.subarray(end)]);
    }
    case 5: {
      const end = Math.min(bytes.length, at + random.int(200));
      return Buffer.concat([bytes.subarray(0, end), bytes.subarray(at, end), bytes.subarray(end)]);
    }
    default:
      return Buffer.concat([bytes.subarray(0, at), Buffer.from(String(random.pick(EDGE_STRINGS))), bytes.subarray(at)]);
  }
}

/** Replaces one element of one segment of an X12 text (keeping its separators) by an odd value. */
export function mutateX12(text: string, random: Random, odd: readonly unknown[]): string {
  if (text.length < 106 || !text.startsWith('ISA')) return text;
  const element = text[3]!;
  const terminator = text[105]!;
  const segments = text.split(terminator);
  const i = random.int(segments.length);
  const parts = segments[i]!.split(element);
  const j = random.int(parts.length);
  switch (random.int(4)) {
    case 0:
      parts[j] = String(random.pick(odd));
      break;
    case 1:
      parts[j] = String(random.pick([0, -1, 1e9, 1e12, 2 ** 53, 0.5, '1e3', 'NaN', '']));
      break;
    case 2:
      segments.splice(i, 1);
      return segments.join(terminator);
    default:
      segments.splice(i, 0, segments[i]!);
      return segments.join(terminator);
  }
  segments[i] = parts.join(element);
  return segments.join(terminator);
}

/** Replaces one cell of a delimited text by an odd value (quoted or not), or drops or repeats a line. */
export function mutateDelimited(text: string, random: Random, odd: readonly unknown[], delimiter = '\t'): string {
  const lines = text.split('\r\n');
  const i = random.int(lines.length);
  const cells = lines[i]!.split(delimiter);
  const j = random.int(cells.length);
  switch (random.int(4)) {
    case 0:
      cells[j] = String(random.pick(odd));
      break;
    case 1:
      cells[j] = String(random.pick([-1, 1e9, 1e10, 2 ** 53, 0.5, '1e3', 'seven', '', '"5"', '"unterminated']));
      break;
    case 2:
      lines.splice(i, 1);
      return lines.join('\r\n');
    default:
      lines.splice(i, 0, lines[i]!);
      return lines.join('\r\n');
  }
  lines[i] = cells.join(delimiter);
  return lines.join('\r\n');
}
