import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { HubLifecycle } from './hub-lifecycle.js';

function lifecycle() {
  const logged: { msg: string; job?: string; step?: string }[] = [];
  const announced: string[] = [];
  const log = pino(
    { level: 'info' },
    {
      write: (line: string) => {
        logged.push(JSON.parse(line));
      },
    },
  );
  return { hub: new HubLifecycle({ log, announce: (l) => announced.push(l), name: 'Test hub' }), logged, announced };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a hub goes starting → running → draining → stopped, and is ready only while running', async () => {
  const { hub, announced } = lifecycle();
  assert.equal(hub.state, 'starting');
  assert.equal(hub.ready(), false);
  hub.running();
  assert.equal(hub.state, 'running');
  assert.equal(hub.ready(), true);
  const seen: string[] = [];
  hub.onStop('drain', 'look', () => {
    seen.push(`${hub.state} ready=${hub.ready()}`);
  });
  const stopping = hub.stop();
  assert.equal(hub.stop(), stopping, 'a second stop waits for the same shutdown');
  await stopping;
  assert.deepEqual(seen, ['draining ready=false']);
  assert.equal(hub.state, 'stopped');
  assert.throws(() => hub.running(), /stopped hub cannot start running/);
  assert.throws(() => hub.every('late', 10, () => {}), /stopped hub/);
  assert.deepEqual(announced.length, 1);
  assert.match(announced[0]!, /^Test hub stopped cleanly in \d+ ms/);
});

test('shutdown runs in one order: intake, then the periodic jobs stop (a run in progress finishes), then work, drain and close', async () => {
  const { hub } = lifecycle();
  const order: string[] = [];
  hub.onStop('close', 'store', () => {
    order.push('close: store');
  });
  hub.onStop('drain', 'commits', async () => {
    await sleep(5);
    order.push('drain: commits');
  });
  hub.onStop('work', 'workers', () => {
    order.push('work: workers');
  });
  // The job's run is held until after the intake step: the shutdown must wait for it before the work phase.
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  hub.onStop('intake', 'HTTP', async () => {
    await sleep(5);
    order.push('intake: HTTP');
    setTimeout(release, 20);
  });
  hub.onStop('close', 'connections', () => {
    order.push('close: connections');
  });
  let ticks = 0;
  hub.every(
    'slow job',
    5,
    async () => {
      ticks++;
      await gate;
      order.push('job finished');
    },
    { runNow: true },
  );
  hub.running();
  await sleep(10);
  await hub.stop();
  assert.deepEqual(order, ['intake: HTTP', 'job finished', 'work: workers', 'drain: commits', 'close: store', 'close: connections']);
  const after = ticks;
  await sleep(30);
  assert.equal(ticks, after, 'no job runs after the shutdown');
  assert.equal(after, 1, 'a run still going is not started again on the next tick');
});

test('a periodic job that fails is logged under its name and runs again; a failing shutdown step does not stop the later ones', async () => {
  const { hub, logged, announced } = lifecycle();
  const unhandled: unknown[] = [];
  const onUnhandled = (err: unknown) => {
    unhandled.push(err);
  };
  process.on('unhandledRejection', onUnhandled);
  try {
    let throws = 0;
    let rejects = 0;
    hub.every('throwing job', 5, () => {
      throws++;
      throw new Error('disk full');
    });
    hub.every('rejecting job', 5, async () => {
      rejects++;
      throw new Error('database gone');
    });
    hub.running();
    for (let waited = 0; (throws < 3 || rejects < 3) && waited < 5000; waited += 10) await sleep(10);
    assert.ok(throws >= 3 && rejects >= 3, `both jobs kept running (${throws}, ${rejects})`);
    assert.ok(logged.some((l) => l.job === 'throwing job' && /periodic job 'throwing job' failed/.test(l.msg)));
    assert.ok(logged.some((l) => l.job === 'rejecting job'));
    assert.equal(hub.state, 'running');
    const closed: string[] = [];
    hub.onStop('drain', 'flush', () => {
      throw new Error('flush failed');
    });
    hub.onStop('close', 'store', () => {
      closed.push('store');
    });
    await hub.stop();
    assert.deepEqual(closed, ['store']);
    assert.ok(logged.some((l) => l.step === 'flush'));
    assert.match(announced[0]!, /1 shutdown step\(s\) failed/);
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
