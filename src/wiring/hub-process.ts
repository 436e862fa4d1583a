/**
 * The one start path of a hub process, for both backends: the logger, the lifecycle, the
 * extensions handed in from outside (the demo network), the ERP, the admin and configured API
 * keys, then the backend's own stores and use cases (`build`), HTTP, and the extensions' traffic.
 * Shutdown is the lifecycle's one order (hub-lifecycle.ts); a start that fails part-way closes
 * whatever it had already opened.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { DestinationStream, Logger, LoggerOptions } from 'pino';
import { hubLogger } from './hub-logger.js';
import { settingsOf, type HubConfig, type HubSettings } from '../config/hub-config.js';
import { ApiKeys } from '../app/keys/api-keys.js';
import { SCOPES } from '../model/scopes.js';
import { limitConnections } from '../interfaces/http/connection-limits.js';
import { systemClock, type Clock } from '../ports/clock.js';
import type { ErpConnector } from '../ports/erp.js';
import { adminKeyFor, announceAdminKey } from './admin-key.js';
import { wireErp, type ErpWiring } from './erp.js';
import { HubLifecycle } from './hub-lifecycle.js';
import type { HubExtension } from './hub-extension.js';
import { guardProcess } from './process-guard.js';

export interface HubOptions {
  config: HubConfig;
  clock?: Clock;
  /** pino options, or false for silence; default: JSON lines on stdout at CROSSDOCK_LOG_LEVEL (info). */
  logger?: false | LoggerOptions;
  /** Where log lines go instead of stdout (tests read them). */
  logDestination?: DestinationStream;
  /** An ERP connector to use instead of the configured one (tests and benchmarks wire simulators in-process). */
  erp?: ErpConnector;
  /** Called with a line a person starting the hub should read (the generated key, the URL, the shutdown). */
  announce?: (line: string) => void;
  /** Additions from outside src/: the demo network and its traffic (sim/demo-hub.ts). */
  extensions?: HubExtension[];
  /** Install the process-level handlers of uncaught errors (process-guard.ts): `crossdock start` does; a test hosting several hubs does not. */
  guardProcess?: boolean;
}

/** What the start path hands a backend's `build`. */
export interface ProcessContext {
  /** The configuration, with the systems extensions added. */
  config: HubConfig;
  settings: HubSettings;
  clock: Clock;
  log: Logger;
  lifecycle: HubLifecycle;
  erp: ErpWiring;
  adminKey: string;
  apiKeys: ApiKeys;
}

/** What a backend's `build` gives back: its HTTP app (not yet listening) and what extensions may see. */
export interface BuiltBackend {
  app: FastifyInstance;
  /** The line announcing the process once it listens at `url`. */
  listening(url: string): string;
  /** Absent on a process that serves no API (a scale-out worker): extensions and the admin key line are skipped. */
  api?: { locations(): { id: string; authority: string }[]; channels(): string[]; freshLog: boolean };
}

export interface StartedProcess<B> {
  built: B;
  url: string;
  adminKey: string;
  lifecycle: HubLifecycle;
  close(): Promise<void>;
}

export async function startHubProcess<B extends BuiltBackend>(
  options: HubOptions,
  name: string,
  build: (ctx: ProcessContext) => Promise<B>,
): Promise<StartedProcess<B>> {
  const clock = options.clock ?? systemClock;
  const announce = options.announce ?? (() => {});
  const log = hubLogger(options.logger, options.logDestination);
  const lifecycle = new HubLifecycle({ log, announce, name });
  if (options.guardProcess) lifecycle.onStop('close', 'process guard', guardProcess(log));
  const extensions = options.extensions ?? [];
  let app: FastifyInstance | undefined;
  try {
    let { config } = options;
    const settings = settingsOf(config.file);
    let extensionErp: ErpConnector | undefined;
    for (const ext of extensions) {
      if (ext.stopTraffic) lifecycle.onStop('intake', `${ext.name}: traffic`, () => ext.stopTraffic!());
      // Simulated systems stop once the hub no longer calls them (the work phase is over by then);
      // registered before `prepare`, so a prepare that fails half-way is closed too.
      if (ext.close) lifecycle.onStop('close', ext.name, () => ext.close!());
      const parts = (await ext.prepare?.(config, log)) ?? {};
      if (parts.systems)
        config = { ...config, file: { ...config.file, systems: { ...parts.systems, ...config.file.systems } as HubConfig['file']['systems'] } };
      extensionErp ??= parts.erp;
    }
    lifecycle.onStop('intake', 'HTTP', () => app?.close());
    const erp = wireErp(settings.erp, options.erp ?? (settings.erp.url ? undefined : extensionErp));
    lifecycle.onStop('close', 'ERP connector', () => erp.connector.close?.());
    const admin = adminKeyFor(config);
    const apiKeys = new ApiKeys(clock);
    apiKeys.add('admin', admin.key, SCOPES);
    for (const k of config.apiKeys) apiKeys.add(k.name, k.key, k.scopes);

    const built = await build({ config, settings, clock, log, lifecycle, erp, adminKey: admin.key, apiKeys });
    app = built.app;
    // The API's server has its limits from server.ts; a scale-out worker's bare health server gets them here.
    limitConnections(app.server, settings.http);
    await app.listen({ port: config.port, host: config.host });
    const { url, bound } = listeningAt(app.server.address(), config);
    lifecycle.running();
    if (built.api) {
      const keyLine = announceAdminKey(admin);
      if (keyLine) announce(keyLine);
    }
    // The banner names the address the socket is bound to, so that listening on every interface is never a surprise.
    announce(bound === url ? built.listening(url) : `${built.listening(bound)}; from this machine: ${url}`);
    if (built.api) {
      const seen = {
        url,
        adminKey: admin.key,
        dataDir: config.dataDir,
        locations: built.api.locations(),
        channels: built.api.channels(),
        freshLog: built.api.freshLog,
        log,
        announce,
      };
      for (const ext of extensions) await ext.started?.(seen);
    }
    return { built, url, adminKey: admin.key, lifecycle, close: () => lifecycle.stop() };
  } catch (err) {
    // Close what the start had opened, then let the caller hear why it failed.
    await lifecycle.stop({ quiet: true });
    throw err;
  }
}

/**
 * Where the server listens, as bound (`bound`, for the banner) and as a URL a client on this
 * machine can call (`url`: a wildcard address is reached through loopback).
 */
export function listeningAt(address: string | AddressInfo | null, config: { host: string; port: number }): { url: string; bound: string } {
  const info =
    typeof address === 'object' && address ? address : { address: config.host, port: config.port, family: config.host.includes(':') ? 'IPv6' : 'IPv4' };
  const v6 = info.family === 'IPv6' || info.address.includes(':');
  const hostPart = (a: string) => (v6 ? `[${a}]` : a);
  const bound = `http://${hostPart(info.address)}:${info.port}`;
  const wildcard = info.address === '0.0.0.0' || info.address === '::';
  const url = wildcard ? `http://${v6 ? '[::1]' : '127.0.0.1'}:${info.port}` : bound;
  return { url, bound };
}
