/**
 * Request bodies are read as bytes and decoded strictly: a body that is not valid UTF-8 is
 * refused (400 invalid_utf8) rather than decoded with replacement characters, which would let
 * distinct ids (and distinct signed webhook bodies) collide into one string. Valid UTF-8 decodes
 * to a string whose UTF-8 encoding is the same bytes (a byte order mark is kept), so checks over
 * the raw body, such as webhook signatures, still see exactly what was sent.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpProblem } from './problem.js';

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

type Done = (err: Error | null, body?: unknown) => void;

/** The body as text; throws HttpProblem 400 naming the first byte that is not UTF-8. */
export function decodeUtf8Body(bytes: Buffer): string {
  let text: string;
  try {
    text = strict.decode(bytes);
  } catch {
    const at = firstInvalidByte(bytes);
    return invalid(`byte ${at} (0x${(bytes[at] ?? 0).toString(16).padStart(2, '0')}) is not part of a valid UTF-8 sequence`);
  }
  // Valid UTF-8 but not storable: PostgreSQL text cannot hold U+0000, and webhook bodies are kept as sent.
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    const message = `byte ${nul} is U+0000 (NUL), which no JSON text carries raw`;
    throw new HttpProblem(400, 'invalid_input', 'Invalid input', `The request body is not valid: ${message}.`, { errors: [{ path: '/', message }] });
  }
  return text;
}

function invalid(message: string): never {
  throw new HttpProblem(400, 'invalid_utf8', 'Body is not UTF-8', `The request body is not valid UTF-8: ${message}. Send JSON encoded as UTF-8.`, {
    errors: [{ path: '/', message }],
  });
}

/** Offset of the first byte that does not start or continue a well-formed UTF-8 sequence (RFC 3629). */
export function firstInvalidByte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const length = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length === 0 || i + length > bytes.length) return i;
    // The second byte's range excludes overlong forms, surrogates and code points above U+10FFFF.
    const low = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    const high = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k < length; k++) {
      const c = bytes[i + k]!;
      if (c < (k === 1 ? low : 0x80) || c > (k === 1 ? high : 0xbf)) return i;
    }
    i += length;
  }
  return bytes.length;
}

const wellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();
const NUL = 'must not contain the character U+0000 (NUL)';
const LONE_SURROGATE = 'must be well-formed Unicode (no lone UTF-16 surrogate)';

/**
 * The first string or key in `value` that the stores cannot hold, with why: U+0000, or (when
 * `surrogates`) a lone UTF-16 surrogate. PostgreSQL text and jsonb refuse both, so on the scale-out
 * backend such a value failed its whole write (and every request sharing its transaction, or the
 * worker applying the log); both backends refuse it at the edge alike.
 */
export function unstorableTextAt(value: unknown, surrogates: boolean, path = ''): { path: string; message: string } | undefined {
  const check = (s: string, at: string) =>
    s.includes('\u0000') ? { path: at || '/', message: NUL } : surrogates && !wellFormed(s) ? { path: at || '/', message: LONE_SURROGATE } : undefined;
  if (typeof value === 'string') return check(value, path);
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, inner] of Object.entries(value)) {
    const at = `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    const found = check(key, at) ?? unstorableTextAt(inner, surrogates, at);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Only a \u escape can put U+0000 or a surrogate into valid UTF-8 JSON text. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/**
 * Throws HttpProblem 400 when the JSON text carries U+0000 (or, when `surrogates`, a lone
 * surrogate) in a string or key; cheap when the text has no such escape.
 */
export function refuseUnstorableText(text: string, parsed: () => unknown, surrogates: boolean): void {
  if (!text.includes('\\u0000') && !(surrogates && SURROGATE_ESCAPE.test(text))) return;
  let value: unknown;
  try {
    value = parsed();
  } catch {
    return; // not JSON: whoever parses it refuses it
  }
  const found = unstorableTextAt(value, surrogates);
  if (found === undefined) return;
  throw new HttpProblem(400, 'invalid_input', 'Invalid input', 'The request body is not valid.', { errors: [found] });
}

/** A JSON body parser that refuses invalid UTF-8 and text the stores cannot hold, then parses as `parse` says. */
export function strictJsonParser(
  parse: (request: FastifyRequest, text: string, done: Done) => void,
  /** False where each item is validated on its own later (event batches refuse lone surrogates per event). */
  refuseLoneSurrogates = true,
): (request: FastifyRequest, body: Buffer, done: Done) => void {
  return (request, body, done) => {
    let text: string;
    try {
      text = decodeUtf8Body(body);
      refuseUnstorableText(text, () => JSON.parse(text), refuseLoneSurrogates);
    } catch (err) {
      done(err as Error);
      return;
    }
    parse(request, text, done);
  };
}

/** Replaces Fastify's JSON parser on `app` (and the scopes registered in it) by its own behind the strict decoding. */
export function refuseInvalidUtf8(app: FastifyInstance): void {
  const fastifyJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, strictJsonParser(fastifyJson as (r: FastifyRequest, t: string, d: Done) => void));
}
