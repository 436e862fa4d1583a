import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SeenEventIds } from './seen-event-ids.js';

test('answers as a set of (source, id) pairs would, through growth, for any sequence of adds and looks', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.boolean(), fc.constantFrom('wms-dal', 'wms-atl', 'wms', 'wmsd'), fc.string({ maxLength: 8 })), { maxLength: 400 }),
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
