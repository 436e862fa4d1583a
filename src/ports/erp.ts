/**
 * The ERP as order capture needs it: place an order under the hub's reference, and find an order
 * by that reference (asked before retrying a call that timed out, so a slow ERP never ends up
 * with two orders). Adapters throw ErpCallError; `timedOut` tells whether the ERP may have acted.
 */
export interface ErpOrder {
  /** The hub's order id: the ERP's external reference, unique per order. */
  reference: string;
  channel: string;
  externalId: string;
  customer: string;
  erpCustomerNumber?: string;
  lines: { sku: string; qty: number }[];
  /** The correlation id of the request that captured the order, sent as X-Correlation-Id. */
  correlationId?: string;
}

export interface ErpConnector {
  placeOrder(order: ErpOrder, timeoutMs: number): Promise<{ orderNumber: string }>;
  findOrder(reference: string, timeoutMs: number, correlationId?: string): Promise<{ orderNumber: string } | undefined>;
  /** Releases connections; called when the hub stops. */
  close?(): void;
}
