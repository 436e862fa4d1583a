/** The shape of a CLI subcommand, the error for a wrong invocation, and how commands find the hub they talk to. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { ADMIN_KEY_FILE } from '../../wiring/admin-key.js';

export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
}

export class CliUsageError extends Error {}

/** No hub answered at the URL a command tried. */
export class HubUnreachableError extends Error {
  constructor(
    readonly url: string,
    cause: unknown,
  ) {
    const why = (cause as { cause?: { code?: string } })?.cause?.code ?? (cause instanceof Error ? cause.message : String(cause));
    super(
      `no hub answered at ${url} (${why}). Start one with \`npm start\`, or point the CLI at yours with --url or CROSSDOCK_URL (and its key with --key or CROSSDOCK_API_KEY)`,
      { cause },
    );
    this.name = 'HubUnreachableError';
  }
}

/** The URL the last connection was resolved to, so a failed call can say which one it tried. */
let resolvedUrl: string | undefined;

/**
 * Connection settings for commands that talk to a running hub: --url, CROSSDOCK_URL, or the local
 * hub on PORT (8080); --key, CROSSDOCK_API_KEY, CROSSDOCK_ADMIN_KEY, or the admin key a local hub
 * keeps in its data directory (CROSSDOCK_DATA_DIR, ./data).
 */
export function hubConnection(
  values: { url?: string | undefined; key?: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
): { url: string; key: string } {
  const url = (values.url || env.CROSSDOCK_URL || `http://127.0.0.1:${env.PORT || 8080}`).replace(/\/$/, '');
  resolvedUrl = url;
  const keyFile = join(env.CROSSDOCK_DATA_DIR || './data', ADMIN_KEY_FILE);
  const key = values.key || env.CROSSDOCK_API_KEY || env.CROSSDOCK_ADMIN_KEY || readKeyFile(keyFile);
  if (!key) throw new CliUsageError(`no API key: pass --key, set CROSSDOCK_API_KEY, or run this where the hub keeps its data (${keyFile} was not found)`);
  return { url, key };
}

function readKeyFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** When `err` is a connection failure of fetch (nothing listening, unknown host), says which URL was tried. */
export function unreachable(err: unknown): HubUnreachableError | undefined {
  if (resolvedUrl === undefined || !(err instanceof TypeError) || err.message !== 'fetch failed') return undefined;
  return new HubUnreachableError(resolvedUrl, err);
}

/**
 * Who runs the CLI, sent with every write so the audit trail names the person as well as the key:
 * CROSSDOCK_OPERATOR, else the login name.
 */
export function operatorName(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CROSSDOCK_OPERATOR) return env.CROSSDOCK_OPERATOR;
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** One JSON call to the hub as the operator; a refusal throws with its status and detail. */
// biome-ignore lint/suspicious/noExplicitAny: commands read the API's JSON answers field by field, as the API documents them.
export async function callHub(method: string, path: string, values: { url?: string | undefined; key?: string | undefined }, body?: unknown): Promise<any> {
  const { url, key } = hubConnection(values);
  const res = await fetch(url + path, {
    method,
    headers: {
      authorization: `Bearer ${key}`,
      'x-crossdock-operator': operatorName(),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const answer = (await res.json()) as Record<string, unknown>;
  if (!res.ok) {
    const fields = Array.isArray(answer.errors)
      ? ` (${(answer.errors as { path: string; message: string }[]).map((e) => `${e.path}: ${e.message}`).join('; ')})`
      : '';
    throw new Error(`${res.status} ${String(answer.detail ?? '')}${fields}`);
  }
  return answer;
}
