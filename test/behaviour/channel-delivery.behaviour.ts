/**
 * Channel availability delivery both backends must show alike: a channel's system receives the
 * latest figure of every item that moved, coalesced; through an outage nothing is lost and
 * nothing applied twice; a message the receiver refuses is set aside and the rest moves on.
 * Run by channel-delivery-embedded.test.ts and channel-delivery-scale-out.test.ts.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { WebhookReceiver } from '../../sim/webhook-receiver.js';
import { movement, snapshot, NETWORK } from '../support/test-hub.js';
import { skipReason, type Backend, type HarnessHub } from '../support/backends.js';

const waitFor = async (what: string, check: () => boolean, ms = 30_000) => {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

export async function channelDeliveryBehaviour(backend: Backend): Promise<void> {
  const skip = await skipReason(backend);
  describe(`channel delivery on the ${backend.name} backend`, { skip }, () => {
    const receiver = new WebhookReceiver();
    let hub: HarnessHub;
    before(async () => {
      const url = await receiver.start();
      hub = await backend.start({
        ...NETWORK,
        systems: {
          shop: {
            type: 'webhook',
            url,
            channel: 'amazon',
            batchSize: 50,
            retry: { maxAttempts: 1000, baseMs: 20, maxMs: 200 },
            circuitBreaker: { failures: 50, openSeconds: 1 },
          },
        },
      } as never);
    });
    after(async () => {
      await hub?.stop();
      await receiver.close();
    });
    const latest = () => {
      const last = new Map<string, number>();
      for (const m of receiver.applied.values()) if (m.topic === 'availability.changed') last.set(m.key, (m.payload as { available: number }).available);
      return last;
    };

    test("the channel's system receives the latest figure of every item that moved", async () => {
      await hub.api(
        'POST',
        '/v1/events',
        Array.from({ length: 120 }, (_, i) => snapshot({ source: 'wms-dal', seq: 10 + i, sku: `CD-${i}`, location: 'DAL', onHand: 10 + i })),
      );
      await hub.api(
        'POST',
        '/v1/events',
        Array.from({ length: 120 }, (_, i) => movement({ source: 'wms-dal', seq: 200 + i, sku: `CD-${i}`, location: 'DAL', delta: { onHand: -5 } })),
      );
      await waitFor('every item at its figure', () =>
        Array.from({ length: 120 }, (_, i) => i).every((i) => latest().get(`CD-${i}`) === Math.floor((5 + i) * 0.8)),
      );
      // Only the amazon channel's figures go to it, and no batch is larger than its limit.
      assert.ok([...receiver.applied.values()].every((m) => (m.payload as { channel: string }).channel === 'amazon'));
      assert.ok(receiver.calls.every((c) => c.messages <= 50));
      assert.equal(receiver.duplicates, 0);
    });

    test('through an outage nothing is lost and nothing is applied twice', async () => {
      receiver.faults.outage = true;
      await hub.api(
        'POST',
        '/v1/events',
        Array.from({ length: 30 }, (_, i) => movement({ source: 'wms-dal', seq: 400 + i, sku: `CD-${i}`, location: 'DAL', delta: { onHand: 20 } })),
      );
      await waitFor('a refused call', () => receiver.calls.some((c) => c.status === 503));
      receiver.faults.outage = false;
      await waitFor('the moved items at their new figures', () =>
        Array.from({ length: 30 }, (_, i) => i).every((i) => latest().get(`CD-${i}`) === Math.floor((25 + i) * 0.8)),
      );
      assert.equal(receiver.duplicates, 0);
    });

    test('a message the receiver refuses is set aside; the rest moves on', async () => {
      receiver.faults.poisonKeys = ['CD-POISON'];
      await hub.api('POST', '/v1/events', [
        snapshot({ source: 'wms-dal', seq: 600, sku: 'CD-POISON', location: 'DAL', onHand: 50 }),
        snapshot({ source: 'wms-dal', seq: 601, sku: 'CD-AFTER', location: 'DAL', onHand: 50 }),
      ]);
      await waitFor('the good item', () => latest().get('CD-AFTER') === 40);
      assert.equal(latest().get('CD-POISON'), undefined);
      // An operator sees it with its error, fixes the receiver and retries it.
      let dead: { id: number; message: { key: string }; lastError: string }[] = [];
      for (const until = Date.now() + 30_000; dead.length === 0; ) {
        assert.ok(Date.now() < until, 'timed out waiting for the dead letter');
        dead = (await hub.api('GET', '/v1/dead-letters?destination=shop')).body.deadLetters;
        if (dead.length === 0) await new Promise((r) => setTimeout(r, 50));
      }
      assert.deepEqual(
        dead.map((d) => d.message.key),
        ['CD-POISON'],
      );
      assert.match(dead[0]!.lastError, /422/);
      receiver.faults.poisonKeys = [];
      assert.equal((await hub.api('POST', `/v1/dead-letters/${dead[0]!.id}/retry`)).status, 200);
      await waitFor('the retried item', () => latest().get('CD-POISON') === 40);
      const status = await hub.api('GET', '/v1/deliveries');
      assert.deepEqual(
        status.body.destinations.map((d: { destination: string }) => d.destination),
        ['shop'],
      );
      // The receiver may apply the message a moment before the hub records that it did.
      let retried = '';
      for (const until = Date.now() + 10_000; retried !== 'delivered' && Date.now() < until; ) {
        retried = (await hub.api('GET', `/v1/dead-letters/${dead[0]!.id}`)).body.status;
        if (retried !== 'delivered') await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(retried, 'delivered');
    });

    test('a dead letter discarded through the API keeps its reason and is never sent again', async () => {
      receiver.faults.poisonKeys = ['CD-DISCARD'];
      await hub.api('POST', '/v1/events', [snapshot({ source: 'wms-dal', seq: 700, sku: 'CD-DISCARD', location: 'DAL', onHand: 30 })]);
      let dead: { id: number; message: { key: string } }[] = [];
      for (const until = Date.now() + 30_000; dead.length === 0; ) {
        assert.ok(Date.now() < until, 'timed out waiting for the dead letter');
        dead = (await hub.api('GET', '/v1/dead-letters?destination=shop')).body.deadLetters.filter(
          (d: { message: { key: string } }) => d.message.key === 'CD-DISCARD',
        );
        if (dead.length === 0) await new Promise((r) => setTimeout(r, 50));
      }
      const id = dead[0]!.id;
      const reason = 'the marketplace listing was closed by hand';
      const discarded = await hub.api('POST', `/v1/dead-letters/${id}/discard`, { reason });
      assert.equal(discarded.status, 200, JSON.stringify(discarded.body));
      // Read back, not taken from the answer: the reason is kept with the letter.
      const kept = (await hub.api('GET', `/v1/dead-letters/${id}`)).body;
      assert.deepEqual([kept.status, kept.note], ['discarded', reason]);
      const listed = (await hub.api('GET', '/v1/dead-letters?destination=shop&status=discarded')).body.deadLetters;
      assert.deepEqual(
        listed.filter((d: { id: number }) => d.id === id).map((d: { status: string; note: string }) => [d.status, d.note]),
        [['discarded', reason]],
      );
      assert.equal((await hub.api('POST', `/v1/dead-letters/${id}/discard`, { reason: 'again' })).status, 409);
      assert.equal((await hub.api('POST', `/v1/dead-letters/${id}/retry`)).status, 409, 'a discarded letter cannot be retried');
      // A retry of every dead letter, once the receiver takes it again, leaves the discarded one alone.
      receiver.faults.poisonKeys = [];
      assert.equal((await hub.api('POST', '/v1/dead-letters/retry', {})).status, 200);
      await hub.api('POST', '/v1/events', [snapshot({ source: 'wms-dal', seq: 701, sku: 'CD-MARKER', location: 'DAL', onHand: 30 })]);
      await waitFor('a later message', () => latest().get('CD-MARKER') === 24);
      assert.equal(latest().get('CD-DISCARD'), undefined, 'the discarded message was never delivered');
      assert.equal((await hub.api('GET', `/v1/dead-letters/${id}`)).body.status, 'discarded');
    });
  });
}
