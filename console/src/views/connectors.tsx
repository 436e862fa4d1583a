/** Connectors and destinations: circuit state, last success, backlog, dead letters with retry, discard and replay. */
import { useState } from 'preact/hooks';
import { api, enc, query } from '../api';
import { Empty, ErrorNote, Field, Notice, Section, useAction, useLoad, when } from '../ui';

interface Destination {
  destination: string;
  circuit: string;
  cursors: { orders: number; bulk: number };
  deliveredMessages: number;
  coalescedChanges: number;
  lastSuccessAt: string | null;
  rateLimitUse: number | null;
}
interface DeadLetter {
  id: number;
  destination: string;
  lane: string;
  status: string;
  message: { topic: string; key: string };
  attempts: number;
  lastError: string;
  deadAt: string;
}

export function Connectors() {
  const { data, error, reload } = useLoad(
    async () => ({
      destinations: (await api<{ destinations: Destination[] }>('GET', '/v1/deliveries')).destinations,
      dead: (await api<{ deadLetters: DeadLetter[] }>('GET', `/v1/dead-letters${query({ status: 'dead' })}`)).deadLetters,
    }),
    [],
  );
  const act = useAction();
  const retry = (id?: number) =>
    act.run(async () => {
      await api('POST', id === undefined ? '/v1/dead-letters/retry' : `/v1/dead-letters/${id}/retry`, {});
      await reload();
      return id === undefined ? 'Every dead letter was queued for delivery again.' : `Dead letter ${id} was queued for delivery again.`;
    });
  return (
    <div>
      <p>
        <button type="button" onClick={() => void reload()}>
          Refresh
        </button>
      </p>
      <ErrorNote error={error} />
      {data ? (
        <>
          <Section title="Destinations">
            {data.destinations.length === 0 ? (
              <Empty>No destinations. Add systems under `systems:` in the hub's configuration file and restart it.</Empty>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th scope="col">Destination</th>
                    <th scope="col">Circuit</th>
                    <th scope="col">Last success</th>
                    <th scope="col">Delivered</th>
                    <th scope="col">Changes coalesced</th>
                    <th scope="col">Rate limit in use</th>
                    <th scope="col">Dead letters</th>
                  </tr>
                </thead>
                <tbody>
                  {data.destinations.map((d) => (
                    <tr key={d.destination}>
                      <th scope="row">{d.destination}</th>
                      <td class={`circuit ${d.circuit}`} data-circuit={d.destination}>
                        {d.circuit.replace('_', ' ')}
                      </td>
                      <td>{when(d.lastSuccessAt)}</td>
                      <td>{d.deliveredMessages}</td>
                      <td>{d.coalescedChanges}</td>
                      <td>{d.rateLimitUse === null ? 'no limit' : `${Math.round(d.rateLimitUse * 100)}%`}</td>
                      <td>{data.dead.filter((x) => x.destination === d.destination).length}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Section>
          <Section title="Dead letters">
            <ErrorNote error={act.error} />
            <Notice text={act.done} />
            {data.dead.length === 0 ? (
              <Empty>No dead letters: every message was delivered or is on its way.</Empty>
            ) : (
              <>
                <p>
                  <button type="button" disabled={act.busy} onClick={() => void retry()}>
                    Retry all dead letters
                  </button>
                </p>
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Dead letter</th>
                      <th scope="col">Destination</th>
                      <th scope="col">Message</th>
                      <th scope="col">Attempts</th>
                      <th scope="col">Last error</th>
                      <th scope="col">Since</th>
                      <th scope="col">Action</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.dead.map((d) => (
                      <tr key={d.id}>
                        <th scope="row">{d.id}</th>
                        <td>{d.destination}</td>
                        <td>
                          {d.message.topic} {d.message.key}
                        </td>
                        <td>{d.attempts}</td>
                        <td class="wrap">{d.lastError}</td>
                        <td>{when(d.deadAt)}</td>
                        <td>
                          <button type="button" disabled={act.busy} onClick={() => void retry(d.id)} aria-label={`Retry dead letter ${d.id}`}>
                            Retry
                          </button>{' '}
                          <a href={`#/exceptions?${new URLSearchParams({ group: `destination:${d.destination}` }).toString()}`}>Exceptions</a>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </>
            )}
          </Section>
          <Replay destinations={data.destinations.map((d) => d.destination)} />
        </>
      ) : null}
    </div>
  );
}

function Replay({ destinations }: { destinations: string[] }) {
  const hourAgo = new Date(Date.now() - 3600_000).toISOString().slice(0, 16);
  const now = new Date().toISOString().slice(0, 16);
  const [form, setForm] = useState({ destination: destinations[0] ?? '', from: hourAgo, to: now });
  const act = useAction();
  const set = (k: keyof typeof form) => (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value });
  if (destinations.length === 0) return null;
  return (
    <Section title="Send a time range again">
      <form
        class="search"
        onSubmit={(e) => {
          e.preventDefault();
          void act.run(async () => {
            const r = await api<{ queued: number }>('POST', `/v1/deliveries/${enc(form.destination)}/replay`, {
              from: new Date(`${form.from}Z`).toISOString(),
              to: new Date(`${form.to}Z`).toISOString(),
            });
            return `${r.queued} message${r.queued === 1 ? '' : 's'} queued for ${form.destination}.`;
          });
        }}
      >
        <Field label="Destination">
          <select name="destination" value={form.destination} onChange={set('destination')}>
            {destinations.map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
        </Field>
        <Field label="From (UTC)">
          <input type="datetime-local" name="from" value={form.from} onInput={set('from')} required />
        </Field>
        <Field label="To (UTC)">
          <input type="datetime-local" name="to" value={form.to} onInput={set('to')} required />
        </Field>
        <button type="submit" disabled={act.busy}>
          Replay
        </button>
      </form>
      <ErrorNote error={act.error} />
      <Notice text={act.done} />
    </Section>
  );
}
