/**
 * The ErpConnector over an ERP's REST sales-order API (the shape the bundled ERP simulator
 * speaks): POST /api/sales-orders with the hub's order id as externalReference, and
 * GET /api/sales-orders?externalReference= to find an order after a timeout.
 */
import { ErpCallError } from '../../domain/orders/order-errors.js';
import type { ErpConnector, ErpOrder } from '../../ports/erp.js';

export class HttpErpConnector implements ErpConnector {
  constructor(private readonly baseUrl: string, private readonly headers: Record<string, string> = {}) {}

  async placeOrder(order: ErpOrder, timeoutMs: number): Promise<{ orderNumber: string }> {
    const body = {
      externalReference: order.reference, customer: order.customer, channel: order.channel, channelOrderId: order.externalId,
      ...(order.erpCustomerNumber ? { customerNumber: order.erpCustomerNumber } : {}),
      lines: order.lines.map((l) => ({ item: l.sku, quantity: l.qty })),
    };
    const answer = await this.call('order placement', 'POST', '/api/sales-orders', body, timeoutMs) as { orderNumber?: unknown };
    if (typeof answer.orderNumber !== 'string') throw new ErpCallError('order placement', 'the ERP answered without an orderNumber', false, true);
    return { orderNumber: answer.orderNumber };
  }

  async findOrder(reference: string, timeoutMs: number): Promise<{ orderNumber: string } | undefined> {
    const answer = await this.call('order lookup', 'GET', `/api/sales-orders?externalReference=${encodeURIComponent(reference)}`, undefined, timeoutMs) as { items?: { orderNumber: string }[] };
    const found = answer.items?.[0];
    return found ? { orderNumber: found.orderNumber } : undefined;
  }

  private async call(operation: string, method: string, path: string, body: unknown, timeoutMs: number): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(this.baseUrl + path, {
        method, signal: AbortSignal.timeout(timeoutMs),
        headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...this.headers },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (err) {
      const e = err as Error;
      if (e.name === 'TimeoutError' || e.name === 'AbortError') throw new ErpCallError(operation, `no answer within ${timeoutMs} ms`, true, true, { cause: err });
      // Refused or reset before an answer: the request may or may not have reached the ERP.
      throw new ErpCallError(operation, `cannot reach the ERP at ${this.baseUrl}: ${(e.cause as Error | undefined)?.message ?? e.message}`, true, true, { cause: err });
    }
    const text = await res.text().catch(() => '');
    if (!res.ok) {
      const reason = `HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`;
      throw new ErpCallError(operation, reason, false, res.status >= 500 || res.status === 429);
    }
    try { return JSON.parse(text) as unknown; } catch {
      throw new ErpCallError(operation, 'the ERP answered with something that is not JSON', false, true);
    }
  }
}
