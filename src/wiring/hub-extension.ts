/**
 * What a caller outside src/ may add to a hub process: simulated systems around it (the demo
 * network of `npm start`), an ERP to commit orders to, traffic once it listens. The hub knows
 * nothing of simulators; bin/crossdock.js hands the demo in through this shape (sim/demo-hub.ts).
 */
import type { Logger } from 'pino';
import type { HubConfig } from '../config/hub-config.js';
import type { ErpConnector } from '../ports/erp.js';

/** What an extension adds before the hub is built. */
export interface ExtensionParts {
  /** Systems merged under the configured ones (a configured system of the same id wins). */
  systems?: Record<string, unknown>;
  /** The ERP to commit orders to, unless the configuration names one. */
  erp?: ErpConnector;
}

/** The running hub as an extension sees it. */
export interface StartedHub {
  url: string;
  adminKey: string;
  dataDir: string;
  locations: { id: string; authority: string }[];
  channels: string[];
  /** True when the log was empty at start (nothing has ever been recorded). */
  freshLog: boolean;
  log: Logger;
  announce: (line: string) => void;
}

export interface HubExtension {
  name: string;
  prepare?(config: HubConfig, log: Logger): Promise<ExtensionParts | undefined>;
  /** Called once the hub answers HTTP. */
  started?(hub: StartedHub): Promise<void> | void;
  /** First at shutdown, before the hub stops taking HTTP work: stop calling the hub. */
  stopTraffic?(): Promise<void>;
  /** Last at shutdown, after the hub closed its stores. */
  close?(): Promise<void>;
}
