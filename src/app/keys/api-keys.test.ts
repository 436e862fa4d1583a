/**
 * API keys: the key ring a request is checked against (configured and stored keys, revocation,
 * expiry, the memory of keys seen) and the admin use cases over the embedded key store (SQLite
 * in memory): what a new key is stored as, what is refused and naming which field, revocation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../../adapters/sqlite/open-database.js';
import { SqliteApiKeyStore } from '../../adapters/sqlite/sqlite-api-key-store.js';
import { InvalidInputError, NotFoundError } from '../../domain/errors.js';
import type { ApiKeyInput } from '../../model/api-key.js';
import type { StoredApiKey } from '../../ports/api-key-store.js';
import { ApiKeys, keyDigest } from './api-keys.js';
import { ApiKeyAdmin } from './manage-api-keys.js';

const T0 = Date.parse('2026-12-06T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const sha = (k: string) => createHash('sha256').update(k).digest('base64');

function memoryStore(): SqliteApiKeyStore {
  const db = new Database(':memory:');
  for (const m of MIGRATIONS) db.exec(typeof m === 'string' ? m : `ALTER TABLE ${m.table} ADD COLUMN ${m.addColumn}`);
  return new SqliteApiKeyStore(db);
}

const stored = (id: string, key: string, over: Partial<StoredApiKey> = {}): StoredApiKey => ({
  id,
  name: `name-${id}`,
  digest: sha(key),
  prefix: key.slice(0, 10),
  scopes: ['orders:read'],
  createdAt: iso(T0),
  ...over,
});

test('the digest of a key is its SHA-256 in base64', () => {
  assert.equal(keyDigest('cdk_abc'), sha('cdk_abc'));
});

test('a configured key is found with its name and scopes; an unknown key is not', () => {
  const keys = new ApiKeys({ now: () => T0 });
  keys.add('erp', 'secret-erp', ['events:write', 'metrics']);
  const g = keys.find('secret-erp')!;
  assert.equal(g.id, 'config:erp');
  assert.equal(g.name, 'erp');
  assert.deepEqual([...g.scopes], ['events:write', 'metrics']);
  assert.equal(keys.find('secret-erp'), g, 'found again (remembered)');
  assert.equal(keys.find('nope'), undefined);
  assert.equal(keys.isConfiguredName('erp'), true);
  assert.equal(keys.isConfiguredName('shop'), false);
  assert.equal(keys.size, 1);
});

test('stored keys are found with their bindings, expiry and rate; revoked ones are not', () => {
  const clock = { t: T0 };
  const keys = new ApiKeys({ now: () => clock.t });
  keys.useStored([
    stored('k1', 'key-one', { channels: ['web'], systems: ['wms'], expiresAt: iso(T0 + 1000), ratePerMinute: 60, scopes: ['orders:read', 'orders:write'] }),
    stored('k2', 'key-two', { revokedAt: iso(T0) }),
    stored('k3', 'key-three'),
  ]);
  assert.equal(keys.size, 2);
  const g = keys.find('key-one')!;
  assert.deepEqual(
    { ...g, scopes: [...g.scopes], channels: [...g.channels!], systems: [...g.systems!] },
    { id: 'k1', name: 'name-k1', scopes: ['orders:read', 'orders:write'], channels: ['web'], systems: ['wms'], expiresAt: T0 + 1000, ratePerMinute: 60 },
  );
  const plain = keys.find('key-three')!;
  assert.deepEqual(Object.keys(plain).sort(), ['id', 'name', 'scopes']);
  assert.equal(keys.find('key-two'), undefined);
  clock.t = T0 + 999;
  assert.ok(keys.find('key-one'));
  clock.t = T0 + 1000;
  assert.equal(keys.find('key-one'), undefined, 'expired at its instant, even when remembered');
});

test('revoking a stored key stops it at once, though it was remembered; the same keys again change nothing', () => {
  const keys = new ApiKeys({ now: () => T0 });
  const k1 = stored('k1', 'key-one');
  keys.useStored([k1]);
  assert.ok(keys.find('key-one'));
  keys.useStored([{ ...k1, revokedAt: iso(T0) }]);
  assert.equal(keys.find('key-one'), undefined);
  assert.equal(keys.size, 0);
  // A new key under the same listing version is not missed: the version names ids and revocations.
  keys.useStored([k1, stored('k2', 'key-two')]);
  assert.ok(keys.find('key-one'));
  assert.ok(keys.find('key-two'));
});

test('reading the same stored keys again keeps what is held', () => {
  const keys = new ApiKeys({ now: () => T0 });
  const list = [stored('k1', 'key-one')];
  keys.useStored(list);
  keys.find('key-one');
  // Same ids and revocations: nothing re-read, even if the digest given changed.
  keys.useStored([{ ...list[0]!, digest: sha('other') }]);
  assert.ok(keys.find('key-one'));
  assert.equal(keys.find('other'), undefined);
});

test('adding a configured key forgets the remembered ones, so a key replaced by configuration is checked anew', () => {
  const keys = new ApiKeys({ now: () => T0 });
  keys.useStored([stored('k1', 'key-one')]);
  assert.equal(keys.find('key-one')!.id, 'k1');
  keys.add('ops', 'key-one', ['admin']);
  assert.equal(keys.find('key-one')!.id, 'config:ops', 'a configured key wins over a stored one with the same digest');
});

test('the memory of keys seen is bounded: past its limit it starts again, and keys still match', () => {
  const keys = new ApiKeys({ now: () => T0 });
  const many = Array.from({ length: 1030 }, (_, i) => stored(`k${i}`, `key-${i}`));
  keys.useStored(many);
  for (let i = 0; i < 1030; i++) assert.equal(keys.find(`key-${i}`)!.id, `k${i}`);
  for (let i = 0; i < 1030; i++) assert.equal(keys.find(`key-${i}`)!.id, `k${i}`);
});

test('a key without a clock uses the time of day', () => {
  const keys = new ApiKeys();
  keys.useStored([stored('k1', 'old', { expiresAt: iso(Date.now() - 1000) }), stored('k2', 'new', { expiresAt: iso(Date.now() + 3_600_000) })]);
  assert.equal(keys.find('old'), undefined);
  assert.ok(keys.find('new'));
});

// The admin use cases.

function admin(channels: string[] = ['web', 'b2b']) {
  const store = memoryStore();
  const keys = new ApiKeys({ now: () => T0 });
  keys.add('bootstrap', 'admin-secret', ['admin']);
  const a = new ApiKeyAdmin({ store, keys, clock: { now: () => T0 }, channelExists: (c) => channels.includes(c) });
  return { a, store, keys };
}

const input = (over: Partial<ApiKeyInput> = {}): ApiKeyInput => ({ name: 'shop', scopes: ['orders:read'], ...over });

test('a new key is shown once, stored as its digest with its bindings, and works at once', async () => {
  const { a, store, keys } = admin();
  const created = await a.create(input({ channels: ['web'], expiresAt: '2026-12-07T00:00:00Z', ratePerMinute: 120, scopes: ['orders:read', 'orders:write'] }));
  assert.match(created.key, /^cdk_[A-Za-z0-9_-]{32}$/);
  assert.match(created.id, /^key_[0-9a-f]{16}$/);
  assert.deepEqual(created, {
    id: created.id,
    name: 'shop',
    prefix: created.key.slice(0, 10),
    scopes: ['orders:read', 'orders:write'],
    channels: ['web'],
    expiresAt: '2026-12-07T00:00:00.000Z',
    ratePerMinute: 120,
    createdAt: iso(T0),
    status: 'active',
    key: created.key,
  });
  const [saved] = store.keys();
  assert.equal(saved!.digest, sha(created.key));
  assert.equal(saved!.prefix, created.key.slice(0, 10));
  assert.equal(JSON.stringify(store.keys()).includes(created.key), false, 'the key itself is never stored');
  assert.equal(keys.find(created.key)!.id, created.id);
  const other = await a.create(input({ name: 'wms', scopes: ['events:write'], systems: ['wms-dal'] }));
  assert.deepEqual(other.systems, ['wms-dal']);
  assert.notEqual(other.key, created.key);
  assert.notEqual(other.id, created.id);
  assert.deepEqual(
    Object.keys(store.keys().find((k) => k.name === 'wms')!)
      .filter((k) => !['id', 'name', 'digest', 'prefix', 'scopes', 'createdAt'].includes(k))
      .sort(),
    ['systems'],
  );
});

test('a key needs a name not in force: configured names and active keys are taken; a revoked or expired one frees it', async () => {
  const { a, store } = admin();
  const refused = (name: string) => (e: unknown) =>
    e instanceof InvalidInputError &&
    e.message === 'The key cannot be created as asked.' &&
    JSON.stringify(e.issues) === JSON.stringify([{ path: '/name', message: `a key named '${name}' is in force; revoke it first or choose another name` }]);
  await assert.rejects(a.create(input({ name: 'bootstrap' })), refused('bootstrap'));
  const first = await a.create(input());
  await assert.rejects(a.create(input()), refused('shop'));
  await a.revoke(first.id);
  await a.create(input());
  store.saveKey(stored('old', 'x', { name: 'expired-one', expiresAt: iso(T0) }));
  await a.create(input({ name: 'expired-one' }));
});

test('a bound key may hold only the scopes its bindings narrow, each bad scope named', async () => {
  const { a } = admin();
  await assert.rejects(
    a.create(input({ channels: ['web'], scopes: ['orders:read', 'admin', 'events:write'] })),
    (e: unknown) =>
      e instanceof InvalidInputError &&
      JSON.stringify(e.issues) ===
        JSON.stringify([
          { path: '/scopes/1', message: "a key bound to channels may hold only availability:read, orders:read, orders:write; 'admin' reaches beyond them" },
          {
            path: '/scopes/2',
            message: "a key bound to channels may hold only availability:read, orders:read, orders:write; 'events:write' reaches beyond them",
          },
        ]),
  );
  await assert.rejects(
    a.create(input({ systems: ['wms'], scopes: ['orders:read'] })),
    (e: unknown) =>
      e instanceof InvalidInputError &&
      e.issues[0]!.path === '/scopes/0' &&
      e.issues[0]!.message === "a key bound to systems may hold only events:write; 'orders:read' reaches beyond them",
  );
  await assert.rejects(
    a.create(input({ systems: ['wms'], channels: ['web'], scopes: ['metrics'] })),
    (e: unknown) =>
      e instanceof InvalidInputError &&
      e.issues[0]!.message ===
        "a key bound to channels and systems may hold only availability:read, orders:read, orders:write, events:write; 'metrics' reaches beyond them",
  );
  await a.create(input({ systems: ['wms'], channels: ['web'], scopes: ['events:write', 'orders:read'] }));
  await a.create(input({ name: 'unbound', scopes: ['admin'] }));
});

test('a key bound to channels names each channel not defined; an expiry must be in the future', async () => {
  const { a } = admin();
  await assert.rejects(
    a.create(input({ channels: ['web', 'nope', 'gone'] })),
    (e: unknown) =>
      e instanceof InvalidInputError &&
      JSON.stringify(e.issues) ===
        JSON.stringify([
          { path: '/channels/1', message: "channel 'nope' is not defined" },
          { path: '/channels/2', message: "channel 'gone' is not defined" },
        ]),
  );
  await assert.rejects(
    a.create(input({ expiresAt: iso(T0) })),
    (e: unknown) =>
      e instanceof InvalidInputError &&
      JSON.stringify(e.issues) === JSON.stringify([{ path: '/expiresAt', message: `must be in the future (it is ${iso(T0)} now)` }]),
  );
  assert.equal((await a.create(input({ expiresAt: iso(T0 + 1) }))).expiresAt, iso(T0 + 1));
});

test('listing shows every key with its status and never its digest; revoking answers the revoked key and stops it', async () => {
  const { a, store, keys } = admin();
  const one = await a.create(input());
  store.saveKey(stored('old', 'x', { name: 'old', expiresAt: iso(T0), createdAt: iso(T0 + 1) }));
  const listed = await a.list();
  assert.deepEqual(
    listed.map((k) => [k.id, k.status, 'digest' in k]),
    [
      [one.id, 'active', false],
      ['old', 'expired', false],
    ],
  );
  const revoked = await a.revoke(one.id);
  assert.equal(revoked.status, 'revoked');
  assert.equal(revoked.revokedAt, iso(T0));
  assert.equal('digest' in revoked, false);
  assert.equal(keys.find(one.key), undefined);
  await assert.rejects(a.revoke('key_missing'), (e: unknown) => e instanceof NotFoundError && e.message === "API key 'key_missing' does not exist.");
});

test('refresh reads keys another process created or revoked', async () => {
  const { a, store, keys } = admin();
  store.saveKey(stored('elsewhere', 'made-elsewhere'));
  assert.equal(keys.find('made-elsewhere'), undefined);
  await a.refresh();
  assert.ok(keys.find('made-elsewhere'));
  store.revokeKey('elsewhere', iso(T0));
  await a.refresh();
  assert.equal(keys.find('made-elsewhere'), undefined);
});
