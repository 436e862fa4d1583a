/**
 * A secret kept in a file of the data directory, readable by its owner only, generated on first
 * use: the admin key (admin-key.ts) and the demo's webhook secrets. Every data directory has its
 * own, so no installation shares a secret with another or with the published code.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** The secret in `path`, or a new one written there (mode 0600). `generated` says which. */
export function keptSecret(path: string): { value: string; generated: boolean } {
  const kept = readSecret(path);
  if (kept) return { value: kept, generated: false };
  const value = randomBytes(24).toString('base64url');
  mkdirSync(dirname(path), { recursive: true });
  try {
    writeFileSync(path, `${value}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another process of the same data directory wrote it first: use that one.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { value: readSecret(path)!, generated: false };
    throw err;
  }
  return { value, generated: true };
}

/** The secret kept in `path`, or undefined when there is none. */
export function readSecret(path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  // A file copied in by hand may have come with wider permissions.
  chmodSync(path, 0o600);
  const value = text.trim();
  return value === '' ? undefined : value;
}
