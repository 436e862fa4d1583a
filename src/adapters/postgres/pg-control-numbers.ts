/**
 * EDI control numbers on the shared database: one counter row per partner and kind. An
 * interchange takes all its numbers in one statement, so two processes writing to one partner
 * (a worker delivering 856s, an api process answering 850s) never hand out the same number.
 * Beside them, what was sent under each number and which interchanges were taken.
 */
import type { ControlNumbers, SentTransaction } from '../../ports/control-numbers.js';
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

  async recordSent(partner: string, sent: readonly SentTransaction[]): Promise<void> {
    if (sent.length === 0) return;
    await this.db.pool.query(
      `INSERT INTO edi_transactions_sent (partner, group_control, transaction_control, interchange_control, functional_id, set_id, document, sent_at)
       SELECT $1, g, t, i, f, s, d, a FROM unnest($2::bigint[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::text[], $8::timestamptz[]) AS x(g, t, i, f, s, d, a)
       ON CONFLICT (partner, group_control, transaction_control) DO UPDATE SET interchange_control = EXCLUDED.interchange_control,
         functional_id = EXCLUDED.functional_id, set_id = EXCLUDED.set_id, document = EXCLUDED.document, sent_at = EXCLUDED.sent_at`,
      [
        partner,
        sent.map((t) => t.group),
        sent.map((t) => t.transaction),
        sent.map((t) => t.interchange),
        sent.map((t) => t.functionalId),
        sent.map((t) => t.set),
        sent.map((t) => t.document),
        sent.map((t) => t.sentAt),
      ],
    );
  }

  async sentInGroup(partner: string, group: number): Promise<SentTransaction[]> {
    const { rows } = await this.db.pool.query<{ i: string; g: string; f: string; s: string; t: string; d: string; a: Date }>(
      `SELECT interchange_control AS i, group_control AS g, functional_id AS f, set_id AS s, transaction_control AS t, document AS d, sent_at AS a
       FROM edi_transactions_sent WHERE partner = $1 AND group_control = $2 ORDER BY transaction_control`,
      [partner, group],
    );
    return rows.map((r) => ({
      interchange: Number(r.i),
      group: Number(r.g),
      functionalId: r.f,
      set: r.s,
      transaction: Number(r.t),
      document: r.d,
      sentAt: r.a.toISOString(),
    }));
  }

  async receivedAt(partner: string, sender: string, control: string): Promise<string | undefined> {
    const { rows } = await this.db.pool.query<{ at: Date }>(
      'SELECT received_at AS at FROM edi_interchanges_received WHERE partner = $1 AND sender = $2 AND control = $3',
      [partner, sender, control],
    );
    return rows[0]?.at.toISOString();
  }

  async recordReceived(partner: string, sender: string, control: string, at: string): Promise<void> {
    await this.db.pool.query('INSERT INTO edi_interchanges_received (partner, sender, control, received_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [
      partner,
      sender,
      control,
      at,
    ]);
  }

  async forgetBefore(beforeIso: string): Promise<{ received: number; sent: number }> {
    const received = await this.db.pool.query('DELETE FROM edi_interchanges_received WHERE received_at < $1', [beforeIso]);
    const sent = await this.db.pool.query('DELETE FROM edi_transactions_sent WHERE sent_at < $1', [beforeIso]);
    return { received: received.rowCount ?? 0, sent: sent.rowCount ?? 0 };
  }
}
