/** An item's figure on each channel with its explanation: per location the buckets from the authority, the shadows from other sources, and the recent events. */
import { useState } from 'preact/hooks';
import { api, enc } from '../api';
import { navigate } from '../nav';
import type { Session } from '../session';
import { Empty, ErrorNote, Field, Section, useLoad, when } from '../ui';

interface Channel {
  id: string;
}
interface LocationTerms {
  location: string;
  authority: string;
  defined: boolean;
  onHand: number;
  qualityHold: number;
  damaged: number;
  reserved: number;
  safetyStock: number;
  net: number;
  inboundCounted: number;
  events: {
    position: number;
    id: string;
    type: string;
    occurredAt: string;
    reason?: string;
    delta?: Record<string, number>;
    balance?: Record<string, unknown>;
  }[];
  shadows: { source: string; onHand?: number; qualityHold?: number; damaged?: number; [k: string]: unknown }[];
}
interface Explanation {
  sku: string;
  channel: string;
  available: number;
  pool: number;
  allocation: unknown;
  formula: string;
  locations: LocationTerms[];
}

export function Availability({ params, session }: { params: URLSearchParams; session: Session }) {
  const sku = params.get('sku') ?? '';
  const [draft, setDraft] = useState(sku);
  const { data, error, loading } = useLoad(async () => {
    if (!sku) return undefined;
    const { channels } = await api<{ channels: Channel[] }>('GET', '/v1/channels');
    return Promise.all(channels.map((c) => api<Explanation>('GET', `/v1/availability/${enc(sku)}/explain?channel=${enc(c.id)}`)));
  }, [sku]);
  return (
    <div>
      <form
        class="search"
        onSubmit={(e) => {
          e.preventDefault();
          navigate('availability', draft.trim() ? { sku: draft.trim() } : {});
        }}
      >
        <Field label="Item (SKU)">
          <input name="sku" value={draft} onInput={(e) => setDraft((e.target as HTMLInputElement).value)} />
        </Field>
        <button type="submit">Explain</button>
      </form>
      <ErrorNote error={error} />
      {!sku ? (
        <Empty>Enter an item's SKU to see its figure on every channel and why it is what it is.</Empty>
      ) : loading && !data ? (
        <p class="loading">Loading…</p>
      ) : data ? (
        <>
          <Section title={`${sku} by channel`} id="by-channel">
            <table>
              <thead>
                <tr>
                  <th scope="col">Channel</th>
                  <th scope="col">Available</th>
                  <th scope="col">Pool</th>
                  <th scope="col">Allocation</th>
                </tr>
              </thead>
              <tbody>
                {data.map((x) => (
                  <tr key={x.channel}>
                    <th scope="row">{x.channel}</th>
                    <td data-channel-figure={x.channel}>{x.available}</td>
                    <td>{x.pool}</td>
                    <td>{x.allocation ? JSON.stringify(x.allocation) : 'none'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p class="formula">{data[0]?.formula}</p>
          </Section>
          {data.map((x) => (
            <details key={x.channel} class="explain">
              <summary>
                Why {x.channel} shows {x.available}
              </summary>
              <table>
                <caption>Locations sourcing {x.channel}, in order</caption>
                <thead>
                  <tr>
                    <th scope="col">Location</th>
                    <th scope="col">Source</th>
                    <th scope="col">On hand</th>
                    <th scope="col">Quality hold</th>
                    <th scope="col">Damaged</th>
                    <th scope="col">Reserved</th>
                    <th scope="col">Safety stock</th>
                    <th scope="col">Inbound counted</th>
                    <th scope="col">Net</th>
                  </tr>
                </thead>
                <tbody>
                  {x.locations.flatMap((l) => [
                    <tr key={l.location}>
                      <th scope="row">{l.location}</th>
                      <td>{l.authority} (authority)</td>
                      <td>{l.onHand}</td>
                      <td>{l.qualityHold}</td>
                      <td>{l.damaged}</td>
                      <td>{l.reserved}</td>
                      <td>{l.safetyStock}</td>
                      <td>{l.inboundCounted}</td>
                      <td>{l.net}</td>
                    </tr>,
                    ...l.shadows.map((s) => (
                      <tr key={`${l.location}-${s.source}`} class="shadow">
                        <th scope="row">{l.location}</th>
                        <td>{s.source} (shadow, not counted)</td>
                        <td>{String(s.onHand ?? '—')}</td>
                        <td>{String(s.qualityHold ?? '—')}</td>
                        <td>{String(s.damaged ?? '—')}</td>
                        <td colSpan={4} />
                      </tr>
                    )),
                  ])}
                </tbody>
              </table>
              <h3>Events behind these terms</h3>
              <ul class="events">
                {x.locations.flatMap((l) =>
                  l.events.map((ev) => (
                    <li key={`${l.location}-${ev.position}`}>
                      {when(ev.occurredAt)} · {l.location} · {ev.type}
                      {ev.reason ? ` (${ev.reason})` : ''} {ev.delta ? JSON.stringify(ev.delta) : ev.balance ? JSON.stringify(ev.balance) : ''}
                    </li>
                  )),
                )}
              </ul>
            </details>
          ))}
          <RecentChanges sku={sku} params={params} session={session} channels={data.map((x) => x.channel)} />
        </>
      ) : null}
    </div>
  );
}

interface Change {
  position: number;
  type: string;
  occurredAt: string;
  location: string;
  source: string;
  authority: boolean;
  reason?: string;
  delta?: Record<string, number>;
  balance?: Record<string, unknown>;
}

const BUCKET: Record<string, string> = { onHand: 'on hand', qualityHold: 'quality hold', damaged: 'damaged', inbound: 'inbound' };

/** What a change did, in words: a movement's signed quantities, or a count's figures. */
function changeText(c: Change): string {
  if (c.delta)
    return `${c.reason ?? 'movement'}: ${Object.entries(c.delta)
      .map(([b, n]) => `${BUCKET[b] ?? b} ${n > 0 ? '+' : ''}${n}`)
      .join(', ')}`;
  const counted = Object.entries(c.balance ?? {}).filter(([, v]) => typeof v === 'number');
  return `count: ${counted.map(([b, n]) => `${BUCKET[b] ?? b} ${n}`).join(', ') || 'no figures'}`;
}

/** The item's recent changes (GET /v1/items/{sku}/changes), at every location or a channel's, older ones a page at a time. */
function RecentChanges({ sku, params, session, channels }: { sku: string; params: URLSearchParams; session: Session; channels: string[] }) {
  // A key bound to channels reads its channels' locations only: it starts at its first one.
  const bound = session.channels !== undefined && session.channels.length > 0;
  const channel = params.get('changesAt') ?? (bound ? (channels[0] ?? '') : '');
  const before = params.get('changesBefore') ?? '';
  const { data, error } = useLoad(
    async () =>
      api<{ changes: Change[]; next: number | null; omitted: number }>(
        'GET',
        `/v1/items/${enc(sku)}/changes?${new URLSearchParams({ limit: '25', ...(channel ? { channel } : {}), ...(before ? { before } : {}) }).toString()}`,
      ),
    [sku, channel, before],
  );
  const link = (extra: Record<string, string>) => `#/availability?${new URLSearchParams({ sku, ...extra }).toString()}`;
  return (
    <Section title="Recent changes">
      <Field label="Locations">
        <select
          name="changes-at"
          value={channel}
          onChange={(e) =>
            navigate('availability', { sku, ...((e.target as HTMLSelectElement).value ? { changesAt: (e.target as HTMLSelectElement).value } : {}) })
          }
        >
          {bound ? null : <option value="">every location</option>}
          {channels.map((c) => (
            <option key={c} value={c}>
              those {c} sells from
            </option>
          ))}
        </select>
      </Field>
      <ErrorNote error={error} />
      {data && data.changes.length === 0 ? (
        <Empty>No counts or movements of {sku} are kept here. They appear as the warehouses and systems send inventory events for it.</Empty>
      ) : data ? (
        <>
          <table data-changes={sku}>
            <caption>Counts and movements of {sku}, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Location</th>
                <th scope="col">Source</th>
                <th scope="col">Change</th>
                <th scope="col">Log position</th>
              </tr>
            </thead>
            <tbody>
              {data.changes.map((c) => (
                <tr key={c.position} class={c.authority ? undefined : 'shadow'}>
                  <td>{when(c.occurredAt)}</td>
                  <th scope="row">{c.location}</th>
                  <td>
                    {c.source} {c.authority ? '(authority)' : '(shadow, not counted)'}
                  </td>
                  <td>{changeText(c)}</td>
                  <td>{c.position}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>
            {before ? <a href={link(channel ? { changesAt: channel } : {})}>Newest changes</a> : null}
            {before && data.next ? ' · ' : null}
            {data.next ? <a href={link({ ...(channel ? { changesAt: channel } : {}), changesBefore: String(data.next) })}>Older changes</a> : null}
            {!data.next && data.omitted > 0
              ? ` ${data.omitted} older movement${data.omitted === 1 ? ' is' : 's are'} folded into the figures and no longer listed.`
              : null}
          </p>
        </>
      ) : null}
    </Section>
  );
}
