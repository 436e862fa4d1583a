import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadHubFile, loadHubConfig, ConfigError } from '../src/config/hub-config.js';
import { runCliSync, spawnHub, stopGracefully } from './support/hub-process.js';
import { tempDataDir, testConfig } from './support/test-hub.js';
import { ServiceUnavailableError, startScaleOutHub } from '../src/wiring/scale-out-hub.js';

test('a bad configuration names the file, line and field', () => {
  const dir = tempDataDir();
  try {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'locations:\n  DAL: { name: Dallas, authority: wms-dal }\nchannels:\n  web:\n    locations: [DAL]\n    safetyStock: lots\n');
    assert.throws(
      () => loadHubFile(file),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError);
        assert.equal(err.line, 6);
        assert.equal(err.field, 'channels.web.safetyStock');
        assert.match(err.message, /bad\.yaml:6: channels\.web\.safetyStock: /);
        return true;
      },
    );
    writeFileSync(file, 'locations: [unclosed\n');
    assert.throws(() => loadHubFile(file), /bad\.yaml:\d+: \(syntax\)/);
    const start = runCliSync(['start'], { CROSSDOCK_CONFIG: file, CROSSDOCK_DATA_DIR: dir });
    assert.equal(start.code, 78);
    assert.match(start.stderr, /configuration error/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the scale-out backend takes its settings from the environment and names what is missing or wrong', () => {
  const base = { CROSSDOCK_BACKEND: 'scale-out', DATABASE_URL: 'postgres://db/x', NATS_URL: 'nats://mq:4222' };
  const ok = loadHubConfig(base);
  assert.deepEqual(ok.scaleOut, { databaseUrl: 'postgres://db/x', natsUrl: 'nats://mq:4222', role: 'all', namespace: 'crossdock' });
  assert.equal(loadHubConfig({ ...base, CROSSDOCK_ROLE: 'worker', CROSSDOCK_NAMESPACE: 'east_1' }).scaleOut?.role, 'worker');
  const fails = (env: Record<string, string>, field: string) =>
    assert.throws(
      () => loadHubConfig(env),
      (err: unknown) => err instanceof ConfigError && err.field === field,
    );
  fails({ CROSSDOCK_BACKEND: 'scale-out', NATS_URL: 'nats://mq:4222' }, 'DATABASE_URL');
  fails({ CROSSDOCK_BACKEND: 'scale-out', DATABASE_URL: 'postgres://db/x' }, 'NATS_URL');
  fails({ ...base, CROSSDOCK_ROLE: 'boss' }, 'CROSSDOCK_ROLE');
  fails({ ...base, CROSSDOCK_NAMESPACE: 'Has-Dashes' }, 'CROSSDOCK_NAMESPACE');
  fails({ CROSSDOCK_BACKEND: 'cloud' }, 'CROSSDOCK_BACKEND');
});

test('a scale-out process takes EDI systems, and names the database it cannot reach', async () => {
  const config = {
    ...testConfig(tempDataDir(), {
      systems: { acme: { type: 'edi-x12', us: { qualifier: 'ZZ', id: 'US' }, partner: { qualifier: 'ZZ', id: 'ACME' } } },
    } as never),
    backend: 'scale-out' as const,
    scaleOut: { databaseUrl: 'postgres://nowhere.invalid/x', natsUrl: 'nats://nowhere.invalid:4222', role: 'all' as const, namespace: 'never_used' },
  };
  await assert.rejects(startScaleOutHub({ config, logger: false }), (err: unknown) => err instanceof ServiceUnavailableError && err.service === 'PostgreSQL');
});

test('the bundled demo configuration is valid', () => {
  const demo = fileURLToPath(new URL('../../config/demo.yaml', import.meta.url));
  const file = loadHubFile(demo);
  assert.ok(Object.keys(file.channels ?? {}).length >= 2);
});

