import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SeenSequences } from './seen-sequences.js';

test('behaves as a set of seqs for any arrival order, and stays compact for dense runs', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 300 }), (seqs) => {
      const set = new SeenSequences();
      const model = new Set<number>();
      for (const s of seqs) {
        assert.equal(set.add(s), !model.has(s));
        model.add(s);
      }
      for (let s = -1; s <= 201; s++) assert.equal(set.has(s), model.has(s));
      const spans = set.toJSON();
      for (let i = 0; i + 2 < spans.length; i += 2) assert.ok(spans[i + 1]! + 1 < spans[i + 2]!, 'spans are disjoint and not adjacent');
    }),
    { numRuns: 500 },
  );
  const dense = new SeenSequences();
  for (let s = 1; s <= 100_000; s++) dense.add(s);
  assert.deepEqual(dense.toJSON(), [1, 100_000]);
});

/** The spans a set of seqs should be kept as: maximal runs, ascending, flattened. */
function canonical(seqs: Set<number>): number[] {
  const sorted = [...seqs].sort((a, b) => a - b);
  const out: number[] = [];
  for (const q of sorted) {
    if (out.length > 0 && out[out.length - 1] === q - 1) out[out.length - 1] = q;
    else out.push(q, q);
  }
  return out;
}

test('whatever the order of arrival, the spans kept are exactly the maximal runs, and add says whether a seq was new', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 80 }),
      fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 20 }),
      (adds, restoredSeqs) => {
        const start = new Set(restoredSeqs);
        const seen = new SeenSequences(canonical(start));
        const model = new Set(start);
        for (const q of adds) {
          assert.equal(seen.add(q), !model.has(q), `add(${q})`);
          model.add(q);
          assert.deepEqual(seen.toJSON(), canonical(model));
        }
        for (let q = -1; q <= 42; q++) assert.equal(seen.has(q), model.has(q), `has(${q})`);
      },
    ),
    { numRuns: 300 },
  );
});
