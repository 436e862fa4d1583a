/**
 * The operations console in a real browser (Debian's chromium through playwright-core) against a
 * hub running the simulated network, as a person would use it: sign in, watch the dashboard move,
 * read an order's timeline, open an item's explanation, see a destination fail (the marketplace
 * simulator's injected outage) and its dead letters resolve after it comes back and the group is
 * retried, and release an EDI 850 parked for an unknown part number by adding the mapping. Each
 * view is screenshotted into test-artifacts/console/ and scanned with axe-core: no serious or
 * critical violation.
 */
import { describe, test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { loadHubConfig } from '../src/config/hub-config.js';
import { startHub, type Hub } from '../src/main.js';
import { writeInterchange } from '../src/connectors/edi-x12/x12-interchange.js';
import { demoExtension } from '../sim/demo-hub.js';
import { ADMIN_KEY, apiClient, tempDataDir } from './support/test-hub.js';
import { until } from './support/until.js';
import { ARTIFACTS, browserSkipReason, launchBrowser, seriousViolations } from './support/browser.js';

const skip = browserSkipReason();

describe('the operations console in a browser', { skip, timeout: 180_000 }, () => {
  let hub: Hub;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  let systems: Record<string, any> = {};
  let ediFolder = '';
  const api = () => apiClient(hub.url);

  before(async () => {
    const dataDir = tempDataDir();
    const config = loadHubConfig({ CROSSDOCK_DATA_DIR: dataDir, CROSSDOCK_ADMIN_KEY: ADMIN_KEY, PORT: '0', HOST: '127.0.0.1' });
    // Exceptions brought in line with their causes quickly, so the test does not wait on the default 10 s.
    config.file = { ...config.file, exceptions: { ...(config.file.exceptions ?? {}), reconcileMs: 300 } };
    const demo = demoExtension(config, () => {});
    const prepare = demo.prepare!.bind(demo);
    demo.prepare = async (c, log) => {
      const parts = await prepare(c, log);
      systems = (parts?.systems ?? {}) as Record<string, any>;
      // The marketplace gives up on a message after two quick attempts (default: ten over minutes),
      // and the EDI partner may send its buyer part numbers (BP) beside the hub's SKUs (VN).
      systems.amazon = { ...systems.amazon, retry: { maxAttempts: 2, baseMs: 20, maxMs: 50 }, circuitBreaker: { failures: 1000, openSeconds: 1 } };
      // The storefront too, for the step where a second destination fails and is handled from the connectors view.
      systems.shop = { ...systems.shop, retry: { maxAttempts: 2, baseMs: 20, maxMs: 50 }, circuitBreaker: { failures: 1000, openSeconds: 1 } };
      systems.acme = { ...systems.acme, itemQualifier: 'VN', itemQualifiers: ['BP'] };
      ediFolder = systems.acme.folder;
      return parts;
    };
    hub = await startHub({ config, logger: false, extensions: [demo] });
    browser = await launchBrowser();
    page = browser.page;
  });

  afterEach(async (t) => {
    // What the page showed at the end of each step (the one a failed step left, for whoever reads the failure).
    await page?.screenshot({ path: join(ARTIFACTS, `after-${t.name.slice(0, 40).replace(/[^a-z0-9]+/gi, '-')}.png`), fullPage: true });
  });

  after(async () => {
    await browser?.close();
    await hub?.close();
  });

  // Going to the URL the page is on changes no hash, so the view would not load again: reload it then.
  const go = async (hash: string) => {
    const target = `${hub.url}/console/#/${hash}`;
    const same = page.url() === target;
    await page.goto(target);
    if (same) await page.reload();
  };
  const view = async (name: string) => {
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
    const violations = await seriousViolations(page);
    assert.deepEqual(violations, [], `${name}: ${JSON.stringify(violations, null, 1)}`);
  };
  // Stock moving at Dallas, as its WMS would send it: the channels' figures change and go to the destinations at once
  // (the demo's own traffic may be minutes apart).
  const moved = async (sku: string) => {
    const seq = Date.now() * 1000 + 999;
    const r = await api()('POST', '/v1/events', [
      {
        id: `console-move-${seq}`,
        type: 'inventory.movement',
        source: 'wms-dal',
        seq,
        occurredAt: new Date().toISOString(),
        sku,
        location: 'DAL',
        reason: 'adjustment',
        delta: { onHand: 1 },
      },
    ]);
    assert.equal(r.body.accepted, 1, JSON.stringify(r.body));
  };
  const textOf = async (l: Locator) => (await l.textContent()) ?? '';
  const text = (selector: string) => textOf(page.locator(selector).first());

  test('signing in: a wrong key is told in words, a right one is taken and never shown back, and a key sees only what its scopes allow', async () => {
    await page.goto(`${hub.url}/console/`);
    await page.getByLabel('API key').fill('cdk_wrong-key-000000000000000000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'did not accept this key' }).waitFor();
    await view('sign-in');

    const reader = await api()('POST', '/v1/keys', { name: 'console-reader', scopes: ['orders:read'] });
    await page.getByLabel('API key').fill(reader.body.key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Signed in as').waitFor();
    const nav = page.getByRole('navigation', { name: 'Views' });
    assert.deepEqual(await nav.getByRole('link').allTextContents(), ['Orders']);
    await page.getByRole('button', { name: 'Sign out' }).click();

    await page.getByLabel('API key').fill(ADMIN_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Signed in as').waitFor();
    assert.deepEqual(await nav.getByRole('link').allTextContents(), [
      'Dashboard',
      'Availability',
      'Orders',
      'Exceptions',
      'Connectors',
      'Master data',
      'Audit trail',
    ]);
    const html = await page.content();
    assert.ok(!html.includes(ADMIN_KEY), 'the key is nowhere in the page');
    // Keyboard: the first Tab reaches the skip link, the next the first view.
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Dashboard');
  });

  test('the dashboard updates live', async () => {
    await go('dashboard');
    await page.getByText('Live: updated every second.').waitFor();
    const position = page.locator('[data-figure="position"]');
    const first = await until(
      'a first figure',
      () => textOf(position),
      (t) => /^\d+$/.test(t),
      20_000,
      100,
    );
    await until(
      'the event log position to move',
      () => textOf(position),
      (t) => t !== first,
      20_000,
      100,
    );
    assert.equal(await page.locator('figure.chart canvas').count(), 2, 'two charts drawn');
    await view('dashboard');
    await page.setViewportSize({ width: 820, height: 1180 });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-tablet.png'), fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
    assert.equal(overflow, false, 'no sideways scrolling at tablet width');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  test('an order found by search, and its timeline read', async () => {
    const orders = await until(
      'the demo traffic to capture an order',
      async () => (await api()('GET', '/v1/orders?limit=5')).body.orders ?? [],
      (o: any[]) => o.length > 0,
      40_000,
      250,
    );
    const order = orders[0];
    await go('orders');
    await page.getByLabel('Channel', { exact: true }).fill(order.channel);
    await page.getByLabel("Channel's order number").fill(order.externalId);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: order.id }).click();
    await page.getByRole('heading', { name: `Order ${order.id}` }).waitFor();
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    assert.ok((await page.locator('ol.timeline li').count()) > 0, 'the timeline has entries');
    assert.match(await text('ol.timeline li'), /captured|accepted|capture/i);
    await view('order');
    await go('orders');
    await page.locator('table').waitFor();
    await view('orders');
  });

  test("an item's figure on each channel with its explanation", async () => {
    await go('availability');
    await page.getByText("Enter an item's SKU").waitFor();
    await page.getByLabel('Item (SKU)').fill('ABC-100');
    await page.getByRole('button', { name: 'Explain' }).click();
    const web = page.locator('[data-channel-figure="web"]');
    await web.waitFor();
    const figure = Number(await textOf(web));
    const explained = await api()('GET', '/v1/availability/ABC-100?channel=web');
    assert.ok(Number.isInteger(figure) && figure >= 0);
    assert.ok(Math.abs(figure - explained.body.available) < 1000);
    await page.getByText('Why web shows').click();
    await page.getByRole('cell', { name: 'wms-dal (authority)' }).first().waitFor();
    await view('availability');
  });

  test('a destination that fails shows as exceptions, and once it is back a group retry resolves them', async () => {
    const marketplace = systems.amazon.url as string;
    const fault = (outage: boolean) =>
      fetch(`${marketplace}/_sim/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outage }) });
    assert.equal((await fault(true)).status, 200);
    await go('exceptions');
    await page.getByLabel('Class').selectOption('dead_letter');
    await page.getByRole('button', { name: 'Filter' }).click();
    await until(
      'the dead-letter exception to show',
      async () => {
        await page.reload();
        await page.locator('.empty, table').first().waitFor();
        return page.getByRole('link', { name: 'destination:amazon' }).count();
      },
      (n) => n > 0,
      40_000,
      500,
    );
    await view('exceptions');

    const back = new Date().toISOString();
    assert.equal((await fault(false)).status, 200);
    await moved('ABC-100');
    await until(
      'the marketplace to take deliveries again',
      async () => (await api()('GET', '/v1/deliveries')).body.destinations.find((d: any) => d.destination === 'amazon'),
      (d: any) => d.circuit === 'closed' && d.lastSuccessAt > back,
      30_000,
      200,
    );
    await go('connectors');
    await page.getByRole('heading', { name: 'Dead letters for amazon' }).waitFor();
    await view('connectors');

    await go(`exceptions?group=${encodeURIComponent('destination:amazon')}&status=open`);
    await page.getByLabel('Action for the whole group').selectOption('retry');
    await page.getByRole('button', { name: 'Apply to the group' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: /retry applied to (\d+) of \1 exceptions/ })
      .waitFor();
    await until(
      'every exception of the group to resolve',
      async () => {
        await go(`exceptions?group=${encodeURIComponent('destination:amazon')}`);
        await page.locator('table, .empty').first().waitFor();
        return page.locator('td[data-exception-status]').allTextContents();
      },
      (s) => s.length > 0 && s.every((x) => x === 'auto resolved' || x === 'resolved'),
      30_000,
      300,
    );
    await page.locator('tbody th a').first().click();
    await page.getByRole('heading', { name: 'History' }).waitFor();
    assert.match(await textOf(page.locator('ol.timeline')), /delivered on retry/);
    await view('exception');
  });

  test('a second destination (the storefront) fails: its dead letters are discarded with a reason, retried and replayed from the connectors view', async () => {
    const storefront = systems.shop.adminUrl as string;
    const fault = (outage: boolean) =>
      fetch(`${storefront}/_sim/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outage }) });
    assert.equal((await fault(true)).status, 200);
    await go('connectors');
    const shop = page.locator('section[data-destination="shop"]');
    const rows = shop.locator('tr[data-dead-letter]');
    const deadLetters = (atLeast: number) =>
      until(
        `the storefront to have ${atLeast} dead letter(s)`,
        async () => {
          await page.getByRole('button', { name: 'Refresh' }).click();
          await page.locator('section[data-destination="shop"] h2').waitFor();
          return rows.count();
        },
        (n) => n >= atLeast,
        30_000,
        300,
      );
    // The web channel's figures go to the storefront and die there.
    await moved('ABC-100');
    await deadLetters(1);
    await moved('ABC-100');
    await deadLetters(2);
    await moved('ABC-100');
    await deadLetters(3);
    const first = Number(await rows.first().getAttribute('data-dead-letter'));

    // Discarding asks first, and needs a reason.
    await shop.getByRole('button', { name: `Discard dead letter ${first}` }).click();
    await shop.getByText('for good?').waitFor();
    await view('connectors-dead-letters');
    await shop.getByLabel(`Why discard dead letter ${first}`).fill('storefront listing removed by hand');
    await shop.getByRole('button', { name: `Yes, discard dead letter ${first}` }).click();
    await shop
      .getByRole('status')
      .filter({ hasText: `Dead letter ${first} ` })
      .filter({ hasText: 'was discarded: storefront listing removed by hand. It will not be sent to shop.' })
      .waitFor();
    const discarded = (await api()('GET', `/v1/dead-letters/${first}`)).body;
    assert.equal(discarded.status, 'discarded');
    assert.match(discarded.note ?? '', /storefront listing removed by hand/);
    assert.equal(await shop.locator(`tr[data-dead-letter="${first}"]`).count(), 0, 'the discarded letter is no longer listed');

    // The storefront comes back; the rest are retried from the connectors view and delivered.
    const back = new Date().toISOString();
    assert.equal((await fault(false)).status, 200);
    await moved('ABC-100');
    await until(
      'the storefront to take deliveries again',
      async () => (await api()('GET', '/v1/deliveries')).body.destinations.find((d: any) => d.destination === 'shop'),
      (d: any) => d.circuit === 'closed' && d.lastSuccessAt > back,
      30_000,
      200,
    );
    await page.getByRole('button', { name: 'Refresh' }).click();
    const dead = (await api()('GET', '/v1/dead-letters?destination=shop&status=dead')).body.deadLetters.map((d: any) => d.id);
    assert.ok(dead.length >= 2);
    // One on its own, then the rest together.
    await shop.getByRole('button', { name: `Retry dead letter ${dead[0]}` }).click();
    await shop.getByRole('button', { name: `Yes, retry dead letter ${dead[0]}` }).click();
    await shop
      .getByRole('status')
      .filter({ hasText: new RegExp(`^Dead letter ${dead[0]} \\(.+\\) is queued for shop again\\.$`) })
      .waitFor();
    assert.equal(await shop.locator(`tr[data-dead-letter="${dead[0]}"]`).count(), 0, 'the retried letter is no longer listed as dead');
    await shop.getByRole('button', { name: 'Retry all for shop' }).click();
    await shop.getByRole('button', { name: /^Yes, retry \d+ dead letters?$/ }).click();
    await shop
      .getByRole('status')
      .filter({ hasText: /^\d+ dead letters? for shop queued for delivery again\./ })
      .waitFor();
    await until(
      'every retried dead letter to be delivered to the storefront',
      async () => Promise.all(dead.map(async (id: number) => (await api()('GET', `/v1/dead-letters/${id}`)).body.status)),
      (s: string[]) => s.every((x) => x === 'delivered'),
      30_000,
      200,
    );

    // And the last hour sent again, as after the storefront lost its own data.
    await shop.getByRole('button', { name: 'Replay…' }).click();
    await shop.getByRole('button', { name: 'Yes, replay to shop' }).click();
    await shop
      .getByRole('status')
      .filter({ hasText: /^\d+ messages? from .+ UTC queued for shop again\.$/ })
      .waitFor();
  });

  test('an EDI 850 parked for an unknown part number is captured once the mapping is added in the console', async () => {
    const po = `PO-CONSOLE-${Date.now() % 100000}`;
    writeFileSync(
      join(ediFolder, 'in', `${po}.edi`),
      writeInterchange({
        sender: { qualifier: 'ZZ', id: 'ACMEPLUMB' },
        receiver: { qualifier: 'ZZ', id: 'CROSSDOCK' },
        control: 990001,
        at: new Date(),
        usage: 'P',
        groups: [
          {
            functionalId: 'PO',
            control: 990001,
            transactions: [
              {
                set: '850',
                control: 1,
                segments: [
                  ['BEG', '00', 'SA', po, '', new Date().toISOString().slice(0, 10).replace(/-/g, '')],
                  ['PO1', '1', '2', 'EA', '12.50', '', 'BP', 'ACME-BP-777'],
                  ['CTT', '1'],
                ],
              },
            ],
          },
        ],
      }),
    );
    const parked = await until(
      'the 850 to be parked',
      async () => (await api()('GET', '/v1/exceptions?class=unknown_cross_reference&status=open')).body.exceptions ?? [],
      (xs: any[]) => xs.some((x) => /ACME-BP-777/.test(x.error)),
      30_000,
      250,
    );
    const exception = parked.find((x: any) => /ACME-BP-777/.test(x.error));
    await go('exceptions');
    await page.getByLabel('Class').selectOption('unknown_cross_reference');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('link', { name: `#${exception.id}` }).click();
    await page.getByRole('heading', { name: 'Add the mapping and replay' }).waitFor();
    await view('exception-parked');
    // Taken on by the team that talks to the partner, and acknowledged, before it is fixed.
    await page.getByLabel('Assign to team').fill('edi-partners');
    await page.getByRole('button', { name: 'Assign' }).click();
    await page.getByRole('status').filter({ hasText: 'assign: done' }).waitFor();
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await page.getByRole('status').filter({ hasText: 'acknowledge: done. The exception is now acknowledged.' }).waitFor();
    const after = (await api()('GET', `/v1/exceptions/${exception.id}`)).body;
    assert.equal(after.owner, 'edi-partners');
    assert.deepEqual(
      after.history.map((h: any) => `${h.action} by ${h.actor}`),
      ['opened by hub', 'assign by admin', 'acknowledge by admin'],
    );
    await page.getByLabel('Hub item id for acme BP ACME-BP-777').fill('ABC-100');
    await page.getByRole('button', { name: 'Add mapping and replay' }).click();
    await page.getByRole('status').filter({ hasText: '1 waiting document replayed' }).waitFor();

    await go('orders');
    await page.getByLabel('Channel', { exact: true }).fill('b2b');
    await page.getByLabel("Channel's order number").fill(po);
    await page.getByRole('button', { name: 'Search' }).click();
    const row = page.getByRole('row').filter({ hasText: po });
    await row.waitFor();
    assert.match(await textOf(row), /2 × ABC-100/);
  });

  test('master data: the cross-reference added is found', async () => {
    await go('master-data');
    await page.getByLabel('System', { exact: true }).first().fill('acme');
    await page.getByLabel("System's id").first().fill('ACME-BP-777');
    await page.getByRole('button', { name: 'Search' }).click();
    const row = page.getByRole('row').filter({ hasText: 'ACME-BP-777' });
    await row.waitFor();
    assert.match(await textOf(row), /ABC-100/);

    // One added by hand: the storefront's variant id for the shop towels.
    const add = page.getByRole('region', { name: 'Add a cross-reference' });
    await add.getByLabel('System', { exact: true }).fill('shop');
    await add.getByLabel("System's id").fill('SHOP-VAR-200');
    await add.getByLabel("Hub's id").fill('ABC-200');
    await add.getByRole('button', { name: 'Add' }).click();
    await add.getByRole('status').filter({ hasText: 'Added. 0 waiting documents replayed.' }).waitFor();
    const added = (await api()('GET', '/v1/xrefs?kind=item&system=shop&scheme=id&external=SHOP-VAR-200')).body.xrefs;
    assert.deepEqual(
      added.map((x: any) => x.id),
      ['ABC-200'],
    );

    // A CSV of two, one without the partner's id: the good one is imported, the other named by its line.
    const csv = page.getByRole('region', { name: 'Import cross-references from CSV' });
    await csv.getByLabel('CSV text').fill('kind,system,scheme,external,id\nitem,acme,BP,ACME-BP-900,ABC-200\nitem,acme,BP,,ABC-100\n');
    await csv.getByRole('button', { name: 'Import' }).click();
    const imported = csv.getByRole('status').filter({ hasText: '1 added, 0 waiting documents replayed.' });
    await imported.waitFor();
    assert.match(await textOf(imported), /Rejected: line 3: .*external/);
    // Every system's id for the shop towels: the one added and the one imported.
    await go(`master-data?${new URLSearchParams({ id: 'ABC-200' }).toString()}`);
    await page.getByRole('row').filter({ hasText: 'ACME-BP-900' }).waitFor();
    await page.getByRole('row').filter({ hasText: 'SHOP-VAR-200' }).waitFor();
    await view('master-data');
  });

  test('master data: the items listed by the start of their SKU, each with its base unit and conversions, a page at a time', async () => {
    // Shop towels are also sold by the case of 12, and the EDI partner packs them in bundles of 6.
    assert.equal(
      (await api()('PUT', '/v1/items/ABC-200', { description: 'Shop towels, case of 12', uom: 'EA', units: { CA: 12 }, partnerUnits: { acme: { BD: 6 } } }))
        .status,
      200,
    );
    await go('master-data');
    await page.getByLabel('SKU starts with').fill('ABC-');
    await page.getByRole('button', { name: 'List items' }).click();
    const towels = page.locator('tr[data-item="ABC-200"]');
    // The view may first show every item; the filtered page replaces it when its answer arrives.
    await until(
      'the items starting with ABC-',
      async () => page.locator('tr[data-item]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-item'))),
      (l: (string | null)[]) => l.join(',') === 'ABC-100,ABC-200',
      10_000,
      100,
    );
    assert.deepEqual(await towels.locator('td').allTextContents(), ['Shop towels, case of 12', 'EA', '1 CA = 12 EA', 'acme: 1 BD = 6 EA']);
    assert.match(await textOf(page.locator('tr[data-item="ABC-100"]')), /EA.*none besides the base unit/);
    await page.getByRole('columnheader', { name: 'Base unit' }).waitFor();
    await view('master-data-items');
    // From the list to the item's availability and its recent changes.
    await page.getByRole('link', { name: 'ABC-100' }).click();
    await page.getByRole('heading', { name: 'Recent changes' }).waitFor();
    const changes = page.locator('table[data-changes="ABC-100"] tbody tr');
    await changes.first().waitFor();
    assert.match(await textOf(changes.first()), /(DAL|ATL|RNO).*(authority|shadow).*(count|:)/);
    await page.getByLabel('Locations').selectOption('amazon');
    await until(
      "the changes at amazon's locations",
      async () => page.locator('table[data-changes="ABC-100"] tbody tr th').allTextContents(),
      (l: string[]) => l.length > 0 && l.every((x) => x === 'DAL' || x === 'ATL'),
      10_000,
      100,
    );
    await view('availability-changes');
  });

  test('the audit trail shows the group retry made through the console, by the signed-in key', async () => {
    await go('audit');
    await page.getByLabel('Entity').fill('exception_group');
    await page.getByRole('button', { name: 'Filter' }).click();
    const row = page.getByRole('row').filter({ hasText: 'POST /v1/exception-groups/:group/actions/:action' }).first();
    await row.waitFor();
    assert.match(await textOf(row), /admin/);
    assert.match(await textOf(row), /destination:amazon/);
    await view('audit');
  });
});
