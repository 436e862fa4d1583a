/**
 * `crossdock exceptions list|show|act|act-group` and `crossdock audit`: the exception queue and
 * the audit trail of the API, for a person at a terminal. Writes name the operator (see callHub).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CliUsageError, callHub, type Command } from '../command.js';

const options = {
  url: { type: 'string' },
  key: { type: 'string' },
  status: { type: 'string' },
  class: { type: 'string' },
  owner: { type: 'string' },
  entity: { type: 'string' },
  group: { type: 'string' },
  reason: { type: 'string' },
  payload: { type: 'string' },
  id: { type: 'string' },
  'ship-to': { type: 'string' },
  actor: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  limit: { type: 'string' },
  json: { type: 'boolean' },
} as const;

const query = (values: Record<string, unknown>, names: string[]) => {
  const q = new URLSearchParams();
  for (const n of names) if (typeof values[n] === 'string') q.set(n, values[n] as string);
  const text = q.toString();
  return text ? `?${text}` : '';
};

/** The body an action sends: the edited payload (a file, or - for stdin), a reason, an owner. */
function actionBody(action: string, values: { reason?: string; owner?: string; payload?: string; id?: string; 'ship-to'?: string }): unknown {
  if (action === 'add_xref') {
    if (!values.id) throw new CliUsageError("add_xref needs --id ID (the hub's id the missing reference stands for)");
    return { id: values.id, ...(values['ship-to'] ? { shipTo: values['ship-to'] } : {}) };
  }
  if (action === 'edit') {
    if (!values.payload) throw new CliUsageError('edit needs --payload FILE (JSON; - reads stdin)');
    return JSON.parse(readFileSync(values.payload === '-' ? 0 : values.payload, 'utf8')) as unknown;
  }
  return { ...(values.reason ? { reason: values.reason } : {}), ...(values.owner ? { owner: values.owner } : {}) };
}

export const exceptionsCommand: Command = {
  name: 'exceptions',
  summary: 'The exception queue: list, show, and act on one exception or a whole group.',
  usage:
    'list [--status S] [--class C] [--owner O] [--entity KIND:ID] [--group G] | show ID | act ID ACTION [--reason TEXT] [--owner O] [--payload FILE] [--id ID [--ship-to S]] | act-group GROUP ACTION [--reason TEXT] [--owner O] [--id ID [--ship-to S]]',
  async run(args) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options });
    const [verb, target, action] = positionals;
    switch (verb) {
      case 'list': {
        const { exceptions } = await callHub('GET', `/v1/exceptions${query(values, ['status', 'class', 'owner', 'entity', 'group', 'limit'])}`, values);
        if (values.json) console.log(JSON.stringify(exceptions, null, 2));
        else if (exceptions.length === 0) console.log('no exceptions');
        else for (const e of exceptions) console.log(`${e.id}\t${e.status}\t${e.class}\t${e.owner}\t${e.group}\t${e.error}`);
        return 0;
      }
      case 'show':
        if (!target) break;
        console.log(JSON.stringify(await callHub('GET', `/v1/exceptions/${encodeURIComponent(target)}`, values), null, 2));
        return 0;
      case 'act': {
        if (!target || !action) break;
        const e = await callHub(
          'POST',
          `/v1/exceptions/${encodeURIComponent(target)}/actions/${encodeURIComponent(action)}`,
          values,
          actionBody(action, values),
        );
        console.log(`exception ${e.id} is ${e.status}: ${e.history[e.history.length - 1]?.note ?? ''}`);
        return 0;
      }
      case 'act-group': {
        if (!target || !action) break;
        const r = await callHub(
          'POST',
          `/v1/exception-groups/${encodeURIComponent(target)}/actions/${encodeURIComponent(action)}`,
          values,
          actionBody(action, values),
        );
        for (const x of r.results) console.log(`${x.id}\t${x.ok ? 'done' : 'failed'}\t${x.note}`);
        return r.results.every((x: { ok: boolean }) => x.ok) ? 0 : 1;
      }
    }
    throw new CliUsageError(`say one of: ${exceptionsCommand.usage}`);
  },
};

export const auditCommand: Command = {
  name: 'audit',
  summary: 'The audit trail: writes through the API and the CLI, newest first.',
  usage: '[--actor A] [--entity KIND[:ID]] [--since ISO] [--until ISO] [--limit N] [--json]',
  async run(args) {
    const { values } = parseArgs({ args, allowPositionals: false, options });
    const { entries } = await callHub('GET', `/v1/audit${query(values, ['actor', 'entity', 'since', 'until', 'limit'])}`, values);
    if (values.json) console.log(JSON.stringify(entries, null, 2));
    else if (entries.length === 0) console.log('no audit entries');
    else
      for (const e of entries)
        console.log(`${e.at}\t${e.actor}\t${e.origin}\t${e.action}\t${e.entity ? `${e.entity.kind}:${e.entity.id}` : '-'}\t${e.status}\t${e.correlationId}`);
    return 0;
  },
};
