/**
 * The bootstrap admin key: CROSSDOCK_ADMIN_KEY when set, otherwise the key kept in the data
 * directory (`admin.key`, readable by its owner only), generated on the first start. Keeping it
 * there means a restart does not invalidate what a person already pasted, and the CLI on the
 * same machine finds it by itself (interfaces/cli/command.ts).
 */
import { join } from 'node:path';
import { keptSecret } from './kept-secret.js';

export const ADMIN_KEY_FILE = 'admin.key';

export interface AdminKey {
  key: string;
  origin: 'environment' | 'data directory' | 'generated';
  path: string;
}

export function adminKeyFor(config: { adminKey?: string; dataDir: string }): AdminKey {
  const path = join(config.dataDir, ADMIN_KEY_FILE);
  if (config.adminKey) return { key: config.adminKey, origin: 'environment', path };
  const kept = keptSecret(path);
  return { key: kept.value, origin: kept.generated ? 'generated' : 'data directory', path };
}

/** The line a person starting the hub reads about the key. */
export function announceAdminKey(k: AdminKey): string | undefined {
  if (k.origin === 'generated')
    return `No CROSSDOCK_ADMIN_KEY set; generated the admin key ${k.key} and kept it in ${k.path} (owner-only); the CLI on this machine uses it by itself`;
  if (k.origin === 'data directory') return `Admin key from ${k.path} (set CROSSDOCK_ADMIN_KEY to use another)`;
  return undefined;
}
