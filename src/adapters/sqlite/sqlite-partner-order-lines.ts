/** The embedded PartnerOrderLines: one row per order, its lines as JSON, the primary key keeping the first. */
import type { PartnerOrderLine } from '../../domain/orders/partner-order-lines.js';
import type { PartnerOrderLines } from '../../ports/partner-order-lines.js';
import type { Db } from './open-database.js';

export class SqlitePartnerOrderLines implements PartnerOrderLines {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  async keep(orderId: string, system: string, lines: readonly PartnerOrderLine[]): Promise<void> {
    this.keepNow(orderId, system, lines);
  }

  async addMissing(orderId: string, system: string, lines: readonly PartnerOrderLine[]): Promise<void> {
    this.db.transaction(() => {
      const row = this.db.prepare('SELECT system, lines FROM partner_order_lines WHERE order_id = ?').get(orderId) as
        | { system: string; lines: string }
        | undefined;
      if (!row) return this.keepNow(orderId, system, lines);
      if (row.system !== system) return;
      const kept = JSON.parse(row.lines) as PartnerOrderLine[];
      const added = lines.filter((l) => !kept.some((k) => k.sku === l.sku));
      if (added.length > 0) this.db.prepare('UPDATE partner_order_lines SET lines = ? WHERE order_id = ?').run(JSON.stringify([...kept, ...added]), orderId);
    })();
  }

  private keepNow(orderId: string, system: string, lines: readonly PartnerOrderLine[]): void {
    this.db
      .prepare('INSERT INTO partner_order_lines (order_id, system, lines, kept_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING')
      .run(orderId, system, JSON.stringify(lines), new Date(this.now()).toISOString());
  }

  async of(system: string, orderIds: readonly string[]): Promise<Map<string, PartnerOrderLine[]>> {
    const out = new Map<string, PartnerOrderLine[]>();
    if (orderIds.length === 0) return out;
    const rows = this.db
      .prepare('SELECT order_id, lines FROM partner_order_lines WHERE system = ? AND order_id IN (SELECT value FROM json_each(?))')
      .all(system, JSON.stringify([...new Set(orderIds)])) as { order_id: string; lines: string }[];
    for (const r of rows) out.set(r.order_id, JSON.parse(r.lines) as PartnerOrderLine[]);
    return out;
  }
}
