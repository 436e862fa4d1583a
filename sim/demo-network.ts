/**
 * The simulated distribution network `npm start` runs around the hub: a Shopify-style storefront
 * (orders in by webhook, availability and fulfilments out), an Amazon-style marketplace
 * (availability out), two warehouses' WMSs (fulfilment requests in, shipments back), an EDI
 * trading partner and a 3PL exchanging X12 files through folders under the data directory, and
 * a carrier reporting deliveries. `systems` is the configuration
 * the hub needs to talk to them; `attach` starts the traffic once the hub listens.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StorefrontSimulator } from './storefront-simulator.js';
import { MarketplaceSimulator } from './marketplace-simulator.js';
import { CarrierSimulator } from './carrier-simulator.js';
import { WmsSimulator } from './wms-simulator.js';
import type { Faults } from './faults.js';
import { readInterchange, writeInterchange } from '../src/connectors/edi-x12/x12-interchange.js';
import { keptSecret } from '../src/wiring/kept-secret.js';

export interface DemoNetwork {
  systems: Record<string, object>;
  /** The storefront's webhook secret and where the EDI folders are. */
  storefrontSecret: string;
  ediFolder: string;
  thirdPartyFolder: string;
  carrier(hubUrl: string, delivered?: () => void): CarrierSimulator;
  /** Points the warehouses at the hub; they ship what it releases to them and tell the carrier. */
  attachWarehouses(hubUrl: string, apiKey: string, carrier: CarrierSimulator): void;
  /**
   * Starts the 3PL answering 940s with 945s; the carrier hears its tracking numbers. It keeps
   * the 940s it answered in the data directory, so a restart does not ship an order twice.
   */
  startThirdParty(carrier: CarrierSimulator, shipped?: (orderId: string) => void): void;
  stop(): Promise<void>;
}

/**
 * The demo's webhook secrets: the environment's when set, otherwise each generated once per data
 * directory and kept there owner-only (like admin.key), so no two installations share one and
 * none is published. The simulators sign with the same values the hub checks.
 */
export const DEMO_SECRET_FILES = { CROSSDOCK_DEMO_SHOP_SECRET: 'demo-shop.secret', CROSSDOCK_DEMO_CARRIER_SECRET: 'demo-carrier.secret' } as const;

function demoSecrets(dataDir: string): Record<keyof typeof DEMO_SECRET_FILES, string> {
  const out = {} as Record<keyof typeof DEMO_SECRET_FILES, string>;
  for (const [name, file] of Object.entries(DEMO_SECRET_FILES) as [keyof typeof DEMO_SECRET_FILES, string][]) {
    const value = process.env[name] || keptSecret(join(dataDir, file)).value;
    // The hub reads each system's secret from the variable its configuration names.
    process.env[name] = value;
    out[name] = value;
  }
  return out;
}

export type SimulatorFaults = Partial<Record<'storefront' | 'marketplace' | 'wms' | 'carrier', Partial<Faults>>>;

