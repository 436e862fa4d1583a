import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Batched } from './batched.js';
import { AppliedWatermark } from './log/applied-watermark.js';
import { InvalidInputError, WorkersBehindError } from '../domain/errors.js';

const tick = () => new Promise((r) => setImmediate(r));

test('calls made together share a batch; calls made while it runs share the next; each gets its own answer', async () => {
  const seen: number[][] = [];
  let release: () => void = () => {};
  const b = new Batched<number, number>(async (inputs) => {
    seen.push(inputs);
    if (seen.length === 1)
      await new Promise<void>((r) => {
        release = r;
      });
    return inputs.map((n) => n * 10);
  });
  const first = [1, 2, 3].map((n) => b.call(n));
  await tick();
  await tick();
  const second = [4, 5].map((n) => b.call(n));
  release();
  assert.deepEqual(await Promise.all([...first, ...second]), [10, 20, 30, 40, 50]);
  assert.deepEqual(seen, [
    [1, 2, 3],
    [4, 5],
  ]);
  assert.equal(b.batches, 2);
});

test('a failed batch rejects its own calls only, and the next batch runs', async () => {
  let fail = true;
  const b = new Batched<string, string>(async (inputs) => {
    if (fail) {
      fail = false;
      throw new Error('database gone');
    }
    return inputs.map((s) => s.toUpperCase());
  });
  const doomed = b.call('a');
  await assert.rejects(doomed, /database gone/);
  assert.equal(await b.call('b'), 'B');
});

test('every call is answered exactly once with its own output, whatever the arrival pattern and lanes', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(fc.integer(), fc.nat(3)), { maxLength: 60 }), fc.integer({ min: 1, max: 3 }), async (calls, lanes) => {
      let inFlight = 0,
        most = 0;
      const b = new Batched<number, number>(async (inputs) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await tick();
        inFlight--;
        return inputs.map((n) => n + 1);
      }, lanes);
      const answers: Promise<number>[] = [];
      for (const [n, pause] of calls) {
        answers.push(b.call(n));
        for (let i = 0; i < pause; i++) await tick();
      }
      assert.deepEqual(
        await Promise.all(answers),
        calls.map(([n]) => n + 1),
      );
      assert.ok(most <= lanes, `at most ${lanes} batches in flight, saw ${most}`);
    }),
    { numRuns: 50 },
  );
});

test('the applied watermark answers at once once reached, asks the log once for many waiters, and gives up with WorkersBehindError', async () => {
  let mark = 5,
    asked = 0;
  const w = new AppliedWatermark(
    async () => {
      asked++;
      await tick();
      return mark;
    },
    100,
    5,
  );
  await Promise.all([w.reached(3), w.reached(4), w.reached(5)]);
  assert.equal(asked, 1, 'one question for the waiters of one moment');
  await w.reached(2);
  assert.equal(asked, 1, 'a mark already seen needs no question');
  setTimeout(() => {
    mark = 9;
  }, 20);
  await w.reached(8);
  const behind = await w.reached(50).catch((e: unknown) => e);
  assert.ok(behind instanceof WorkersBehindError);
  assert.equal(behind.needed, 50);
  assert.equal(behind.applied, 9);
});

test('an input the store refuses fails alone (told unstorable) and the rest of its batch is answered', async () => {
  const runs: number[][] = [];
  const b = new Batched<number, number>(
    async (inputs) => {
      runs.push(inputs);
      if (inputs.includes(13)) throw new Error('refused by the disk');
      return inputs.map((n) => n * 2);
    },
    1,
    (cause) => new Error(`unstorable: ${(cause as Error).message}`),
  );
  const outcomes = await Promise.allSettled(Array.from({ length: 40 }, (_, n) => b.call(n)));
  assert.deepEqual(
    outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).message)),
    Array.from({ length: 40 }, (_, n) => (n === 13 ? 'unstorable: refused by the disk' : n * 2)),
  );
  assert.ok(runs.length <= 2 + 2 * Math.ceil(Math.log2(40)), `isolated in ${runs.length} runs`);
});

