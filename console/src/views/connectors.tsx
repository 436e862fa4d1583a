/**
 * Connectors and destinations: circuit state, last success, backlog, and per destination its dead
 * letters with retry, discard (with a reason) and a time range sent again, each asked to be
 * confirmed first and its outcome said in words.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
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
  note?: string;
  attempts: number;
  lastError: string;
  deadAt: string;
}

/** An action waiting for the person to confirm it: what it will do, in words, and how to do it. */
interface Pending {
  question: string;
  confirm: string;
  /** When set, the action needs a reason typed first (discarding). */
  reasonLabel?: string;
  run: (reason: string) => Promise<string>;
}

export function Connectors() {
  const { data, error, reload } = useLoad(
    async () => ({
      destinations: (await api<{ destinations: Destination[] }>('GET', '/v1/deliveries')).destinations,
      dead: (await api<{ deadLetters: DeadLetter[] }>('GET', `/v1/dead-letters${query({ status: 'dead', limit: 1000 })}`)).deadLetters,
    }),
    [],
  );
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
                      <td data-dead-count={d.destination}>
                        <a href={`#dead-letters-${d.destination}`}>{data.dead.filter((x) => x.destination === d.destination).length}</a>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Section>
          {data.destinations.map((d) => (
            <DestinationDeadLetters
              key={d.destination}
              destination={d.destination}
              dead={data.dead.filter((x) => x.destination === d.destination)}
              reload={reload}
            />
          ))}
        </>
      ) : null}
    </div>
  );
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** One destination's dead letters and what can be done about them, each action confirmed before it runs. */
function DestinationDeadLetters({ destination, dead, reload }: { destination: string; dead: DeadLetter[]; reload: () => Promise<void> }) {
  const [pending, setPending] = useState<Pending | undefined>();
  const act = useAction();
  const ask = setPending;
  const confirm = (reason: string) => {
    const p = pending!;
    setPending(undefined);
    void act.run(async () => {
      const said = await p.run(reason);
      await reload();
      return said;
    });
  };
  const what = (d: DeadLetter) => `${d.message.topic} ${d.message.key}`;
  return (
    <section aria-labelledby={`dead-letters-${destination}`} data-destination={destination}>
      <h2 id={`dead-letters-${destination}`} tabIndex={-1}>
        Dead letters for {destination}
      </h2>
      <Notice text={act.done} />
      <ErrorNote error={act.error} />
      {pending ? <Confirm pending={pending} onConfirm={confirm} onCancel={() => setPending(undefined)} busy={act.busy} /> : null}
      {dead.length === 0 ? (
        <Empty>No dead letters for {destination}: every message to it was delivered or is on its way.</Empty>
      ) : (
        <>
          <p>
            <button
              type="button"
              disabled={act.busy}
              onClick={() =>
                ask({
                  question: `Queue all ${plural(dead.length, 'dead letter')} for ${destination} for delivery again?`,
                  confirm: `Yes, retry ${plural(dead.length, 'dead letter')}`,
                  run: async () => {
                    const r = await api<{ queued: number }>('POST', '/v1/dead-letters/retry', { destination });
                    return `${plural(r.queued, 'dead letter')} for ${destination} queued for delivery again. Each is delivered once ${destination} takes it, or comes back here if it fails again.`;
                  },
                })
              }
            >
              Retry all for {destination}
            </button>
          </p>
          <table>
            <caption>Messages {destination} did not take, oldest first</caption>
            <thead>
              <tr>
                <th scope="col">Dead letter</th>
                <th scope="col">Message</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last error</th>
                <th scope="col">Since</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {dead.map((d) => (
                <tr key={d.id} data-dead-letter={d.id}>
                  <th scope="row">{d.id}</th>
                  <td>{what(d)}</td>
                  <td>{d.attempts}</td>
                  <td class="wrap">{d.lastError}</td>
                  <td>{when(d.deadAt)}</td>
                  <td class="actions">
                    <button
                      type="button"
                      disabled={act.busy}
                      aria-label={`Retry dead letter ${d.id}`}
                      onClick={() =>
                        ask({
                          question: `Deliver dead letter ${d.id} (${what(d)}) to ${destination} again?`,
                          confirm: `Yes, retry dead letter ${d.id}`,
                          run: async () => {
                            await api('POST', `/v1/dead-letters/${d.id}/retry`, {});
                            return `Dead letter ${d.id} (${what(d)}) is queued for ${destination} again.`;
                          },
                        })
                      }
                    >
                      Retry
                    </button>{' '}
                    <button
                      type="button"
                      class="danger"
                      disabled={act.busy}
                      aria-label={`Discard dead letter ${d.id}`}
                      onClick={() =>
                        ask({
                          question: `Give up on dead letter ${d.id} (${what(d)}) for good? ${destination} will never receive it.`,
                          confirm: `Yes, discard dead letter ${d.id}`,
                          reasonLabel: `Why discard dead letter ${d.id}`,
                          run: async (reason) => {
                            await api('POST', `/v1/dead-letters/${d.id}/discard`, { reason });
                            return `Dead letter ${d.id} (${what(d)}) was discarded: ${reason}. It will not be sent to ${destination}.`;
                          },
                        })
                      }
                    >
                      Discard…
                    </button>{' '}
                    <a href={`#/exceptions?${new URLSearchParams({ group: `destination:${d.destination}` }).toString()}`}>Exceptions</a>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <Replay destination={destination} ask={ask} busy={act.busy} />
    </section>
  );
}

/** Asks before an action runs; a discard needs its reason typed first. */
function Confirm({ pending, onConfirm, onCancel, busy }: { pending: Pending; onConfirm: (reason: string) => void; onCancel: () => void; busy: boolean }) {
  const [reason, setReason] = useState('');
  const form = useRef<HTMLFormElement>(null);
  // The keyboard goes straight to the question: the reason to type, or the button that confirms.
  useEffect(() => {
    form.current?.querySelector<HTMLElement>('input, button')?.focus();
  }, [pending]);
  return (
    <form
      ref={form}
      class="confirm"
      aria-label="Confirm the action"
      onSubmit={(e) => {
        e.preventDefault();
        onConfirm(reason.trim());
      }}
    >
      <p>{pending.question}</p>
      {pending.reasonLabel ? (
        <Field label={pending.reasonLabel} hint="Kept with the dead letter and in the audit trail">
          <input name="reason" value={reason} required maxLength={1000} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
        </Field>
      ) : null}
      <Buttons>
        <button type="submit" class={pending.reasonLabel ? 'danger' : undefined} disabled={busy}>
          {pending.confirm}
        </button>
        <button type="button" class="secondary" onClick={onCancel}>
          Cancel
        </button>
      </Buttons>
    </form>
  );
}

const Buttons = ({ children }: { children: ComponentChildren }) => <p class="buttons">{children}</p>;

/** Sends a destination a time range of messages again (after its own data was lost or restored). */
function Replay({ destination, ask, busy }: { destination: string; ask: (p: Pending) => void; busy: boolean }) {
  const hourAgo = new Date(Date.now() - 3600_000).toISOString().slice(0, 16);
  const now = new Date().toISOString().slice(0, 16);
  const [form, setForm] = useState({ from: hourAgo, to: now });
  const set = (k: keyof typeof form) => (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value });
  return (
    <form
      class="search"
      aria-label={`Send a time range to ${destination} again`}
      onSubmit={(e) => {
        e.preventDefault();
        const { from, to } = form;
        ask({
          question: `Send ${destination} every message from ${from.replace('T', ' ')} to ${to.replace('T', ' ')} UTC again?`,
          confirm: `Yes, replay to ${destination}`,
          run: async () => {
            const r = await api<{ queued: number }>('POST', `/v1/deliveries/${enc(destination)}/replay`, {
              from: new Date(`${from}Z`).toISOString(),
              to: new Date(`${to}Z`).toISOString(),
            });
            return `${plural(r.queued, 'message')} from ${from.replace('T', ' ')} to ${to.replace('T', ' ')} UTC queued for ${destination} again.`;
          },
        });
      }}
    >
      <Field label={`Replay to ${destination} from (UTC)`}>
        <input type="datetime-local" name="from" value={form.from} onInput={set('from')} required />
      </Field>
      <Field label="To (UTC)">
        <input type="datetime-local" name="to" value={form.to} onInput={set('to')} required />
      </Field>
      <button type="submit" disabled={busy}>
        Replay…
      </button>
    </form>
  );
}