export async function startDemoNetwork(o: {
  dataDir: string;
  log: (msg: string) => void;
  faults?: SimulatorFaults;
  onShipped?: (location: string) => void;
}): Promise<DemoNetwork> {
  const secrets = demoSecrets(o.dataDir);
  const store = new StorefrontSimulator();
  const market = new MarketplaceSimulator();
  const warehouses = [
    new WmsSimulator({
      source: 'wms-dal',
      location: 'DAL',
      shipAfterMs: 6000,
      log: o.log,
      onShipped: (n) => {
        carrierRef?.track(n);
        o.onShipped?.('DAL');
      },
    }),
    new WmsSimulator({
      source: 'wms-atl',
      location: 'ATL',
      shipAfterMs: 8000,
      log: o.log,
      onShipped: (n) => {
        carrierRef?.track(n);
        o.onShipped?.('ATL');
      },
    }),
  ];
  const [storeUrl, marketUrl, dalUrl, atlUrl] = await Promise.all([store.start(), market.start(), ...warehouses.map((w) => w.start())]);
  let carrierRef: CarrierSimulator | undefined;
  Object.assign(store.faults, o.faults?.storefront ?? {});
  Object.assign(market.faults, o.faults?.marketplace ?? {});
  for (const w of warehouses) Object.assign(w.faults, o.faults?.wms ?? {});
  const ediFolder = join(o.dataDir, 'edi', 'acme');
  const thirdPartyFolder = join(o.dataDir, 'edi', '3pl-rno');
  for (const f of [ediFolder, thirdPartyFolder]) for (const d of ['in', 'out']) mkdirSync(join(f, d), { recursive: true });
  let timer: NodeJS.Timeout | undefined;
  let carrier: CarrierSimulator | undefined;
  return {
    storefrontSecret: secrets.CROSSDOCK_DEMO_SHOP_SECRET,
    ediFolder,
    thirdPartyFolder,
    systems: {
      shop: {
        type: 'shopify',
        channel: 'web',
        customer: 'C-42',
        webhookSecretEnv: 'CROSSDOCK_DEMO_SHOP_SECRET',
        adminUrl: storeUrl,
        locationId: store.locationId,
        rateLimit: { perSecond: 2, burst: 40 },
      },
      amazon: { type: 'amazon-listings', url: marketUrl, channel: 'amazon', sellerId: 'A2DEMOSELLER', rateLimit: { perSecond: 5, burst: 5 } },
      acme: {
        type: 'edi-x12',
        channel: 'b2b',
        customer: 'C-42',
        folder: ediFolder,
        pollSeconds: 2,
        inventoryAdviceSeconds: 30,
        us: { qualifier: 'ZZ', id: 'CROSSDOCK' },
        partner: { qualifier: 'ZZ', id: 'ACMEPLUMB' },
      },
      '3pl-rno': {
        type: 'edi-x12',
        folder: thirdPartyFolder,
        pollSeconds: 2,
        us: { qualifier: 'ZZ', id: 'CROSSDOCK' },
        partner: { qualifier: 'ZZ', id: 'RENO3PL' },
      },
      ups: { type: 'carrier', secretEnv: 'CROSSDOCK_DEMO_CARRIER_SECRET' },
      'wms-dal': { type: 'webhook', url: dalUrl },
      'wms-atl': { type: 'webhook', url: atlUrl },
    },
    attachWarehouses(hubUrl, apiKey, c) {
      carrierRef = c;
      for (const w of warehouses) w.attach(hubUrl, apiKey);
    },
    carrier(hubUrl, delivered) {
      carrier = new CarrierSimulator({
        hookUrl: `${hubUrl}/hooks/ups`,
        secret: secrets.CROSSDOCK_DEMO_CARRIER_SECRET,
        inTransitAfterMs: 3000,
        deliveredAfterMs: 9000,
        log: o.log,
        ...(delivered ? { onDelivered: () => delivered() } : {}),
      });
      Object.assign(carrier.faults, o.faults?.carrier ?? {});
      return carrier;
    },
    startThirdParty(c, shipped) {
      // The 3PL's own memory of the 940s it answered (a real one keeps this in its WMS).
      const memory = join(o.dataDir, 'sim', '3pl-rno-answered.txt');
      mkdirSync(join(o.dataDir, 'sim'), { recursive: true });
      const seen = new Set<string>(existsSync(memory) ? readFileSync(memory, 'utf8').split('\n').filter(Boolean) : []);
      let control = Date.now() % 100_000_000;
      timer = setInterval(() => {
        const out = join(thirdPartyFolder, 'out');
        if (!existsSync(out)) return;
        for (const name of readdirSync(out).filter((f) => f.startsWith('940') && !seen.has(f))) {
          seen.add(name);
          appendFileSync(memory, `${name}\n`);
          try {
            for (const group of readInterchange(readFileSync(join(out, name), 'utf8')).groups) {
              for (const tx of group.transactions) {
                const orderId = tx.segments.find((s) => s[0] === 'W05')?.[2];
                if (!orderId) continue;
                const tracking = `1ZRNO${++control}`;
                const segments = [
                  ['W06', 'N', orderId, new Date().toISOString().slice(0, 10).replace(/-/g, ''), `SHP${control}`],
                  ['N9', 'BM', tracking],
                  ['W27', 'M', 'UPSN'],
                  ...tx.segments
                    .filter((s) => s[0] === 'W01')
                    .flatMap((s, i) => [
                      ['LX', String(i + 1)],
                      ['W12', 'CC', s[1]!, s[1]!, '0', 'EA', '', 'VN', s[5]!],
                    ]),
                ];
                writeFileSync(
                  join(thirdPartyFolder, 'in', `945-${control}.edi`),
                  writeInterchange({
                    sender: { qualifier: 'ZZ', id: 'RENO3PL' },
                    receiver: { qualifier: 'ZZ', id: 'CROSSDOCK' },
                    control,
                    at: new Date(),
                    usage: 'P',
                    groups: [{ functionalId: 'SW', control, transactions: [{ set: '945', control: 1, segments }] }],
                  }),
                );
                c.track(tracking, 'UPSN');
                shipped?.(orderId);
              }
            }
          } catch (err) {
            o.log(`demo 3PL: ${String(err)}`);
          }
        }
      }, 4000);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      carrier?.stop();
      await Promise.all([store.close(), market.close(), ...warehouses.map((w) => w.close())]);
    },
  };
}
