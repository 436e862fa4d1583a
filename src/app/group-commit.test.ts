/**
 * Group commit against a store that keeps what committed: writes queued together share one
 * transaction, a write the store refuses fails alone (the others commit), a failing store fails
 * everyone, and memory is rebuilt after any failure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { GroupCommit } from './group-commit.js';
import { StorageFailedError } from '../domain/errors.js';

/** A store with transactions: rows written inside a failing transaction are rolled back. */
function store() {
  const rows: string[] = [];
  const transactions: string[][] = [];
  let broken = false;
  let recovered = 0;
  const transaction = (fn: () => void) => {
    const before = rows.length;
    try {
      if (broken) throw new Error('disk gone');
      fn();
      transactions.push(rows.slice(before));
    } catch (err) {
      rows.length = before;
      throw err;
    }
  };
  const s = {
    rows,
    transactions,
    get recovered() {
      return recovered;
    },
    break: () => {
      broken = true;
    },
    write(row: string) {
      // A row the store cannot take.
      if (row.startsWith('bad')) throw new Error(`cannot store ${row}`);
      rows.push(row);
    },
    group: new GroupCommit(transaction, () => {
      recovered++;
    }),
  };
  return s;
}

const outcome = (p: Promise<void>) =>
  p.then(
    () => 'ok',
    (e: unknown) => e,
  );

test('writes queued in one turn share one transaction, and each waiter is answered once it is durable', async () => {
  const s = store();
  const answers = ['a', 'b', 'c'].map((r) => s.group.commit(r, () => s.write(r)));
  assert.deepEqual(s.rows, [], 'nothing is written before the turn ends');
  await Promise.all(answers);
  assert.deepEqual(s.transactions, [['a', 'b', 'c']]);
  await s.group.commit('d', () => s.write('d'));
  assert.deepEqual(s.transactions, [['a', 'b', 'c'], ['d']]);
  assert.equal(s.recovered, 0);
});

test('a lone write that fails is told with its own name and the cause, and memory is rebuilt', async () => {
  const s = store();
  const err = await outcome(s.group.commit('the order', () => s.write('bad1')));
  assert.ok(err instanceof StorageFailedError);
  assert.match(err.message, /the order/);
  assert.equal((err.cause as Error).message, 'cannot store bad1');
  assert.equal(s.recovered, 1);
  assert.deepEqual(s.rows, []);
});

test('in a group, only the write the store refuses fails; the others commit', async () => {
  const s = store();
  const names = ['w0', 'w1', 'bad2', 'w3', 'w4'];
  const answers = await Promise.all(names.map((r) => outcome(s.group.commit(`write ${r}`, () => s.write(r)))));
  assert.deepEqual(answers.slice(0, 2), ['ok', 'ok']);
  assert.deepEqual(answers.slice(3), ['ok', 'ok']);
  const err = answers[2];
  assert.ok(err instanceof StorageFailedError);
  assert.match(err.message, /write bad2/);
  assert.equal((err.cause as Error).message, 'cannot store bad2');
  assert.deepEqual([...s.rows].sort(), ['w0', 'w1', 'w3', 'w4']);
  assert.equal(s.recovered, 1, 'memory is rebuilt once after the group');
});

test('when the store itself fails, every waiter of the group is told', async () => {
  const s = store();
  s.break();
  const answers = await Promise.all(['x', 'y', 'z'].map((r) => outcome(s.group.commit(`write ${r}`, () => s.write(r)))));
  answers.forEach((err, k) => {
    assert.ok(err instanceof StorageFailedError);
    assert.match(err.message, new RegExp(`write ${'xyz'[k]}`));
    assert.equal((err.cause as Error).message, 'disk gone');
  });
  assert.equal(s.recovered, 1);
});

test('a transaction that throws nothing usable still fails the write', async () => {
  const group = new GroupCommit(
    () => {
      throw undefined;
    },
    () => {},
  );
  const err = await outcome(group.commit('the thing', () => {}));
  assert.ok(err instanceof StorageFailedError);
  assert.equal((err.cause as Error).message, 'the transaction failed');
});

test('later() does not wait and swallows a failure, which still rebuilds memory', async () => {
  const s = store();
  s.group.later('the answer', () => s.write('bad3'));
  s.group.later('the other', () => s.write('fine'));
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(s.rows, ['fine']);
  assert.equal(s.recovered, 1);
});

test('flush with nothing queued writes nothing', () => {
  const s = store();
  s.group.flush();
  assert.deepEqual(s.transactions, []);
  assert.equal(s.recovered, 0);
});

test('bad writes in both halves of a group read as a failing store: the whole group is told', async () => {
  const s = store();
  const answers = await Promise.all(['bad0', 'ok1', 'bad2', 'ok3'].map((r) => outcome(s.group.commit(r, () => s.write(r)))));
  for (const a of answers) assert.ok(a instanceof StorageFailedError);
  assert.deepEqual(s.rows, []);
});

test('whatever the writes, a waiter told ok is stored, a waiter told of a failure is not, and a bad write always fails', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }), async (bad) => {
      const s = store();
      const names = bad.map((b, i) => `${b ? 'bad' : 'ok'}${i}`);
      const answers = await Promise.all(names.map((n) => outcome(s.group.commit(n, () => s.write(n)))));
      const told = names.filter((_, i) => answers[i] === 'ok');
      assert.deepEqual([...s.rows].sort(), told.sort());
      answers.forEach((a, i) => {
        if (a !== 'ok') assert.ok(a instanceof StorageFailedError && a.message.includes(names[i]!));
        if (bad[i]) assert.notEqual(a, 'ok');
      });
      // One bad write alone fails alone.
      if (bad.filter(Boolean).length === 1) assert.equal(told.length, names.length - 1);
      assert.equal(s.recovered, bad.some(Boolean) ? 1 : 0);
    }),
    { numRuns: 60 },
  );
});
