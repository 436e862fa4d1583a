/**
 * `crossdock xrefs import FILE.csv`: sends cross-references from a CSV file (a header naming
 * kind, system, scheme, external, id and optionally shipTo; `--kind`/`--system`/`--scheme` fill a
 * column the file lacks) to a running hub, 10,000 at a time, and reports what was upserted,
 * rejected (with the file's line and field) and which parked documents the new ones released.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse/sync';
import { CliUsageError, hubConnection, type Command } from '../command.js';

const BATCH = 10_000;
const COLUMNS = ['kind', 'system', 'scheme', 'external', 'id', 'shipTo'] as const;

export const xrefsCommand: Command = {
  name: 'xrefs',
  summary: 'Import cross-references from a CSV file into a running hub.',
  usage: 'import FILE.csv [--kind item|customer|location] [--system ID] [--scheme S] [--delimiter ,] [--url URL] [--key KEY]',
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        kind: { type: 'string' },
        system: { type: 'string' },
        scheme: { type: 'string' },
        delimiter: { type: 'string', default: ',' },
        url: { type: 'string' },
        key: { type: 'string' },
      },
    });
    const [verb, file] = positionals;
    if (verb !== 'import') throw new CliUsageError(`unknown action '${verb ?? ''}' (import)`);
    if (!file) throw new CliUsageError('name the CSV file');
    const rows = parse(readFileSync(file, 'utf8'), {
      columns: (h: string[]) => h.map((c) => c.trim()),
      bom: true,
      skip_empty_lines: true,
      trim: true,
      delimiter: values.delimiter,
    }) as Record<string, string>[];
    const fixed = { kind: values.kind, system: values.system, scheme: values.scheme };
    const refs = rows.map((row) => {
      const ref: Record<string, string> = {};
      for (const c of COLUMNS) {
        const v = row[c] || fixed[c as keyof typeof fixed];
        if (v) ref[c] = v;
      }
      return ref;
    });
    const { url, key } = hubConnection(values);
    let upserted = 0,
      replayed = 0;
    const rejected: string[] = [];
    for (let start = 0; start < refs.length; start += BATCH) {
      const res = await fetch(`${url}/v1/xrefs`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify(refs.slice(start, start + BATCH)),
      });
      const body = (await res.json()) as {
        upserted: number;
        replayed: number;
        rejected: { index: number; errors: { path: string; message: string }[] }[];
        detail?: string;
      };
      if (!res.ok) throw new Error(`the hub answered ${res.status}: ${body.detail ?? JSON.stringify(body)} (rows from line ${start + 2} not sent on)`);
      upserted += body.upserted;
      replayed += body.replayed;
      // Line numbers of the file: the header is line 1.
      for (const r of body.rejected)
        rejected.push(`line ${start + r.index + 2}: ${r.errors.map((e) => `${e.path.replace(/^\/\d+\//, '')} ${e.message}`).join('; ')}`);
    }
    console.log(`upserted ${upserted}, rejected ${rejected.length}, parked documents replayed ${replayed}`);
    for (const r of rejected.slice(0, 20)) console.log(`  ${r}`);
    if (rejected.length > 20) console.log(`  ... and ${rejected.length - 20} more`);
    return rejected.length > 0 ? 1 : 0;
  },
};