test('the CLI ingests a file of events, answers availability, and explains usage errors', async () => {
  const dir = tempDataDir();
  const key = 'cli-admin-key-0123456789';
  const config = join(dir, 'hub.yaml');
  writeFileSync(config, 'locations:\n  DAL: { name: Dallas, authority: wms-dal }\nchannels:\n  web: { locations: [DAL] }\n');
  const hub = await spawnHub({ CROSSDOCK_DATA_DIR: join(dir, 'data'), CROSSDOCK_CONFIG: config, CROSSDOCK_ADMIN_KEY: key });
  try {
    const ndjson = [
      {
        id: 'c1',
        type: 'inventory.snapshot',
        source: 'wms-dal',
        seq: 1,
        occurredAt: '2026-11-22T10:00:00Z',
        sku: 'CLI-1',
        location: 'DAL',
        balance: { onHand: 12 },
      },
      {
        id: 'c2',
        type: 'inventory.movement',
        source: 'wms-dal',
        seq: 2,
        occurredAt: '2026-11-22T10:00:00Z',
        sku: 'CLI-1',
        location: 'DAL',
        reason: 'pick',
        delta: { onHand: -2 },
      },
      {
        id: 'c3',
        type: 'inventory.movement',
        source: 'wms-dal',
        seq: 3,
        occurredAt: 'not a time',
        sku: 'CLI-1',
        location: 'DAL',
        reason: 'pick',
        delta: { onHand: -2 },
      },
    ]
      .map((e) => JSON.stringify(e))
      .join('\n');
    const file = join(dir, 'events.ndjson');
    writeFileSync(file, ndjson);
    const env = { CROSSDOCK_URL: hub.url, CROSSDOCK_API_KEY: key };
    const ingest = spawnSync(process.execPath, [fileURLToPath(new URL('../../bin/crossdock.js', import.meta.url)), 'ingest', file], {
      env: { ...process.env, ...env },
      encoding: 'utf8',
    });
    assert.equal(ingest.status, 1, 'exit 1 when an event was rejected');
    assert.match(ingest.stdout, /accepted 2, duplicates 0, rejected 1/);
    assert.match(ingest.stdout, /event 2: \/occurredAt/);
    const lookup = spawnSync(
      process.execPath,
      [fileURLToPath(new URL('../../bin/crossdock.js', import.meta.url)), 'availability', 'CLI-1', '--channel', 'web'],
      { env: { ...process.env, ...env }, encoding: 'utf8' },
    );
    assert.equal(lookup.status, 0, lookup.stderr);
    assert.match(lookup.stdout, /CLI-1 on web: 10 available/);
    const usage = runCliSync(['availability', 'CLI-1'], env);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--channel/);
    assert.equal(runCliSync(['frobnicate']).code, 2);
  } finally {
    await stopGracefully(hub);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the layering check fails when domain code imports something that does I/O', () => {
  const dir = tempDataDir();
  try {
    mkdirSync(join(dir, 'scripts'));
    mkdirSync(join(dir, 'src', 'domain'), { recursive: true });
    const script = fileURLToPath(new URL('../../scripts/check-layers.mjs', import.meta.url));
    writeFileSync(join(dir, 'src', 'domain', 'ok.ts'), "import { x } from './other.js';\n");
    assert.equal(spawnSync(process.execPath, [script, '--root', dir], { encoding: 'utf8' }).status, 0);
    writeFileSync(join(dir, 'src', 'domain', 'bad.ts'), "import { readFileSync } from 'node:fs';\nimport { db } from '../adapters/sqlite/db.js';\n");
    const r = spawnSync(process.execPath, [script, '--root', dir], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /bad\.ts imports 'node:fs'/);
    assert.match(r.stderr, /bad\.ts imports \.\.\/adapters\/sqlite\/db\.js/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a marketplace system may leave out its marketplace id (the US marketplace is the default)', () => {
  const dir = tempDataDir();
  try {
    const file = join(dir, 'amazon.yaml');
    writeFileSync(
      file,
      "locations:\n  DAL: { name: Dallas, authority: wms-dal }\nchannels:\n  amazon: { locations: [DAL] }\nsystems:\n  amazon: { type: amazon-listings, url: 'http://127.0.0.1:3000', channel: amazon, sellerId: X }\n",
    );
    const loaded = loadHubFile(file);
    assert.equal((loaded.systems?.amazon as { type: string } | undefined)?.type, 'amazon-listings');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
