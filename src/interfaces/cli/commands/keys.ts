/**
 * `crossdock keys create|list|revoke`: the API keys of a running hub (POST, GET, DELETE /v1/keys),
 * for a person at a terminal. The new key is printed once, as the hub shows it once.
 */
import { parseArgs } from 'node:util';
import { CliUsageError, callHub, type Command } from '../command.js';
import type { ApiKeyCreated, ApiKeyView } from '../../../model/api-key.js';

/** The hub's answer, as the keys routes document it (the operator is named for the audit trail). */
const call = <T>(method: string, path: string, values: { url?: string | undefined; key?: string | undefined }, body?: unknown): Promise<T> =>
  callHub(method, path, values, body);

const list = (value: string | undefined) =>
  value
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const options = {
  url: { type: 'string' },
  key: { type: 'string' },
  scopes: { type: 'string' },
  channels: { type: 'string' },
  systems: { type: 'string' },
  'expires-at': { type: 'string' },
  'rate-per-minute': { type: 'string' },
} as const;

export const keysCommand: Command = {
  name: 'keys',
  summary: 'Create, list or revoke the API keys of a running hub (needs an admin key).',
  usage: 'create NAME --scopes S1,S2 [--channels C1,C2] [--systems S1,S2] [--expires-at ISO] [--rate-per-minute N] | list | revoke ID',
  async run(args) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options });
    const [verb, arg] = positionals;
    switch (verb) {
      case 'create': {
        const scopes = list(values.scopes);
        if (!arg || !scopes?.length) throw new CliUsageError('create needs a name and --scopes');
        const rate = values['rate-per-minute'];
        const created = await call<ApiKeyCreated>('POST', '/v1/keys', values, {
          name: arg,
          scopes,
          ...(values.channels ? { channels: list(values.channels) } : {}),
          ...(values.systems ? { systems: list(values.systems) } : {}),
          ...(values['expires-at'] ? { expiresAt: values['expires-at'] } : {}),
          ...(rate !== undefined ? { ratePerMinute: Number(rate) } : {}),
        });
        console.log(
          `created key ${created.id} '${created.name}' (${created.scopes.join(', ')}${created.channels ? `; channels ${created.channels.join(', ')}` : ''}${created.systems ? `; systems ${created.systems.join(', ')}` : ''})`,
        );
        console.log(`key: ${created.key}`);
        console.log('This is the only time the key is shown: the hub keeps only its digest.');
        return 0;
      }
      case 'list': {
        const { keys } = await call<{ keys: ApiKeyView[] }>('GET', '/v1/keys', values);
        if (keys.length === 0) console.log('no keys created through the API');
        for (const k of keys)
          console.log(
            [
              k.id,
              k.name,
              k.status,
              `${k.prefix}…`,
              k.scopes.join(','),
              k.channels ? `channels ${k.channels.join(',')}` : 'all channels',
              k.systems ? `systems ${k.systems.join(',')}` : '',
              k.expiresAt ? `expires ${k.expiresAt}` : '',
            ]
              .filter(Boolean)
              .join('\t'),
          );
        return 0;
      }
      case 'revoke': {
        if (!arg) break;
        const revoked = await call<ApiKeyView>('DELETE', `/v1/keys/${encodeURIComponent(arg)}`, values);
        console.log(`key ${revoked.id} '${revoked.name}' revoked at ${revoked.revokedAt}`);
        return 0;
      }
    }
    throw new CliUsageError(`say one of: ${keysCommand.usage}`);
  },
};
