import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminKeyFor } from './admin-key.js';

test('the admin key is generated once into the data directory, owner-only, and kept; CROSSDOCK_ADMIN_KEY wins', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crossdock-key-'));
  const dataDir = join(dir, 'data');
  try {
    const first = adminKeyFor({ dataDir });
    assert.equal(first.origin, 'generated');
    assert.ok(first.key.length >= 32);
    assert.equal(statSync(first.path).mode & 0o777, 0o600);
    assert.equal(readFileSync(first.path, 'utf8').trim(), first.key);
    const again = adminKeyFor({ dataDir });
    assert.deepEqual([again.origin, again.key], ['data directory', first.key]);
    const fromEnv = adminKeyFor({ dataDir, adminKey: 'from-the-environment-0123' });
    assert.deepEqual([fromEnv.origin, fromEnv.key], ['environment', 'from-the-environment-0123']);
    // A key file copied in with loose permissions is tightened when read.
    writeFileSync(first.path, 'copied-by-hand-key-0123456789\n');
    chmodSync(first.path, 0o644);
    assert.equal(adminKeyFor({ dataDir }).key, 'copied-by-hand-key-0123456789');
    assert.equal(statSync(first.path).mode & 0o777, 0o600);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
