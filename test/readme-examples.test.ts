/**
 * The README's examples are what a newcomer copies first: its configuration file must load, and
 * the events it shows must be events the hub accepts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadHubFile } from '../src/config/hub-config.js';
import { eventIssues, isValidEvent } from '../src/model/event-validation.js';
import { tempDataDir } from './support/test-hub.js';

const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');

function section(title: string): string {
  const start = readme.indexOf(`## ${title}`);
  assert.ok(start >= 0, `the README has a section '${title}'`);
  const end = readme.indexOf('\n## ', start + 3);
  return readme.slice(start, end < 0 ? undefined : end);
}

const FENCE = '```';
const blocks = (text: string, lang: string) => [...text.matchAll(new RegExp(`${FENCE}${lang}\\n([\\s\\S]*?)${FENCE}`, 'g'))].map((m) => m[1]!);

test('the configuration example is a file the hub takes', () => {
  const [example] = blocks(section('Configuration'), 'yaml');
  assert.ok(example, 'the Configuration section has a YAML example');
  const dir = tempDataDir();
  try {
    const file = join(dir, 'readme.yaml');
    writeFileSync(file, example);
    const hub = loadHubFile(file);
    assert.deepEqual(Object.keys(hub.channels ?? {}), ['web']);
    assert.equal(hub.scaleOut?.connections, 20);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every event the API section shows is valid', () => {
  const events = blocks(section('The API'), 'json').flatMap((b) => JSON.parse(b) as unknown[]);
  assert.ok(events.length >= 4);
  for (const e of events) assert.ok(isValidEvent(e), `${JSON.stringify(e)}: ${JSON.stringify(eventIssues(e))}`);
});
