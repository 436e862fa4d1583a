/** The ERP each backend commits orders to: one handed in (a test's or the demo's simulator), the configured one, or none (orders wait, saying why). */
import { randomBytes } from 'node:crypto';
import type { HubSettings } from '../config/hub-config.js';
import { HttpErpConnector } from '../adapters/http/http-erp-connector.js';
import { ErpCallError } from '../domain/orders/order-errors.js';
import type { ErpConnector } from '../ports/erp.js';

export interface ErpWiring {
  connector: ErpConnector;
  timeoutMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
}

export function wireErp(settings: HubSettings['erp'], given?: ErpConnector): ErpWiring {
  const timing = { timeoutMs: settings.timeoutMs, retryBaseMs: settings.retryBaseMs, retryMaxMs: settings.retryMaxMs };
  if (given) return { connector: given, ...timing };
  if (settings.url) {
    const token = settings.tokenEnv ? process.env[settings.tokenEnv] : undefined;
    return { connector: new HttpErpConnector(settings.url, token ? { authorization: `Bearer ${token}` } : {}), ...timing };
  }
  return { connector: noErp, ...timing };
}

/** Without a configured ERP every order waits as pending_erp (or fails, per channel), saying why. */
const noErp: ErpConnector = {
  placeOrder: () => Promise.reject(new ErpCallError('order placement', 'no ERP is configured (set erp.url in the configuration file)', false, true)),
  findOrder: () => Promise.resolve(undefined),
  changeOrder: () => Promise.reject(new ErpCallError('order change', 'no ERP is configured (set erp.url in the configuration file)', false, true)),
};

/** Order ids unique across processes (a random prefix per process) and sortable within one. */
export function orderIds(): () => string {
  const prefix = `ord_${randomBytes(3).toString('hex')}${Date.now().toString(36)}`;
  let n = 0;
  return () => `${prefix}${(++n).toString(36).padStart(4, '0')}`;
}
