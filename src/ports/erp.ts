/**
 * The ERP as order capture needs it: place an order under the hub's reference, find an order
 * by that reference (asked before retrying a call that timed out, so a slow ERP never ends up
 * with two orders), and replace the lines of an order it has (an amendment). Adapters throw
 * ErpCallError; `timedOut` tells whether the ERP may have acted.
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

/** A line of an amended order as the ERP gets it: the complete list replaces the order's lines. */
export interface ErpLine {
  sku: string;
  qty: number;
  unitPrice?: number;
}

export interface ErpConnector {
  placeOrder(order: ErpOrder, timeoutMs: number): Promise<{ orderNumber: string }>;
  /**
   * Replaces the lines of the order the ERP holds under `reference` with `lines` (the order's
   * complete new list). Idempotent: sending the same lines again changes nothing.
   */
  changeOrder(reference: string, lines: readonly ErpLine[], timeoutMs: number, correlationId?: string): Promise<void>;
  findOrder(reference: string, timeoutMs: number, correlationId?: string): Promise<{ orderNumber: string } | undefined>;
  /** Releases connections; called when the hub stops. */
  close?(): void;
}
