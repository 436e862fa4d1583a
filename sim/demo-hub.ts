/**
 * The demo `npm start` runs, handed to the hub from outside src/ (bin/crossdock.js): the
 * in-process ERP simulator, the simulated network around the hub (storefront, marketplace,
 * warehouses, EDI partner, 3PL, carrier), the traffic that drives it and the story it prints.
 * What runs follows the configuration's `demo` section; without one this adds nothing.
 */
import { HttpErpConnector } from '../src/adapters/http/http-erp-connector.js';
import type { HubConfig } from '../src/config/hub-config.js';
import type { HubExtension, StartedHub } from '../src/wiring/hub-extension.js';
import { ErpSimulator } from './erp-simulator.js';
import { startDemoNetwork, type DemoNetwork } from './demo-network.js';
import { DemoStory } from './demo-story.js';
import { startInventoryTraffic, type Traffic } from './inventory-traffic.js';
import { startOrderTraffic } from './order-traffic.js';

export function demoExtension(config: HubConfig, print: (line: string) => void): HubExtension {
  const demo = config.file.demo;
  let erpSimulator: ErpSimulator | undefined;
  let network: DemoNetwork | undefined;
  let story: DemoStory | undefined;
  const traffic: Traffic[] = [];
  return {
    name: 'demo network',
    async prepare(_config, log) {
      if (!demo) return {};
      const warn = (m: string) => log.warn(m);
      let erp: HttpErpConnector | undefined;
      if (demo.erpSimulator && !config.file.erp?.url) {
        erpSimulator = new ErpSimulator();
        Object.assign(erpSimulator.faults, demo.faults?.erp ?? {});
        erp = new HttpErpConnector(await erpSimulator.start());
      }
      // The simulated network runs beside one embedded hub; scale-out processes get the ERP simulator only, as before.
      if (demo.network && config.backend === 'embedded') {
        network = await startDemoNetwork({
          dataDir: config.dataDir,
          log: warn,
          ...(demo.faults ? { faults: demo.faults } : {}),
          onShipped: () => story?.milestone('shipped'),
        });
        story = new DemoStory({ print, ediFolders: [network.ediFolder, network.thirdPartyFolder] });
      }
      return { ...(network ? { systems: network.systems } : {}), ...(erp ? { erp } : {}) };
    },
    started(hub: StartedHub) {
      if (!demo) return;
      const warn = (m: string) => hub.log.warn(m);
      const skus = Object.keys(config.file.items ?? {});
      if (demo.seedStock || (config.demoTraffic && demo.traffic)) {
        traffic.push(
          startInventoryTraffic({
            url: hub.url,
            apiKey: hub.adminKey,
            skus,
            sources: hub.locations.map((l) => ({ source: l.authority, location: l.id })),
            eventsPerSecond: config.demoTraffic ? (demo.traffic?.eventsPerSecond ?? 0) : 0,
            seedStock: (demo.seedStock ?? false) && hub.freshLog,
            log: warn,
            ...(story ? { moved: (location: string, delta: number) => story!.moved(location, delta) } : {}),
          }),
        );
      }
      if (config.demoTraffic && (demo.traffic?.ordersPerMinute ?? 0) > 0) {
        traffic.push(
          startOrderTraffic({
            url: hub.url,
            apiKey: hub.adminKey,
            skus,
            channels: hub.channels,
            customers: Object.keys(config.file.customers ?? {}),
            authorities: Object.fromEntries(hub.locations.map((l) => [l.id, l.authority])),
            ordersPerMinute: demo.traffic!.ordersPerMinute!,
            log: warn,
            ...(story ? { story } : {}),
            ...(network ? demoRoutes(network, hub, story) : {}),
          }),
        );
      }
      if (story && config.demoTraffic) {
        story.start();
        print('demo: the simulated network is running; it prints what moved every 10 s (CROSSDOCK_DEMO_TRAFFIC=off keeps it quiet)');
      }
    },
    async stopTraffic() {
      story?.stop();
      await Promise.all(traffic.map((t) => t.stop()));
    },
    async close() {
      await network?.stop();
      await erpSimulator?.close();
    },
  };
}

/** How the demo's orders travel when the simulated network runs: web by storefront webhook, b2b by EDI, deliveries from the carrier. */
function demoRoutes(network: DemoNetwork, hub: StartedHub, story: DemoStory | undefined) {
  const carrier = network.carrier(hub.url, () => story?.milestone('delivered'));
  network.startThirdParty(carrier, () => story?.milestone('shipped'));
  network.attachWarehouses(hub.url, hub.adminKey, carrier);
  return {
    storefront: { systemId: 'shop', channel: 'web', secret: network.storefrontSecret },
    ediPartner: { folder: network.ediFolder, channel: 'b2b', partnerId: 'ACMEPLUMB', ourId: 'CROSSDOCK' },
    // Every location ships by its own system: the WMSs for DAL and ATL, the 3PL for RNO.
    selfShipping: new Set(['DAL', 'ATL', 'RNO']),
    track: (n: string) => carrier.track(n),
  };
}
