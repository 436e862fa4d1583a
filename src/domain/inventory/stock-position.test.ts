/**
 * One source's position for one item at one location: snapshots set buckets, movements after a
 * snapshot land on top of it whatever the arrival order, at most `movementsKept` movements are kept
 * after a snapshot per bucket (the rest folded), and a count that falls among folded movements is
 * reported overtaken (docs/REFERENCE.md, "Order does not matter" and "The one bound"). Every
 * expected figure is worked out by hand in the comment or the name next to it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UNDATED, type Bucket } from './buckets.js';
import { StockPosition, type BucketTrack, type OvertakenBucket, type SnapshotInput } from './stock-position.js';

const NOV = '2026-11-24T00:00:00.000Z';
const DEC = '2026-12-01T00:00:00.000Z';
const JAN = '2027-01-05T00:00:00.000Z';

function position(movementsKept?: number): StockPosition {
  const p = new StockPosition('wms', 'A', 'DAL');
  if (movementsKept !== undefined) p.movementsKept = movementsKept;
  return p;
}

const count = (seq: number, pos: number, onHand: number, more: Partial<Omit<SnapshotInput, 'seq' | 'position' | 'onHand'>> = {}): SnapshotInput => ({
  seq,
  position: pos,
  onHand,
  qualityHold: 0,
  damaged: 0,
  ...more,
});

const figures = (p: StockPosition): Record<Bucket, number> => ({
  onHand: p.quantity('onHand'),
  qualityHold: p.quantity('qualityHold'),
  damaged: p.quantity('damaged'),
  inbound: p.quantity('inbound'),
});

test('a position nothing was reported to holds nothing', () => {
  const p = position();
  assert.deepEqual(figures(p), { onHand: 0, qualityHold: 0, damaged: 0, inbound: 0 });
  assert.equal(p.inboundDueBy(JAN), 0);
  assert.equal(p.nextInboundEtaAfter(NOV), undefined);
  assert.deepEqual([...p.inboundByEta()], []);
  assert.deepEqual(p.openSupply(), []);
  assert.equal(p.hasDatedInbound(), false);
  assert.deepEqual(p.contributingPositions(), { positions: [], omitted: 0 });
  assert.equal(p.lastPosition, 0);
});

test('a movement changes only the buckets it names, each by its own delta', () => {
  const p = position();
  assert.equal(p.applyMovement(1, 10, { onHand: 5 }, UNDATED), 'applied');
  assert.deepEqual(figures(p), { onHand: 5, qualityHold: 0, damaged: 0, inbound: 0 });
  assert.equal(p.applyMovement(2, 11, { onHand: -2, qualityHold: 2 }, UNDATED), 'applied', 'a hold moves units from on hand');
  assert.deepEqual(figures(p), { onHand: 3, qualityHold: 2, damaged: 0, inbound: 0 });
  assert.equal(p.applyMovement(3, 12, { qualityHold: -1 }, UNDATED), 'applied', 'a release from hold alone');
  assert.equal(p.applyMovement(4, 13, { damaged: 4 }, UNDATED), 'applied', 'damage alone');
  assert.equal(p.applyMovement(5, 14, { inbound: 6 }, NOV), 'applied', 'inbound alone');
  // onHand 5 - 2 = 3; hold 2 - 1 = 1; damaged 4; inbound 6.
  assert.deepEqual(figures(p), { onHand: 3, qualityHold: 1, damaged: 4, inbound: 6 });
  assert.equal(p.lastPosition, 14);
});

test('movements at or before the snapshot are inside it; later ones land on top whichever arrives first', () => {
  const p = position();
  assert.equal(p.applyMovement(8, 1, { onHand: 3 }, UNDATED), 'applied');
  assert.equal(p.applySnapshot(count(5, 2, 100)), 'applied');
  assert.equal(p.applyMovement(5, 3, { onHand: 1000 }, UNDATED), 'inside-snapshot', 'the same seq as the count is inside it');
  assert.equal(p.applyMovement(4, 4, { onHand: 1000 }, UNDATED), 'inside-snapshot');
  assert.equal(p.applyMovement(6, 5, { onHand: -1 }, UNDATED), 'applied');
  // 100 counted at seq 5, then seq 6 (-1) and seq 8 (+3).
  assert.equal(p.quantity('onHand'), 102);
});

test('a movement inside the count leaves the last position where it was; a late one never moves it back', () => {
  const p = position();
  p.applySnapshot(count(5, 20, 10));
  assert.equal(p.lastPosition, 20);
  p.applyMovement(3, 30, { onHand: 1 }, UNDATED);
  assert.equal(p.lastPosition, 20, 'inside the count: not applied, not the last position');
  p.applyMovement(7, 40, { onHand: 1 }, UNDATED);
  assert.equal(p.lastPosition, 40);
  p.applyMovement(6, 35, { onHand: 1 }, UNDATED);
  assert.equal(p.lastPosition, 40, 'applied, but logged before the last one');
  assert.equal(p.quantity('onHand'), 12);
});

test('a movement only the unsnapshotted bucket takes is applied', () => {
  const p = position();
  // The count does not state inbound, so inbound has no snapshot and takes the late movement.
  p.applySnapshot(count(5, 1, 10));
  assert.equal(p.applyMovement(3, 2, { onHand: 7, inbound: 4 }, NOV), 'applied');
  assert.deepEqual(figures(p), { onHand: 10, qualityHold: 0, damaged: 0, inbound: 4 });
  assert.equal(p.lastPosition, 2);
});

test('a count sets the physical buckets, and inbound only when it states inbound', () => {
  const p = position();
  p.applyMovement(1, 1, { onHand: 4, qualityHold: 1, damaged: 2 }, UNDATED);
  p.applyMovement(2, 2, { inbound: 9 }, DEC);
  assert.equal(p.applySnapshot(count(3, 3, 50, { qualityHold: 5, damaged: 6 })), 'applied');
  assert.deepEqual(figures(p), { onHand: 50, qualityHold: 5, damaged: 6, inbound: 9 });
  assert.equal(p.applySnapshot(count(4, 4, 50, { qualityHold: 5, damaged: 6, inbound: { [NOV]: 2, [UNDATED]: 1 } })), 'applied');
  assert.equal(p.quantity('inbound'), 3);
  assert.equal(p.lastPosition, 4);
});

test('a count older than the last one, or the same count again, is stale and changes nothing', () => {
  const p = position();
  assert.equal(p.applySnapshot(count(20, 5, 50)), 'applied');
  assert.equal(p.applySnapshot(count(10, 6, 7)), 'stale');
  assert.equal(p.applySnapshot(count(20, 7, 50)), 'stale', 'the same seq again');
  assert.equal(p.quantity('onHand'), 50);
  assert.equal(p.lastPosition, 5, 'a stale count is not the last position');
});

test('a late count logged before the last movement keeps the last position of that movement', () => {
  const p = position();
  p.applyMovement(9, 30, { onHand: 2 }, UNDATED);
  assert.equal(p.applySnapshot(count(4, 12, 40)), 'applied');
  assert.equal(p.lastPosition, 30);
  assert.equal(p.quantity('onHand'), 42);
});

test('a late movement older than those held is put in seq order, so a count cuts exactly the ones it contains', () => {
  const p = position();
  p.applyMovement(5, 1, { onHand: 10 }, UNDATED);
  p.applyMovement(3, 2, { onHand: 100 }, UNDATED);
  p.applyMovement(7, 3, { onHand: 1000 }, UNDATED);
  // The count at seq 4 contains seq 3 only: 1 + 10 + 1000.
  p.applySnapshot(count(4, 4, 1));
  assert.equal(p.quantity('onHand'), 1011);
});

test('late inbound keeps its own ETA when put among the movements held', () => {
  const p = position();
  p.applyMovement(2, 1, { inbound: 1 }, NOV);
  p.applyMovement(6, 2, { inbound: 10 }, JAN);
  p.applyMovement(4, 3, { inbound: 100 }, DEC);
  assert.equal(p.inboundDueBy(NOV), 1);
  assert.equal(p.inboundDueBy(DEC), 101);
  assert.equal(p.inboundDueBy(JAN), 111);
  // The count at seq 3 contains seq 2 only; 5 undated counted, then DEC 100 and JAN 10 on top.
  p.applySnapshot(count(3, 4, 0, { inbound: { [UNDATED]: 5 } }));
  assert.equal(p.inboundDueBy(NOV), 0);
  assert.equal(p.inboundDueBy(DEC), 100);
  assert.equal(p.inboundDueBy(JAN), 110);
  assert.deepEqual(
    [...p.inboundByEta()],
    [
      [UNDATED, 5],
      [DEC, 100],
      [JAN, 10],
    ],
  );
});

test('inbound is due at its ETA (inclusive), never when undated, and never below zero', () => {
  const p = position();
  p.applySnapshot(count(1, 1, 0, { inbound: { [NOV]: 4, [DEC]: 5, [UNDATED]: 6 } }));
  p.applyMovement(2, 2, { inbound: 2 }, NOV);
  p.applyMovement(3, 3, { inbound: 3 }, DEC);
  p.applyMovement(4, 4, { inbound: 7 }, UNDATED);
  assert.equal(p.quantity('inbound'), 27);
  assert.equal(p.inboundDueBy('2026-11-23T23:59:59.999Z'), 0);
  assert.equal(p.inboundDueBy(NOV), 6, 'at the ETA itself: 4 counted + 2 moved');
  assert.equal(p.inboundDueBy(DEC), 14);
  assert.equal(p.inboundDueBy(JAN), 14, 'the 13 undated never fall due');

  const short = position();
  short.applyMovement(1, 1, { inbound: -3 }, NOV);
  assert.equal(short.inboundDueBy(JAN), 0, 'a cancelled line with nothing under it is no supply');
});

test('inbound counted at seq 0 is due like any other count', () => {
  const p = position();
  p.applySnapshot(count(0, 1, 0, { inbound: { [NOV]: 4 } }));
  assert.equal(p.inboundDueBy(DEC), 4);
});

test('a bound of one keeps one movement: the older ones are folded with their ETA', () => {
  const p = position(1);
  p.applyMovement(1, 1, { inbound: 3 }, NOV);
  p.applyMovement(2, 2, { inbound: 4 }, DEC);
  p.applyMovement(3, 3, { inbound: 5 }, UNDATED);
  // seq 1 and 2 folded (3 at NOV, 4 at DEC), seq 3 kept.
  assert.equal(p.quantity('inbound'), 12);
  assert.equal(p.inboundDueBy(NOV), 3);
  assert.equal(p.inboundDueBy(DEC), 7);
  assert.equal(p.nextInboundEtaAfter(NOV), DEC);
  assert.deepEqual(p.contributingPositions(), { positions: [3], omitted: 2 });
});

test('the earliest dated ETA strictly after an instant, from the count and the movements', () => {
  const p = position();
  assert.equal(p.nextInboundEtaAfter(NOV), undefined);
  p.applySnapshot(count(1, 1, 0, { inbound: { [NOV]: 1, [UNDATED]: 2, [JAN]: 1 } }));
  assert.equal(p.nextInboundEtaAfter('2026-01-01T00:00:00.000Z'), NOV);
  assert.equal(p.nextInboundEtaAfter(NOV), JAN, 'not the ETA itself');
  p.applyMovement(2, 2, { inbound: 1 }, DEC);
  p.applyMovement(3, 3, { inbound: 1 }, '2027-02-01T00:00:00.000Z');
  assert.equal(p.nextInboundEtaAfter(NOV), DEC);
  assert.equal(p.nextInboundEtaAfter(JAN), '2027-02-01T00:00:00.000Z');
  assert.equal(p.nextInboundEtaAfter('2027-03-01T00:00:00.000Z'), undefined, 'undated supply has no ETA');
});

test('inbound by ETA adds the count and the movements of the same ETA', () => {
  const p = position();
  p.applySnapshot(count(1, 1, 0, { inbound: { [DEC]: 5, [UNDATED]: 1 } }));
  p.applyMovement(2, 2, { inbound: 2 }, DEC);
  p.applyMovement(3, 3, { inbound: 3 }, NOV);
  p.applyMovement(4, 4, { inbound: 4 }, NOV);
  assert.deepEqual(
    new Map(p.inboundByEta()),
    new Map([
      [DEC, 7],
      [UNDATED, 1],
      [NOV, 7],
    ]),
  );
});

test('dated inbound is there while a dated line is non-zero or a dated movement is held', () => {
  const undated = position();
  undated.applyMovement(1, 1, { inbound: 5 }, UNDATED);
  undated.applySnapshot(count(2, 2, 0, { inbound: { [UNDATED]: 3 } }));
  assert.equal(undated.hasDatedInbound(), false);
  const zero = position();
  zero.applySnapshot(count(1, 1, 0, { inbound: { [NOV]: 0, [UNDATED]: 3 } }));
  assert.equal(zero.hasDatedInbound(), false, 'a dated line of 0 never falls due');
  const counted = position();
  counted.applySnapshot(count(1, 1, 0, { inbound: { [UNDATED]: 3, [NOV]: 2 } }));
  assert.equal(counted.hasDatedInbound(), true);
  const moved = position();
  moved.applyMovement(1, 1, { inbound: 2 }, NOV);
  assert.equal(moved.hasDatedInbound(), true);
});

test('announced supply is open by ETA, earliest first, undated last, less what was received', () => {
  const p = position();
  p.applySnapshot(count(1, 1, 0, { inbound: { [UNDATED]: 1, [JAN]: 2 } }));
  p.applyMovement(2, 2, { inbound: 3 }, NOV);
  p.applyMovement(3, 3, { inbound: 4 }, DEC);
  assert.deepEqual(p.openSupply(), [
    [NOV, 3],
    [DEC, 4],
    [JAN, 2],
    [UNDATED, 1],
  ]);
  const q = position();
  q.applySnapshot(count(1, 1, 0, { inbound: { [JAN]: 2, [DEC]: 4, [UNDATED]: 1, [NOV]: 3 } }));
  assert.deepEqual(q.openSupply(), [
    [NOV, 3],
    [DEC, 4],
    [JAN, 2],
    [UNDATED, 1],
  ]);
  assert.equal(q.openSupplyDueBy(DEC), 7, 'NOV 3 + DEC 4, at the ETA itself');
  assert.equal(q.openSupplyDueBy('2027-12-31T00:00:00.000Z'), 9, 'undated supply is never due');
});

test('a receipt closes open lines earliest first, as far as its units go', () => {
  const p = position();
  p.applySnapshot(count(1, 1, 0, { inbound: { [DEC]: 4, [NOV]: 3, [UNDATED]: 5 } }));
  assert.equal(p.closeReceived(5), 5, 'NOV 3 and 2 of DEC');
  assert.deepEqual(p.openSupply(), [
    [DEC, 2],
    [UNDATED, 5],
  ]);
  assert.equal(p.openSupplyDueBy(DEC), 2);
  assert.equal(p.closeReceived(10), 7, 'DEC 2 and the 5 undated; the other 3 close nothing');
  assert.deepEqual(p.openSupply(), []);
  assert.deepEqual(p.supplyClosed, { [NOV]: 3, [DEC]: 4, [UNDATED]: 5 });
  assert.equal(p.closeReceived(4), 0, 'a later receipt is not pre-closing anything');
  assert.deepEqual(p.supplyClosed, { [NOV]: 3, [DEC]: 4, [UNDATED]: 5 });
});

test('a receipt that covers the first line exactly closes nothing more', () => {
  const p = position();
  p.applySnapshot(count(1, 1, 0, { inbound: { [NOV]: 3, [DEC]: 4 } }));
  assert.equal(p.closeReceived(3), 3);
  assert.deepEqual(p.supplyClosed, { [NOV]: 3 });
});

test('a count closes every open dated line due by the time it was taken, undated ones never', () => {
  const p = position();
  p.applySnapshot(count(1, 1, 0, { inbound: { [NOV]: 3, [DEC]: 4, [JAN]: 2, [UNDATED]: 5 } }));
  p.closeReceived(1);
  assert.equal(p.closeDueBy('2026-11-01T00:00:00.000Z'), false, 'nothing due yet');
  assert.equal(p.closeDueBy(DEC), true, 'NOV and DEC, DEC at the count time itself');
  assert.deepEqual(p.supplyClosed, { [NOV]: 3, [DEC]: 4 });
  assert.deepEqual(p.openSupply(), [
    [JAN, 2],
    [UNDATED, 5],
  ]);
  assert.equal(p.closeDueBy(DEC), false, 'already closed');
});

test('a count falling among folded movements is reported overtaken for that bucket only; the others take it', () => {
  const p = position(2);
  p.applySnapshot(count(1, 1, 100, { qualityHold: 1 }));
  for (let seq = 2; seq <= 5; seq++) p.applyMovement(seq, seq, { onHand: 1 }, UNDATED);
  // seq 2 and 3 folded, 4 and 5 kept: onHand 104.
  const overtaken: OvertakenBucket[] = [];
  assert.equal(p.applySnapshot(count(3, 9, 0, { qualityHold: 7, damaged: 2 }), overtaken), 'applied');
  assert.deepEqual(overtaken, [{ bucket: 'onHand', counted: 0, held: 104, foldedMovements: 2 }]);
  assert.deepEqual(figures(p), { onHand: 104, qualityHold: 7, damaged: 2, inbound: 0 });
  assert.equal(p.lastPosition, 9);
});

test('an overtaken inbound count reports the sum of its lines; with no list to report to it still applies the rest', () => {
  const p = position(1);
  p.applyMovement(2, 2, { inbound: 1 }, NOV);
  p.applyMovement(4, 4, { inbound: 1 }, NOV);
  p.applyMovement(6, 6, { inbound: 1 }, NOV);
  const overtaken: OvertakenBucket[] = [];
  // seq 2 and 4 folded; the count at seq 3 contains 2 but not 4.
  p.applySnapshot(count(3, 7, 5, { inbound: { [NOV]: 2, [DEC]: 3 } }), overtaken);
  assert.deepEqual(overtaken, [{ bucket: 'inbound', counted: 5, held: 3, foldedMovements: 2 }]);
  const q = position(1);
  q.applyMovement(2, 2, { inbound: 1 }, NOV);
  q.applyMovement(4, 4, { inbound: 1 }, NOV);
  q.applyMovement(6, 6, { inbound: 1 }, NOV);
  assert.equal(q.applySnapshot(count(3, 7, 5, { inbound: { [NOV]: 2 } })), 'applied');
  assert.deepEqual(figures(q), { onHand: 5, qualityHold: 0, damaged: 0, inbound: 3 });
});

test('a count every bucket of which is overtaken is stale', () => {
  const p = position(1);
  for (const seq of [2, 4, 6]) p.applyMovement(seq, seq, { onHand: 1, qualityHold: 1, damaged: 1 }, UNDATED);
  const overtaken: OvertakenBucket[] = [];
  assert.equal(p.applySnapshot(count(3, 7, 0), overtaken), 'stale');
  assert.deepEqual(
    overtaken.map((o) => o.bucket),
    ['onHand', 'qualityHold', 'damaged'],
  );
  assert.equal(p.lastPosition, 6);
});

test('a count older than every folded movement applies exactly: all of them stay on top of it', () => {
  const p = position(1);
  p.applyMovement(5, 1, { onHand: 1 }, UNDATED);
  p.applyMovement(6, 2, { onHand: 10 }, UNDATED);
  p.applyMovement(7, 3, { onHand: 100 }, UNDATED);
  // 5 and 6 folded, 7 kept. A count of 1000 at seq 4: 1000 + 1 + 10 + 100.
  assert.equal(p.applySnapshot(count(4, 8, 1000)), 'applied');
  assert.equal(p.quantity('onHand'), 1111);
  assert.deepEqual(p.contributingPositions(), { positions: [8, 3], omitted: 2 });
});

test('folded dated inbound keeps its ETA under a count older than all of it', () => {
  const p = position(1);
  p.applyMovement(5, 1, { inbound: 1 }, NOV);
  p.applyMovement(6, 2, { inbound: 10 }, DEC);
  p.applyMovement(7, 3, { inbound: 100 }, JAN);
  p.applySnapshot(count(4, 8, 0, { inbound: { [NOV]: 1000 } }));
  assert.equal(p.inboundDueBy(NOV), 1001);
  assert.equal(p.inboundDueBy(DEC), 1011);
  assert.equal(p.inboundDueBy(JAN), 1111);
});

test('a late movement folded at once still counts as folded since the count, so a count after it is overtaken', () => {
  const p = position(1);
  p.applyMovement(5, 1, { onHand: 1 }, UNDATED);
  p.applyMovement(6, 2, { onHand: 10 }, UNDATED);
  // 5 folded, 6 kept. seq 3 arrives late and is folded at once: the folded ones are 3 and 5.
  p.applyMovement(3, 3, { onHand: 100 }, UNDATED);
  const overtaken: OvertakenBucket[] = [];
  // The count at seq 4 contains 3 but not 5: the hub cannot tell, so it keeps 111.
  assert.equal(p.applySnapshot(count(4, 4, 1000), overtaken), 'applied');
  assert.deepEqual(overtaken, [{ bucket: 'onHand', counted: 1000, held: 111, foldedMovements: 2 }]);
  assert.equal(p.quantity('onHand'), 111);
  // A count at seq 2, older than all three, applies under them: 1000 + 100 + 1 + 10.
  assert.equal(p.applySnapshot(count(2, 5, 1000)), 'applied');
  assert.equal(p.quantity('onHand'), 1111);
});

test('a count past every folded movement starts afresh: nothing is folded since it', () => {
  const p = position(1);
  for (const seq of [1, 2, 3]) p.applyMovement(seq, seq, { onHand: 1 }, UNDATED);
  assert.equal(p.contributingPositions().omitted, 2);
  p.applySnapshot(count(4, 4, 10));
  assert.deepEqual(p.contributingPositions(), { positions: [4], omitted: 0 });
  const track = p.toJSON() as { buckets: Record<Bucket, BucketTrack> };
  assert.equal(track.buckets.onHand.foldedCount, 0);
  assert.equal(track.buckets.onHand.folded, undefined, 'a checkpoint keeps no folded sum that no longer applies');
  assert.equal(track.buckets.onHand.foldedFromSeq, undefined);
  // Folding starts again from the movements after the count: 5 folded, 6 kept; 10 + 1 + 1.
  p.applyMovement(5, 5, { onHand: 1 }, UNDATED);
  p.applyMovement(6, 6, { onHand: 1 }, UNDATED);
  assert.equal(p.quantity('onHand'), 12);
  const overtaken: OvertakenBucket[] = [];
  assert.equal(p.applySnapshot(count(2, 7, 0), overtaken), 'stale', 'older than the count that set the bucket');
  assert.deepEqual(overtaken, []);
  assert.deepEqual(p.contributingPositions(), { positions: [4, 6], omitted: 1 });
});

test('with a bound of two, the third movement after a count is the first folded', () => {
  const p = position(2);
  p.applySnapshot(count(1, 1, 0));
  p.applyMovement(2, 2, { onHand: 1 }, UNDATED);
  p.applyMovement(3, 3, { onHand: 1 }, UNDATED);
  assert.deepEqual(p.contributingPositions(), { positions: [1, 2, 3], omitted: 0 });
  p.applyMovement(4, 4, { onHand: 1 }, UNDATED);
  assert.deepEqual(p.contributingPositions(), { positions: [1, 3, 4], omitted: 1 });
});

test('a bucket holding more than a lowered bound is folded down to it by the next movement', () => {
  const p = position(4);
  for (let seq = 1; seq <= 4; seq++) p.applyMovement(seq, seq, { onHand: 1 }, UNDATED);
  p.movementsKept = 1;
  p.applyMovement(5, 5, { onHand: 1 }, UNDATED);
  // Five held, one kept: 1 to 4 folded, 5 kept; the figure is still 5.
  assert.deepEqual(p.contributingPositions(), { positions: [5], omitted: 4 });
  assert.equal(p.quantity('onHand'), 5);
});

test('contributing positions: counts first in log order, then movements in seq order, each once', () => {
  const p = position();
  p.applySnapshot(count(10, 8, 5, { inbound: { [UNDATED]: 1 } }));
  p.applySnapshot(count(12, 9, 6));
  // seq 14 logged at 20, seq 13 (hold only) logged late at 30: on hand lists 14 first, hold lists 13 then 14.
  // Ordered by seq, with the movement touching two buckets listed once.
  p.applyMovement(14, 20, { onHand: -1, qualityHold: 1 }, UNDATED);
  p.applyMovement(13, 30, { qualityHold: 2 }, UNDATED);
  assert.deepEqual(p.contributingPositions(), { positions: [8, 9, 30, 20], omitted: 0 });
});

test('a checkpoint restores the figures, the last position, the count time and the supply closed', () => {
  const p = position(1);
  p.announces = true;
  p.countedAt = '2026-11-22T10:00:00.000Z';
  p.applySnapshot(count(1, 3, 7, { inbound: { [NOV]: 4 } }));
  p.applyMovement(2, 4, { inbound: 5 }, DEC);
  p.applyMovement(3, 5, { onHand: 1 }, UNDATED);
  p.closeReceived(2);
  const raw = JSON.parse(JSON.stringify(p.toJSON()));
  assert.equal(raw.announces, true);
  const back = StockPosition.fromJSON(raw);
  assert.deepEqual([back.source, back.sku, back.location], ['wms', 'A', 'DAL']);
  assert.deepEqual(figures(back), { onHand: 8, qualityHold: 0, damaged: 0, inbound: 9 });
  assert.equal(back.lastPosition, 5);
  assert.equal(back.countedAt, '2026-11-22T10:00:00.000Z');
  assert.equal(back.announces, true);
  assert.deepEqual(back.openSupply(), [
    [NOV, 2],
    [DEC, 5],
  ]);
});

test('a position that announces nothing checkpoints no supply, and restores as announcing nothing', () => {
  const p = position();
  p.applyMovement(1, 1, { inbound: 5 }, NOV);
  const raw = JSON.parse(JSON.stringify(p.toJSON()));
  assert.equal('announces' in raw, false);
  assert.equal('supplyClosed' in raw, false);
  const back = StockPosition.fromJSON(raw);
  assert.equal(back.announces, false);
  assert.deepEqual(back.supplyClosed, {});
  assert.deepEqual(back.openSupply(), [[NOV, 5]]);
  assert.equal(StockPosition.fromJSON({ ...raw, announces: 'yes' }).announces, false, 'only a stored true announces');
});

test('a checkpoint from before folded movements were kept apart: a count among or under them is overtaken, later ones fold on', () => {
  const p = position(1);
  for (const seq of [5, 6, 7]) p.applyMovement(seq, seq, { onHand: 1 }, UNDATED);
  const raw = JSON.parse(JSON.stringify(p.toJSON()));
  delete raw.buckets.onHand.folded;
  delete raw.buckets.onHand.foldedFromSeq;
  const old = StockPosition.fromJSON(raw);
  old.movementsKept = 1;
  old.applyMovement(8, 8, { onHand: 1 }, UNDATED);
  assert.equal(old.quantity('onHand'), 4);
  assert.equal(old.contributingPositions().omitted, 3);
  const overtaken: OvertakenBucket[] = [];
  // Without the folded sum the hub cannot set a count under the folded movements either.
  old.applySnapshot(count(2, 9, 0), overtaken);
  assert.deepEqual(overtaken, [{ bucket: 'onHand', counted: 0, held: 4, foldedMovements: 3 }]);
  assert.equal(old.quantity('onHand'), 4);
});
