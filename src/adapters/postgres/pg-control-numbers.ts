/**
 * EDI control numbers on the shared database: one counter row per partner and kind. An
 * interchange takes all its numbers in one statement, so two processes writing to one partner
 * (a worker delivering 856s, an api process answering 850s) never hand out the same number.
 */
import type { ControlNumbers } from '../../ports/control-numbers.js';
import type { PgDatabase } from './pg-database.js';

export class PgControlNumbers implements ControlNumbers {
  constructor(private readonly db: PgDatabase) {}

  async allocate(partner: string, groups: readonly number[]): Promise<{ interchange: number; groups: number[]; transactions: number[][] }> {
    const transactions = groups.reduce((n, g) => n + g, 0);
    const wanted: [string, number][] = [
      ['interchange', 1],
      ['group', groups.length],
      ['transaction', transactions],
    ];
    const { rows } = await this.db.pool.query<{ kind: string; last: string }>(
      `INSERT INTO edi_control_numbers (partner, kind, last) SELECT $1, k, n FROM unnest($2::text[], $3::bigint[]) AS t(k, n) WHERE n > 0
       ON CONFLICT (partner, kind) DO UPDATE SET last = edi_control_numbers.last + EXCLUDED.last RETURNING kind, last`,
      [partner, wanted.map(([k]) => k), wanted.map(([, n]) => n)],
    );
    const last = new Map(rows.map((r) => [r.kind, Number(r.last)]));
    // Each kind's block of numbers ends at the counter's new value.
    const first = (kind: string, n: number) => last.get(kind)! - n + 1;
    let t = first('transaction', transactions);
    return {
      interchange: last.get('interchange')!,
      groups: groups.map((_, i) => first('group', groups.length) + i),
      transactions: groups.map((n) => Array.from({ length: n }, () => t++)),
    };
  }
}
