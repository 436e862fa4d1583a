/**
 * File intake that loses nothing, on the stock-file poller with its clock in the test's hands: a
 * file still being written is not read until its size and modification time have held for the
 * settle time; a temporary name waits for its rename; an archived file never replaces another of
 * its name (processed/ and failed/); headers match whatever their case, quotes and spaces; a blank
 * quantity is not zero; every row is counted as taken, skipped or refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CsvFileDrop, type RowCounts } from '../src/connectors/csv-file/csv-file-drop.js';
import type { InventorySnapshot } from '../src/model/inventory-event.js';

function poller(folder: string, o: { settleMs?: number; columns?: { sku: string; onHand: string; damaged?: string } } = {}) {
  const clock = { now: Date.parse('2026-11-22T10:00:00Z') };
  const taken: InventorySnapshot[] = [];
  const counted: RowCounts[] = [];
  const logs: { msg: string; fields?: object }[] = [];
  const drop = new CsvFileDrop({
    id: '3pl',
    folder,
    pollMs: 1000,
    settleMs: o.settleMs ?? 2000,
    source: '3pl',
    location: 'RNO',
    delimiter: ',',
    columns: o.columns ?? { sku: 'sku', onHand: 'qty' },
    unitFactor: 1,
    ingest: async (events) => {
      taken.push(...(events as InventorySnapshot[]));
      return { accepted: events.length, duplicates: 0, rejected: [], parked: [], position: 1 };
    },
    log: (_level, msg, fields) => logs.push({ msg, ...(fields ? { fields } : {}) }),
    fault: () => {},
    taken: (rows) => counted.push(rows),
    now: () => clock.now,
  });
  const advance = (ms: number) => {
    clock.now += ms;
  };
  return { drop, taken, counted, logs, advance };
}

const withFolder = async (run: (folder: string) => Promise<void>) => {
  const folder = mkdtempSync(join(tmpdir(), 'crossdock-intake-'));
  try {
    await run(folder);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
};

test('a stock count cut mid-number is not read: the file waits until its size has held for the settle time', () =>
  withFolder(async (folder) => {
    const { drop, taken, advance } = poller(folder);
    // The 3PL's upload has written "A,1" of "A,12" so far.
    writeFileSync(join(folder, 'count.csv'), 'sku,qty\nA,1');
    await drop.scan();
    advance(2500);
    appendFileSync(join(folder, 'count.csv'), '2\nB,30\n');
    await drop.scan();
    assert.equal(taken.length, 0, 'a file that changed since the last scan is not taken');
    advance(1000);
    await drop.scan();
    assert.equal(taken.length, 0, 'unchanged for 1 s of the 2 s settle time: still waiting');
    advance(1000);
    await drop.scan();
    assert.deepEqual(
      taken.map((s) => [s.sku, s.balance.onHand]),
      [
        ['A', 12],
        ['B', 30],
      ],
    );
    assert.ok(existsSync(join(folder, 'processed', 'count.csv')));
  }));

test('a settle time of 0 takes a file on sight', () =>
  withFolder(async (folder) => {
    const { drop, taken } = poller(folder, { settleMs: 0 });
    writeFileSync(join(folder, 'count.csv'), 'sku,qty\nA,1\n');
    await drop.scan();
    assert.equal(taken.length, 1);
  }));

test('a file written under a temporary name (.part, .tmp, a leading dot) waits for its rename', () =>
  withFolder(async (folder) => {
    const { drop, taken, advance } = poller(folder, { settleMs: 0 });
    for (const name of ['count.csv.part', 'count.csv.TMP', '.count.csv']) writeFileSync(join(folder, name), 'sku,qty\nA,1\n');
    advance(60_000);
    await drop.scan();
    assert.equal(taken.length, 0);
    assert.deepEqual(readdirSync(folder).sort(), ['.count.csv', 'count.csv.TMP', 'count.csv.part', 'failed', 'processed']);
    renameSync(join(folder, 'count.csv.part'), join(folder, 'count.csv'));
    await drop.scan();
    assert.deepEqual(
      taken.map((s) => s.sku),
      ['A'],
    );
  }));

test('a file renamed from its temporary name is taken at once, without waiting out the settle time', () =>
  withFolder(async (folder) => {
    const { drop, taken } = poller(folder, { settleMs: 60_000 });
    writeFileSync(join(folder, 'count.csv.part'), 'sku,qty\nA,1\n');
    writeFileSync(join(folder, '.other.csv'), 'sku,qty\nB,1\n');
    await drop.scan();
    renameSync(join(folder, 'count.csv.part'), join(folder, 'count.csv'));
    renameSync(join(folder, '.other.csv'), join(folder, 'other.csv'));
    // Written directly, not renamed: it waits out the settle time (the clock does not move here).
    writeFileSync(join(folder, 'direct.csv'), 'sku,qty\nC,1\n');
    await drop.scan();
    assert.deepEqual(taken.map((s) => s.sku).sort(), ['A', 'B']);
  }));

test('an archived file never replaces one of the same name, in processed/ or failed/', () =>
  withFolder(async (folder) => {
    const { drop, taken, advance } = poller(folder, { settleMs: 0 });
    writeFileSync(join(folder, 'fba.csv'), 'sku,qty\nA,1\n');
    await drop.scan();
    advance(1000);
    writeFileSync(join(folder, 'fba.csv'), 'sku,qty\nA,2\n');
    await drop.scan();
    advance(1000);
    writeFileSync(join(folder, 'fba.csv'), 'sku,qty\nA,3\n');
    await drop.scan();
    assert.equal(taken.length, 3);
    const processed = readdirSync(join(folder, 'processed')).sort();
    assert.deepEqual(processed, [
      'fba.20261122T100001000Z.csv',
      'fba.20261122T100001000Z.csv.result.json',
      'fba.20261122T100002000Z.csv',
      'fba.20261122T100002000Z.csv.result.json',
      'fba.csv',
      'fba.csv.result.json',
    ]);
    // Each archived file is the one its report describes.
    assert.equal(readFileSync(join(folder, 'processed', 'fba.csv'), 'utf8'), 'sku,qty\nA,1\n');
    assert.equal(readFileSync(join(folder, 'processed', 'fba.20261122T100002000Z.csv'), 'utf8'), 'sku,qty\nA,3\n');
    const report = JSON.parse(readFileSync(join(folder, 'processed', 'fba.20261122T100001000Z.csv.result.json'), 'utf8'));
    assert.deepEqual([report.file, report.archivedAs], ['fba.csv', 'fba.20261122T100001000Z.csv']);
    // Two unreadable files of one name in the same millisecond: a counter after the stamp.
    writeFileSync(join(folder, 'bad.csv'), 'item,qty\nX,1\n');
    await drop.scan();
    writeFileSync(join(folder, 'bad.csv'), 'item,qty\nY,1\n');
    await drop.scan();
    writeFileSync(join(folder, 'bad.csv'), 'item,qty\nZ,1\n');
    await drop.scan();
    assert.deepEqual(readdirSync(join(folder, 'failed')).sort(), [
      'bad.20261122T100002000Z-2.csv',
      'bad.20261122T100002000Z-2.csv.error.txt',
      'bad.20261122T100002000Z.csv',
      'bad.20261122T100002000Z.csv.error.txt',
      'bad.csv',
      'bad.csv.error.txt',
    ]);
    assert.equal(readFileSync(join(folder, 'failed', 'bad.20261122T100002000Z-2.csv'), 'utf8'), 'item,qty\nZ,1\n');
  }));

test('headers match whatever their case, quotes and spaces; a blank quantity is skipped, not read as zero; each row counted', () =>
  withFolder(async (folder) => {
    const { drop, taken, counted, logs } = poller(folder, { settleMs: 0, columns: { sku: 'SKU', onHand: 'On Hand', damaged: 'damaged' } });
    writeFileSync(
      join(folder, 'count.csv'),
      [' "sku" ,"ON HAND", Damaged ', 'A,5,0', 'B,,0', 'C," 7 ",1', 'D,x,0', ',3,0', 'A,9,0', 'E,4,', '"F",2,0', ''].join('\r\n'),
    );
    await drop.scan();
    assert.deepEqual(
      taken.map((s) => [s.sku, s.balance.onHand, s.balance.damaged]),
      [
        ['A', 5, 0],
        ['C', 7, 1],
        ['F', 2, 0],
      ],
    );
    const report = JSON.parse(readFileSync(join(folder, 'processed', 'count.csv.result.json'), 'utf8'));
    assert.deepEqual([report.rows, report.taken, report.skipped, report.refused], [8, 3, 4, 1]);
    assert.deepEqual(
      report.rejected.map((r: { line: number; outcome: string }) => [r.line, r.outcome]),
      [
        [3, 'skipped'],
        [5, 'refused'],
        [6, 'skipped'],
        [7, 'skipped'],
        [8, 'skipped'],
      ],
    );
    assert.match(report.rejected[0].message, /On Hand: blank; a blank quantity is not zero/);
    assert.match(report.rejected[4].message, /damaged: blank/);
    assert.deepEqual(counted, [{ taken: 3, skipped: 4, refused: 1 }]);
    assert.match(logs.at(-1)!.msg, /8 rows: 3 taken .*, 4 skipped, 1 refused; first not taken: line 3/);
  }));
