/** The ERP each backend commits orders to: configured, the demo's simulator, or none (orders wait, saying why). */
import { randomBytes } from 'node:crypto';
import type { HubConfig } from '../config/hub-config.js';
import { HttpErpConnector } from '../adapters/http/http-erp-connector.js';
import { ErpCallError } from '../domain/orders/order-errors.js';
import type { ErpConnector } from '../ports/erp.js';
import { ErpSimulator } from '../../sim/erp-simulator.js';

export interface ErpWiring {
  connector: ErpConnector;
  /** The in-process simulator, when the demo configuration asks for one. */
  simulator?: ErpSimulator;
  timeoutMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

export async function wireErp(config: HubConfig, override?: ErpConnector): Promise<ErpWiring> {
  const erp = config.file.erp ?? {};
  const timing = { timeoutMs: erp.timeoutMs ?? 3000, retryBaseMs: erp.retryBaseMs ?? 1000, retryMaxMs: erp.retryMaxMs ?? 60_000 };
  if (override) return { connector: override, ...timing };
  if (erp.url) {
    const token = erp.tokenEnv ? process.env[erp.tokenEnv] : undefined;
    return { connector: new HttpErpConnector(erp.url, token ? { authorization: `Bearer ${token}` } : {}), ...timing };
  }
  if (config.file.demo?.erpSimulator) {
    const simulator = new ErpSimulator();
    Object.assign(simulator.faults, config.file.demo?.faults?.erp ?? {});
    return { connector: new HttpErpConnector(await simulator.start()), simulator, ...timing };
  }
  return { connector: noErp, ...timing };
}

/** Without a configured ERP every order waits as pending_erp (or fails, per channel), saying why. */
const noErp: ErpConnector = {
  placeOrder: () => Promise.reject(new ErpCallError('order placement', 'no ERP is configured (set erp.url in the configuration file)', false, true)),
  findOrder: () => Promise.resolve(undefined),
};

/** Order ids unique across processes (a random prefix per process) and sortable within one. */
export function orderIds(): () => string {
  const prefix = `ord_${randomBytes(3).toString('hex')}${Date.now().toString(36)}`;
  let n = 0;
  return () => `${prefix}${(++n).toString(36).padStart(4, '0')}`;
}
