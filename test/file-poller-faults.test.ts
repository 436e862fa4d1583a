/**
 * The stock-file poller against faults a real folder shows, raced deterministically: a file taken
 * away between the listing and its reading (as an SFTP upload renames its temporary file) is
 * skipped and counted; an entry that cannot even be moved to failed/ is reported once and stops
 * no scan, in this poller or in a new one over the same folder (a restart).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CsvFileDrop } from '../src/connectors/csv-file/csv-file-drop.js';
import type { FileFault } from '../src/connectors/folder-inbox.js';

function poller(folder: string, taken: string[], faults: FileFault[], duringIngest: () => void = () => {}) {
  return new CsvFileDrop({
    id: '3pl',
    folder,
    pollMs: 1000,
    // These races are about reading and moving; completeness has its own tests (file-intake.test.ts).
    settleMs: 0,
    source: '3pl',
    location: 'RNO',
    delimiter: ',',
    columns: { sku: 'sku', onHand: 'qty' },
    unitFactor: 1,
    ingest: async (events) => {
      taken.push(...(events as { sku: string }[]).map((e) => e.sku));
      duringIngest();
      return { accepted: events.length, duplicates: 0, rejected: [], parked: [], position: 1 };
    },
    log: () => {},
    fault: (f) => faults.push(f),
    now: () => Date.parse('2026-11-22T10:00:00Z'),
  });
}

test('a file taken away between listing and reading is skipped and counted, and the files after it are taken', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'crossdock-poller-'));
  try {
    const taken: string[] = [];
    const faults: FileFault[] = [];
    // The first file's ingest removes the second: the listing named it, the reading finds it gone.
    const drop = poller(folder, taken, faults, () => {
      if (existsSync(join(folder, 'b.csv'))) unlinkSync(join(folder, 'b.csv'));
    });
    writeFileSync(join(folder, 'a.csv'), 'sku,qty\nA,1\n');
    writeFileSync(join(folder, 'b.csv'), 'sku,qty\nB,2\n');
    writeFileSync(join(folder, 'c.csv'), 'sku,qty\nC,3\n');
    await drop.scan();
    assert.deepEqual(taken, ['A', 'C']);
    assert.deepEqual(
      faults.map((f) => [f.file, f.fault]),
      [['b.csv', 'vanished']],
    );
    assert.ok(existsSync(join(folder, 'processed', 'c.csv')));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('an entry that cannot be set aside is reported once and stops no scan, before or after a restart', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'crossdock-poller-'));
  try {
    const faults: FileFault[] = [];
    const taken: string[] = [];
    let drop = poller(folder, taken, faults);
    // failed/ is a file, not a folder, so the dangling link cannot be moved there (nor under another name).
    const obstruct = () => {
      rmSync(join(folder, 'failed'), { recursive: true, force: true });
      writeFileSync(join(folder, 'failed'), '');
    };
    obstruct();
    symlinkSync(join(folder, 'nowhere.csv'), join(folder, 'a-link.csv'));
    writeFileSync(join(folder, 'b.csv'), 'sku,qty\nB,2\n');
    await drop.scan();
    writeFileSync(join(folder, 'c.csv'), 'sku,qty\nC,3\n');
    await drop.scan();
    assert.deepEqual(taken, ['B', 'C']);
    const linkFaults = () => faults.filter((f) => f.file === 'a-link.csv').map((f) => f.fault);
    assert.deepEqual(linkFaults(), ['stuck']);
    // A restart: a new poller over the same folder reports the link again, once, and takes the next file.
    rmSync(join(folder, 'failed'));
    drop = poller(folder, taken, faults);
    obstruct();
    writeFileSync(join(folder, 'd.csv'), 'sku,qty\nD,4\n');
    await drop.scan();
    await drop.scan();
    assert.deepEqual(taken, ['B', 'C', 'D']);
    assert.deepEqual(linkFaults(), ['stuck', 'stuck']);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
