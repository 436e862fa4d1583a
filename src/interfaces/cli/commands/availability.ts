/** `crossdock availability SKU --channel ID [--explain]`: asks a running hub. */
import { parseArgs } from 'node:util';
import { CliUsageError, hubConnection, type Command } from '../command.js';

export const availabilityCommand: Command = {
  name: 'availability',
  summary: 'Show what a channel may sell of an item (--explain for the terms).',
  usage: 'SKU --channel ID [--explain] [--url URL] [--key KEY]',
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        channel: { type: 'string' },
        explain: { type: 'boolean' },
        url: { type: 'string' },
        key: { type: 'string' },
      },
    });
    const sku = positionals[0];
    if (!sku || !values.channel) throw new CliUsageError('name the SKU and --channel');
    const { url, key } = hubConnection(values);
    const path = `/v1/availability/${encodeURIComponent(sku)}${values.explain ? '/explain' : ''}?channel=${encodeURIComponent(values.channel)}`;
    const res = await fetch(url + path, { headers: { authorization: `Bearer ${key}` } });
    const body = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`${res.status} ${String(body.detail ?? '')}`);
    if (!values.explain) {
      console.log(`${sku} on ${values.channel}: ${String(body.available)} available (log position ${String(body.position)})`);
      return 0;
    }
    console.log(JSON.stringify(body, null, 2));
    return 0;
  },
};
