/** Wiring of the demo: how its simulated orders travel when the simulated network runs. */
import type { DemoNetwork } from '../../sim/demo-network.js';

/** How the demo's orders travel when the simulated network runs: web by storefront webhook, b2b by EDI, deliveries from the carrier. */
export function demoRoutes(network: DemoNetwork, hubUrl: string, adminKey: string) {
  const carrier = network.carrier(hubUrl);
  network.startThirdParty(carrier);
  network.attachWarehouses(hubUrl, adminKey, carrier);
  return {
    storefront: { systemId: 'shop', channel: 'web', secret: network.storefrontSecret },
    ediPartner: { folder: network.ediFolder, channel: 'b2b', partnerId: 'ACMEPLUMB', ourId: 'CROSSDOCK' },
    // Every location ships by its own system: the WMSs for DAL and ATL, the 3PL for RNO.
    selfShipping: new Set(['DAL', 'ATL', 'RNO']),
    track: (n: string) => carrier.track(n),
  };
}

