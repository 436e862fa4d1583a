/**
 * The ErpConnector over an ERP's REST sales-order API (the shape the bundled ERP simulator
 * speaks): POST /api/sales-orders with the hub's order id as externalReference, and
 * GET /api/sales-orders?externalReference= to find an order after a timeout, and
 * PATCH /api/sales-orders?externalReference= with the complete new lines to amend one.
 */
import http from 'node:http';
import https from 'node:https';
import { ErpCallError } from '../../domain/orders/order-errors.js';
import type { ErpConnector, ErpLine, ErpOrder } from '../../ports/erp.js';

/**
 * node:http with a keep-alive agent rather than fetch: every capture makes a call, and fetch
 * cost several times more CPU per call here (measured with bench/orders.ts).
 */
export class HttpErpConnector implements ErpConnector {
  private readonly url: URL;
  private readonly agent: http.Agent;

  constructor(
    private readonly baseUrl: string,
    private readonly headers: Record<string, string> = {},
  ) {
    this.url = new URL(baseUrl);
    const Agent = this.url.protocol === 'https:' ? https.Agent : http.Agent;
    this.agent = new Agent({ keepAlive: true, maxSockets: 64 });
  }

  close(): void {
    this.agent.destroy();
  }

  async placeOrder(order: ErpOrder, timeoutMs: number): Promise<{ orderNumber: string }> {
    const body = {
      externalReference: order.reference,
      customer: order.customer,
      channel: order.channel,
      channelOrderId: order.externalId,
      ...(order.erpCustomerNumber ? { customerNumber: order.erpCustomerNumber } : {}),
      lines: order.lines.map((l) => ({ item: l.sku, quantity: l.qty })),
    };
    const answer = (await this.call('order placement', 'POST', '/api/sales-orders', body, timeoutMs, order.correlationId)) as { orderNumber?: unknown } | null;
    if (typeof answer?.orderNumber !== 'string' || answer.orderNumber === '')
      throw new ErpCallError('order placement', 'the ERP answered without an orderNumber', false, true);
    return { orderNumber: answer.orderNumber };
  }

  async findOrder(reference: string, timeoutMs: number, correlationId?: string): Promise<{ orderNumber: string } | undefined> {
    const path = `/api/sales-orders?externalReference=${encodeURIComponent(reference)}`;
    const answer = (await this.call('order lookup', 'GET', path, undefined, timeoutMs, correlationId)) as { items?: unknown } | null;
    // An answer that is not a list says nothing of whether the order is there: taken for "none",
    // it would have the order placed a second time.
    if (!Array.isArray(answer?.items)) throw new ErpCallError('order lookup', 'the ERP answered without an items list', false, true);
    const found = answer.items[0] as { orderNumber?: unknown } | undefined;
    if (found === undefined) return undefined;
    if (typeof found?.orderNumber !== 'string' || found.orderNumber === '')
      throw new ErpCallError('order lookup', 'the ERP answered an order without an orderNumber', false, true);
    return { orderNumber: found.orderNumber };
  }

  async changeOrder(reference: string, lines: readonly ErpLine[], timeoutMs: number, correlationId?: string): Promise<void> {
    const path = `/api/sales-orders?externalReference=${encodeURIComponent(reference)}`;
    const body = { lines: lines.map((l) => ({ item: l.sku, quantity: l.qty, ...(l.unitPrice !== undefined ? { unitPrice: l.unitPrice } : {}) })) };
    await this.call('order change', 'PATCH', path, body, timeoutMs, correlationId);
  }

  private async call(operation: string, method: string, path: string, body: unknown, timeoutMs: number, correlationId?: string): Promise<unknown> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    let status: number, text: string;
    try {
      ({ status, text } = await this.send(method, path, payload, timeoutMs, correlationId));
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.name === 'AbortError' || e.name === 'TimeoutError')
        throw new ErpCallError(operation, `no answer within ${timeoutMs} ms`, true, true, { cause: err });
      // Refused or reset before an answer: the request may or may not have reached the ERP.
      throw new ErpCallError(operation, `cannot reach the ERP at ${this.baseUrl}: ${e.code ?? e.message}`, true, true, { cause: err });
    }
    if (status < 200 || status >= 300) {
      const reason = `HTTP ${status}${text ? `: ${text.slice(0, 200)}` : ''}`;
      throw new ErpCallError(operation, reason, false, status >= 500 || status === 429);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ErpCallError(operation, 'the ERP answered with something that is not JSON', false, true);
    }
  }

  private send(
    method: string,
    path: string,
    payload: string | undefined,
    timeoutMs: number,
    correlationId?: string,
  ): Promise<{ status: number; text: string }> {
    const transport = this.url.protocol === 'https:' ? https : http;
    const base = this.url.pathname.replace(/\/$/, '');
    return new Promise((resolve, reject) => {
      const req = transport.request(
        {
          protocol: this.url.protocol,
          hostname: this.url.hostname,
          port: this.url.port,
          path: base + path,
          method,
          agent: this.agent,
          signal: AbortSignal.timeout(timeoutMs),
          headers: {
            accept: 'application/json',
            ...this.headers,
            ...(correlationId ? { 'x-correlation-id': correlationId } : {}),
            ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }
}
