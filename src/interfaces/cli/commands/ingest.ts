/**
 * `crossdock ingest FILE`: sends a file of events (a JSON array, or one JSON event per line) to a
 * running hub in batches of up to 10,000 and reports what was accepted, duplicated, rejected and
 * parked (accepted, but waiting for something the hub does not know yet, such as a location).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CliUsageError, hubConnection, type Command } from '../command.js';

const BATCH = 10_000;

export const ingestCommand: Command = {
  name: 'ingest',
  summary: 'Send a file of events (JSON array or NDJSON) to a running hub.',
  usage: 'FILE [--url http://127.0.0.1:8080] [--key KEY]',
  async run(args) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { url: { type: 'string' }, key: { type: 'string' } } });
    const file = positionals[0];
    if (!file) throw new CliUsageError('name the file of events');
    const { url, key } = hubConnection(values);
    const events = parseEvents(readFileSync(file, 'utf8'), file);
    let accepted = 0,
      duplicates = 0,
      position = 0;
    const rejected: { index: number; errors: { path: string; message: string }[] }[] = [];
    const parked: { index: number; reason: string }[] = [];
    for (let start = 0; start < events.length; start += BATCH) {
      const res = await fetch(`${url}/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify(events.slice(start, start + BATCH)),
      });
      const body = (await res.json()) as {
        accepted: number;
        duplicates: number;
        position: number;
        rejected: typeof rejected;
        parked?: typeof parked;
        detail?: string;
      };
      if (!res.ok)
        throw new Error(`the hub answered ${res.status}: ${body.detail ?? JSON.stringify(body)} (events ${start}..${start + BATCH - 1} not sent on)`);
      accepted += body.accepted;
      duplicates += body.duplicates;
      position = body.position;
      for (const r of body.rejected) rejected.push({ index: r.index + start, errors: r.errors });
      for (const p of body.parked ?? []) parked.push({ index: p.index + start, reason: p.reason });
    }
    console.log(`accepted ${accepted}, duplicates ${duplicates}, rejected ${rejected.length}, parked ${parked.length}; log position ${position}`);
    for (const r of rejected.slice(0, 20)) console.log(`  event ${r.index}: ${r.errors.map((e) => `${e.path} ${e.message}`).join('; ')}`);
    if (rejected.length > 20) console.log(`  ... and ${rejected.length - 20} more`);
    if (parked.length > 0) console.log(`parked ${parked.length} (accepted; they apply once what they name is defined, GET /v1/events/parked lists them):`);
    for (const p of parked.slice(0, 20)) console.log(`  event ${p.index}: ${p.reason}`);
    if (parked.length > 20) console.log(`  ... and ${parked.length - 20} more`);
    return rejected.length > 0 ? 1 : 0;
  },
};

function parseEvents(text: string, file: string): unknown[] {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[')) {
    try {
      return JSON.parse(text) as unknown[];
    } catch (err) {
      throw new CliUsageError(`${file} is not valid JSON: ${(err as Error).message}`);
    }
  }
  return text
    .split('\n')
    .map((line, i) => ({ line, i }))
    .filter(({ line }) => line.trim() !== '')
    .map(({ line, i }) => {
      try {
        return JSON.parse(line) as unknown;
      } catch (err) {
        throw new CliUsageError(`${file}:${i + 1} is not valid JSON: ${(err as Error).message}`);
      }
    });
}
