/**
 * The applied watermark against a counter of applied positions: a position already reached needs
 * no question, waiters of one moment share one question, and a mark that does not come in time
 * ends in WorkersBehindError naming both positions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppliedWatermark } from './applied-watermark.js';
import { WorkersBehindError } from '../../domain/errors.js';

test('a position the workers have reached, exactly or beyond, asks the log nothing', async () => {
  let asked = 0;
  const w = new AppliedWatermark(async () => {
    asked++;
    return 5;
  });
  await w.reached(5);
  assert.equal(asked, 1);
  await w.reached(5);
  await w.reached(4);
  assert.equal(asked, 1);
});

test('a mark that never comes ends the wait with the positions named', async () => {
  const w = new AppliedWatermark(async () => 3, 20, 1);
  await assert.rejects(w.reached(9), (err: unknown) => {
    assert.ok(err instanceof WorkersBehindError);
    assert.equal(err.needed, 9);
    assert.equal(err.applied, 3);
    return true;
  });
});
