/**
 * The hub's API, called from the console with the signed-in key. Errors become sentences a person
 * can act on: what went wrong, then what to do, with the fields the hub named.
 */
import { currentKey } from './session';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly problem?: Problem,
  ) {
    super(message);
  }
}

export interface Problem {
  type?: string;
  title?: string;
  detail?: string;
  errors?: { path: string; message: string }[];
  requiredScope?: string;
  correlationId?: string;
}

export async function api<T>(method: string, path: string, body?: unknown, key: string | null = currentKey()): Promise<T> {
  const headers: Record<string, string> = {};
  if (key) headers.authorization = `Bearer ${key}`;
  let payload: string | undefined;
  if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['content-type'] = 'application/json';
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, ...(payload !== undefined ? { body: payload } : {}) });
  } catch {
    throw new ApiError('The hub did not answer. Check that it is running and reachable, then try again.', 0);
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  if (!res.ok) throw new ApiError(explain(res.status, parsed as Problem | undefined), res.status, parsed as Problem | undefined);
  return parsed as T;
}

/** A problem answer in words a person can act on. */
export function explain(status: number, p: Problem | undefined): string {
  const fields = p?.errors?.length ? ` ${p.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}.` : '';
  switch (status) {
    case 401:
      return 'The hub did not accept this key: it may be mistyped, revoked or expired. Sign in again with a current key.';
    case 403:
      return `This key may not do that${p?.requiredScope ? ` (it needs the '${p.requiredScope}' scope)` : ''}. Ask an administrator for a key with that scope.`;
    case 404:
      return `${p?.detail ?? 'Not found.'} Check the id and try again.`;
    case 429:
      return `${p?.detail ?? 'Too many requests.'} Wait a moment, then try again.`;
    case 503:
      return `${p?.detail ?? 'The hub is busy or a system behind it is unavailable.'} Try again shortly.`;
    default: {
      const detail = p?.detail ?? p?.title ?? `The hub answered ${status}.`;
      const ref = p?.correlationId ? ` (reference ${p.correlationId})` : '';
      return `${detail}${fields}${ref}`;
    }
  }
}

export const enc = encodeURIComponent;

/** A query string from the fields that are set. */
export function query(fields: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
