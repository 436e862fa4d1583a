/**
 * The bootstrap admin key: CROSSDOCK_ADMIN_KEY when set, otherwise the key kept in the data
 * directory (`admin.key`, readable by its owner only), generated on the first start. Keeping it
 * there means a restart does not invalidate what a person already pasted, and the CLI on the
 * same machine finds it by itself (interfaces/cli/command.ts).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const ADMIN_KEY_FILE = 'admin.key';

export interface AdminKey {
  key: string;
  origin: 'environment' | 'data directory' | 'generated';
  path: string;
}

export function adminKeyFor(config: { adminKey?: string; dataDir: string }): AdminKey {
  const path = join(config.dataDir, ADMIN_KEY_FILE);
  if (config.adminKey) return { key: config.adminKey, origin: 'environment', path };
  const kept = readKey(path);
  if (kept) return { key: kept, origin: 'data directory', path };
  const key = randomBytes(24).toString('base64url');
  mkdirSync(config.dataDir, { recursive: true });
  try {
    writeFileSync(path, `${key}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another process of the same data directory wrote it first: use that one.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { key: readKey(path)!, origin: 'data directory', path };
    throw err;
  }
  return { key, origin: 'generated', path };
}

function readKey(path: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  // A key copied in by hand may have come with wider permissions; it grants everything.
  chmodSync(path, 0o600);
  const key = text.trim();
  return key === '' ? undefined : key;
}

/** The line a person starting the hub reads about the key. */
export function announceAdminKey(k: AdminKey): string | undefined {
  if (k.origin === 'generated')
    return `No CROSSDOCK_ADMIN_KEY set; generated the admin key ${k.key} and kept it in ${k.path} (owner-only); the CLI on this machine uses it by itself`;
  if (k.origin === 'data directory') return `Admin key from ${k.path} (set CROSSDOCK_ADMIN_KEY to use another)`;
  return undefined;
}
