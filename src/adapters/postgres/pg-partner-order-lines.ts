/** PartnerOrderLines on the scale-out backend: one row per order, its lines as JSONB, the primary key keeping the first whichever process writes. */
import type { PartnerOrderLine } from '../../domain/orders/partner-order-lines.js';
import type { PartnerOrderLines } from '../../ports/partner-order-lines.js';
import type { PgDatabase } from './pg-database.js';

export class PgPartnerOrderLines implements PartnerOrderLines {
  constructor(
    private readonly db: PgDatabase,
    private readonly now: () => number = Date.now,
  ) {}

  async keep(orderId: string, system: string, lines: readonly PartnerOrderLine[]): Promise<void> {
    await this.db.pool.query('INSERT INTO partner_order_lines (order_id, system, lines, kept_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [
      orderId,
      system,
      JSON.stringify(lines),
      new Date(this.now()).toISOString(),
    ]);
  }

  async addMissing(orderId: string, system: string, lines: readonly PartnerOrderLine[]): Promise<void> {
    // One statement, so two processes adding at once each add only what is still missing.
    await this.db.pool.query(
      `INSERT INTO partner_order_lines AS kept (order_id, system, lines, kept_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (order_id) DO UPDATE SET lines = kept.lines || COALESCE(
         (SELECT jsonb_agg(x) FROM jsonb_array_elements(EXCLUDED.lines) x
           WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(kept.lines) k WHERE k->>'sku' = x->>'sku')), '[]'::jsonb)
       WHERE kept.system = EXCLUDED.system`,
      [orderId, system, JSON.stringify(lines), new Date(this.now()).toISOString()],
    );
  }

  async of(system: string, orderIds: readonly string[]): Promise<Map<string, PartnerOrderLine[]>> {
    const out = new Map<string, PartnerOrderLine[]>();
    if (orderIds.length === 0) return out;
    const { rows } = await this.db.pool.query<{ order_id: string; lines: PartnerOrderLine[] }>(
      'SELECT order_id, lines FROM partner_order_lines WHERE system = $1 AND order_id = ANY($2::text[])',
      [system, [...new Set(orderIds)]],
    );
    for (const r of rows) out.set(r.order_id, r.lines);
    return out;
  }
}
