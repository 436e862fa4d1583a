/** An order's statuses, in a module of their own: the console bundles this list without the schemas. */
export const ORDER_STATUSES = [
  'credit_hold',
  'pending_erp',
  'accepted',
  'backordered',
  'released',
  'partially_shipped',
  'shipped',
  'delivered',
  'invoiced',
  'returned',
  'cancelled',
  'erp_failed',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];
