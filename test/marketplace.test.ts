import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MarketplaceSimulator } from '../sim/marketplace-simulator.js';
import { startOrderHub } from './support/order-hub.js';
import { snapshot } from './support/test-hub.js';

const waitFor = async (what: string, check: () => boolean, ms = 30_000) => {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

test("a marketplace at 5 calls/s gets zero crossings before surplus changes, with no 429, and ends with the hub's figures", { timeout: 60_000 }, async () => {
  const market = new MarketplaceSimulator();
  const url = await market.start();
  const hub = await startOrderHub({
    file: { systems: { amazon: { type: 'amazon-listings', url, channel: 'amazon', sellerId: 'A2SELLER', rateLimit: { perSecond: 5, burst: 5 } } } } as never,
  });
  try {
    const skus = Array.from({ length: 30 }, (_, i) => `MK-${i}`);
    let seq = 3_000_000;
    await hub.api(
      'POST',
      '/v1/events',
      skus.map((sku) => snapshot({ source: 'wms-dal', seq: ++seq, sku, location: 'DAL', onHand: 10 })),
    );
    await waitFor('the opening figures', () => skus.every((s) => market.quantities.get(s) === 8));
    const before = market.log.length;
    // 20 items get more stock, 10 run out: the ones that ran out must go first.
    await hub.api(
      'POST',
      '/v1/events',
      skus.map((sku, i) => snapshot({ source: 'wms-dal', seq: ++seq, sku, location: 'DAL', onHand: i < 20 ? 20 : 0 })),
    );
    await waitFor('every new figure', () => skus.every((s, i) => market.quantities.get(s) === (i < 20 ? 16 : 0)));
    assert.deepEqual(new Set(market.log.slice(before, before + 10)), new Set(skus.slice(20)), 'the ten that crossed zero went first');
    assert.equal(market.calls.throttled, 0);
  } finally {
    await hub.stop();
    await market.close();
  }
});

test('a patch the marketplace answers 200 INVALID is given up on with its issues, not counted as delivered; the other items go on', {
  timeout: 60_000,
}, async () => {
  const market = new MarketplaceSimulator();
  market.unlisted.add('MK-GONE');
  const url = await market.start();
  const hub = await startOrderHub({
    file: {
      systems: {
        amazon: {
          type: 'amazon-listings',
          url,
          channel: 'amazon',
          sellerId: 'A2SELLER',
          rateLimit: { perSecond: 50, burst: 5 },
          retry: { maxAttempts: 3, baseMs: 50, maxMs: 200 },
        },
      },
    } as never,
  });
  try {
    let seq = 3_500_000;
    await hub.api(
      'POST',
      '/v1/events',
      ['MK-A', 'MK-GONE', 'MK-B'].map((sku) => snapshot({ source: 'wms-dal', seq: ++seq, sku, location: 'DAL', onHand: 10 })),
    );
    await waitFor('the listed items', () => market.quantities.get('MK-A') === 8 && market.quantities.get('MK-B') === 8);
    let dead: { reason?: string; lastError?: string; message?: { payload?: { sku?: string } } }[] = [];
    const until = Date.now() + 20_000;
    while (dead.length === 0 && Date.now() < until) {
      dead = (await hub.api('GET', '/v1/dead-letters?destination=amazon')).body.deadLetters;
      if (dead.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(dead.length, 1, JSON.stringify(dead));
    assert.match(JSON.stringify(dead[0]), /MK-GONE: the marketplace did not accept the submission \(INVALID\): 4000003 The Amazon product type/);
    assert.equal(market.quantities.has('MK-GONE'), false);
  } finally {
    await hub.stop();
    await market.close();
  }
});