test("when every half fails, or the hub says the failure is no input's fault, every call hears the original error", async () => {
  let runs = 0;
  const broken = new Batched<number, number>(async () => {
    runs++;
    throw new Error('disk gone');
  });
  const all = await Promise.allSettled(Array.from({ length: 16 }, (_, n) => broken.call(n)));
  assert.ok(all.every((o) => o.status === 'rejected' && (o.reason as Error).message === 'disk gone'));
  assert.equal(runs, 3, 'the batch, then its two halves');

  runs = 0;
  const behind = new Batched<number, number>(async () => {
    runs++;
    throw new WorkersBehindError(10, 5, 100);
  });
  const waited = await Promise.allSettled(Array.from({ length: 16 }, (_, n) => behind.call(n)));
  assert.ok(waited.every((o) => o.status === 'rejected' && o.reason instanceof WorkersBehindError));
  assert.equal(runs, 1, "not split: the workers being behind is no input's fault");
});

test("a half that fails for no input's fault while being searched hears that error, and is not split further", async () => {
  let runs = 0;
  const b = new Batched<number, number>(async (inputs) => {
    runs++;
    if (runs === 1) throw new Error('refused by the disk');
    if (runs === 3) throw new WorkersBehindError(10, 5, 100);
    return inputs.map((n) => n * 2);
  });
  const outcomes = await Promise.allSettled(Array.from({ length: 8 }, (_, n) => b.call(n)));
  assert.deepEqual(
    outcomes.map((o) => (o.status === 'fulfilled' ? o.value : (o.reason as Error).name)),
    [0, 2, 4, 6, 'WorkersBehindError', 'WorkersBehindError', 'WorkersBehindError', 'WorkersBehindError'],
  );
  assert.equal(runs, 3, 'the batch, then its two halves');
});

test('with one lane the next batch starts only when the current one ends, and calls after it are still served', async () => {
  let release: () => void = () => {};
  const started: number[][] = [];
  const b = new Batched<number, number>(async (inputs) => {
    started.push(inputs);
    if (started.length === 1)
      await new Promise<void>((r) => {
        release = r;
      });
    return inputs;
  });
  const first = b.call(1);
  await tick();
  await tick();
  const second = b.call(2);
  await tick();
  await tick();
  assert.deepEqual(started, [[1]], 'the second batch waits for the lane');
  release();
  assert.deepEqual(await Promise.all([first, second]), [1, 2]);
  // The lane is free again: a later call starts a batch of its own.
  assert.equal(await b.call(3), 3);
  assert.deepEqual(started, [[1], [2], [3]]);
});

test('a lone input that fails hears the error itself; by default so does one found at fault in a batch', async () => {
  const refused = new Error('value too long');
  const told = new Batched<string, string>(
    async (inputs) => {
      if (inputs.includes('bad')) throw refused;
      return inputs;
    },
    1,
    (cause) => new Error(`unstorable: ${(cause as Error).message}`),
  );
  await assert.rejects(told.call('bad'), (e) => e === refused);
  const plain = new Batched<string, string>(async (inputs) => {
    if (inputs.includes('bad')) throw refused;
    return inputs;
  });
  const calls = ['a', 'bad', 'c'].map((s) => plain.call(s));
  assert.equal(await calls[0], 'a');
  await assert.rejects(calls[1]!, (e) => e === refused);
  assert.equal(await calls[2], 'c');
});

test('a hub error that is not retryable still points at an input: the batch is split to find it', async () => {
  const refused = new InvalidInputError([{ path: '/x', message: 'bad' }]);
  const b = new Batched<string, string>(async (inputs) => {
    if (inputs.includes('bad')) throw refused;
    return inputs;
  });
  const calls = ['a', 'bad', 'c', 'd'].map((s) => b.call(s));
  assert.equal(await calls[0], 'a');
  await assert.rejects(calls[1]!, (e) => e === refused);
  assert.deepEqual(await Promise.all([calls[2], calls[3]]), ['c', 'd']);
});
