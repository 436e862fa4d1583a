/** `crossdock sla`: the SLA rules with their breaches open now, and the latest alerts sent to the webhooks (GET /v1/sla). */
import { parseArgs } from 'node:util';
import { callHub, type Command } from '../command.js';

export const slaCommand: Command = {
  name: 'sla',
  summary: 'The SLA rules, the breaches open now and the latest alerts.',
  usage: '[--json]',
  async run(args) {
    const { values } = parseArgs({ args, allowPositionals: false, options: { url: { type: 'string' }, key: { type: 'string' }, json: { type: 'boolean' } } });
    const sla = await callHub('GET', '/v1/sla', values);
    if (values.json) {
      console.log(JSON.stringify(sla, null, 2));
      return 0;
    }
    if (sla.rules.length === 0) console.log('no SLA rules configured');
    for (const r of sla.rules) console.log(`${r.id}\t${r.kind}\t${r.minutes} min\t${r.severity}\t${r.breaches} breach(es) open`);
    for (const b of sla.breaches) console.log(`breach\t${b.id}\t${b.status}\t${b.owner}\t${b.entity.kind}:${b.entity.id}\t${b.error}`);
    for (const a of sla.alerts)
      console.log(
        `alert\t${a.id}\t${a.kind}\t${a.webhook}\t${a.deliveredAt ? `delivered ${a.deliveredAt}` : `pending (${a.attempts} attempt(s)${a.lastError ? `: ${a.lastError}` : ''})`}`,
      );
    return 0;
  },
};
