import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SeenEventIds } from './seen-event-ids.js';

test('answers as a set of (source, id) pairs would, through growth, for any sequence of adds and looks', () => {
  fc.assert(
    fc.property(
      // Ids from a small pool as well as any string: a look or an add must often meet an id seen before.
      fc.array(
        fc.tuple(
          fc.boolean(),
          fc.constantFrom('wms-dal', 'wms-atl', 'wms', 'wmsd'),
          fc.oneof(
            fc.string({ maxLength: 8 }),
            fc.nat(40).map((n) => `ev-${n}`),
          ),
        ),
        { maxLength: 400, size: 'max' },
      ),
      (steps) => {
        const seen = new SeenEventIds(16);
        const oracle = new Set<string>();
        for (const [adding, source, id] of steps) {
          const key = JSON.stringify([source, id]);
          if (adding) {
            assert.equal(seen.add(source, id), !oracle.has(key));
            oracle.add(key);
          } else {
            assert.equal(seen.has(source, id), oracle.has(key));
          }
        }
        assert.equal(seen.size, oracle.size);
      },
    ),
    { numRuns: 300 },
  );
});

test('a source and id are not confused with another split of the same characters', () => {
  const seen = new SeenEventIds();
  seen.add('wms-dal', '1');
  assert.equal(seen.has('wms-da', 'l1'), false);
  assert.equal(seen.has('wms-dal1', ''), false);
  assert.equal(seen.has('wms-dal', '1'), true);
  // The mark between source and id is no character, so characters at the edge of the range cannot
  // stand in for it.
  seen.add('a', '\uFFFE');
  assert.equal(seen.has('a\uFFFF', ''), false);
  assert.equal(seen.has('a', '\uFFFE'), true);
});

test('two ids that share one of the three hashes, and the first slot they look in, are told apart', () => {
  // Found by a search over ev-0..ev-3,000,000 under source wms: the third hash is equal and so are
  // the low bits of the first, so in a table of 16 slots the second id looks first where the first is.
  const seen = new SeenEventIds(16);
  assert.equal(seen.add('wms', 'ev-347407'), true);
  assert.equal(seen.has('wms', 'ev-620094'), false);
  assert.equal(seen.add('wms', 'ev-620094'), true);
  assert.equal(seen.size, 2);
});

test('a table asked for no room starts with room', () => {
  const seen = new SeenEventIds(0);
  assert.equal(seen.add('wms', 'ev-1'), true);
  assert.equal(seen.has('wms', 'ev-1'), true);
  assert.equal(seen.add('wms', 'ev-1'), false);
});

test('a million ids: every one found, none of a million others', () => {
  const seen = new SeenEventIds();
  for (let i = 0; i < 1_000_000; i++) assert.ok(seen.add('wms-dal', `ev-${i}`));
  let found = 0,
    strangers = 0;
  for (let i = 0; i < 1_000_000; i++) {
    if (seen.has('wms-dal', `ev-${i}`)) found++;
    if (seen.has('wms-dal', `other-${i}`) || seen.has('wms-atl', `ev-${i}`)) strangers++;
  }
  assert.equal(found, 1_000_000);
  assert.equal(strangers, 0);
});
