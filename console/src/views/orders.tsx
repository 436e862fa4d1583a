/** Orders: search by id, channel number, customer and status; an order's lines and its timeline across systems. */
import { useState } from 'preact/hooks';
import { api, enc, query } from '../api';
import { navigate } from '../nav';
import { AnyOf, Empty, ErrorNote, Field, Section, useLoad, when } from '../ui';
import { ORDER_STATUSES } from '../../../src/model/order-statuses.js';

interface Order {
  id: string;
  channel: string;
  externalId: string;
  customer: string;
  status: string;
  capturedAt?: string;
  lines: { sku: string; qty: number; reserved?: number; shipped?: number; backordered?: number }[];
}
interface TimelineEntry {
  at: string;
  status: string;
  source: string;
  correlationId: string | null;
  step: string;
  outcome: string;
}

// The hub's own list, bundled: it cannot drift from the statuses the hub answers.
const STATUSES = ORDER_STATUSES;

export function Orders({ params }: { params: URLSearchParams }) {
  const id = params.get('id');
  return id ? <OrderDetail id={id} /> : <OrderSearch params={params} />;
}

function OrderSearch({ params }: { params: URLSearchParams }) {
  const [form, setForm] = useState({
    id: '',
    channel: params.get('channel') ?? '',
    externalId: params.get('externalId') ?? '',
    customer: params.get('customer') ?? '',
    status: params.get('status') ?? '',
  });
  const key = params.toString();
  const { data, error, loading } = useLoad(async () => {
    const q = query({
      channel: params.get('channel'),
      externalId: params.get('externalId'),
      customer: params.get('customer'),
      status: params.get('status'),
      cursor: params.get('cursor'),
      limit: 50,
    });
    return api<{ orders: Order[]; next: string | null }>('GET', `/v1/orders${q}`);
  }, [key]);
  const set = (k: keyof typeof form) => (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value });
  const older = new URLSearchParams(params);
  if (data?.next) older.set('cursor', data.next);
  const submit = (e: Event) => {
    e.preventDefault();
    if (form.id.trim()) return navigate('orders', { id: form.id.trim() });
    const p: Record<string, string> = {};
    for (const k of ['channel', 'externalId', 'customer', 'status'] as const) if (form[k].trim()) p[k] = form[k].trim();
    navigate('orders', p);
  };
  return (
    <div>
      <form class="search" onSubmit={submit}>
        <Field label="Order id">
          <input name="id" value={form.id} onInput={set('id')} />
        </Field>
        <Field label="Channel">
          <input name="channel" value={form.channel} onInput={set('channel')} />
        </Field>
        <Field label="Channel's order number" hint="Needs the channel">
          <input name="externalId" value={form.externalId} onInput={set('externalId')} />
        </Field>
        <Field label="Customer">
          <input name="customer" value={form.customer} onInput={set('customer')} />
        </Field>
        <Field label="Status">
          <AnyOf name="status" value={form.status} values={STATUSES} onChange={set('status')} />
        </Field>
        <button type="submit">Search</button>
      </form>
      <ErrorNote error={error} />
      {loading && !data ? <p class="loading">Loading…</p> : null}
      {data && data.orders.length === 0 ? <Empty>No orders match. Widen the search: clear a filter or pick another status.</Empty> : null}
      {data && data.orders.length > 0 ? (
        <table>
          <caption>Newest first</caption>
          <thead>
            <tr>
              <th scope="col">Order</th>
              <th scope="col">Channel</th>
              <th scope="col">Channel's number</th>
              <th scope="col">Customer</th>
              <th scope="col">Status</th>
              <th scope="col">Lines</th>
            </tr>
          </thead>
          <tbody>
            {data.orders.map((o) => (
              <tr key={o.id}>
                <th scope="row">
                  <a href={`#/orders?id=${enc(o.id)}`}>{o.id}</a>
                </th>
                <td>{o.channel}</td>
                <td>{o.externalId}</td>
                <td>{o.customer}</td>
                <td>{o.status.replace('_', ' ')}</td>
                <td>{o.lines.map((l) => `${l.qty} × ${l.sku}`).join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {data?.next ? (
        <p>
          <a href={`#/orders?${older.toString()}`}>Older orders</a>
        </p>
      ) : null}
    </div>
  );
}

function OrderDetail({ id }: { id: string }) {
  const { data, error, loading } = useLoad(
    async () => ({
      order: await api<Order>('GET', `/v1/orders/${enc(id)}`),
      timeline: await api<{ entries: TimelineEntry[] }>('GET', `/v1/orders/${enc(id)}/timeline`),
    }),
    [id],
  );
  return (
    <div>
      <p>
        <a href="#/orders">Back to the search</a>
      </p>
      <ErrorNote error={error} />
      {loading && !data ? <p class="loading">Loading…</p> : null}
      {data ? (
        <>
          <Section title={`Order ${data.order.id}`} id="order">
            <dl class="facts">
              <dt>Status</dt>
              <dd data-order-status>{data.order.status.replace('_', ' ')}</dd>
              <dt>Channel</dt>
              <dd>
                {data.order.channel}, number {data.order.externalId}
              </dd>
              <dt>Customer</dt>
              <dd>{data.order.customer}</dd>
            </dl>
            <table>
              <caption>Lines</caption>
              <thead>
                <tr>
                  <th scope="col">Item</th>
                  <th scope="col">Ordered</th>
                  <th scope="col">Reserved</th>
                  <th scope="col">Backordered</th>
                  <th scope="col">Shipped</th>
                </tr>
              </thead>
              <tbody>
                {data.order.lines.map((l, i) => (
                  <tr key={i}>
                    <th scope="row">
                      <a href={`#/availability?sku=${enc(l.sku)}`}>{l.sku}</a>
                    </th>
                    <td>{l.qty}</td>
                    <td>{l.reserved ?? 0}</td>
                    <td>{l.backordered ?? 0}</td>
                    <td>{l.shipped ?? 0}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Section>
          <Section title="Timeline">
            {data.timeline.entries.length === 0 ? (
              <Empty>Nothing has happened to this order yet.</Empty>
            ) : (
              <ol class="timeline">
                {data.timeline.entries.map((t, i) => (
                  <li key={i} class={`outcome-${t.outcome}`}>
                    <time dateTime={t.at}>{when(t.at)}</time> <strong>{t.step}</strong> from {t.source}: {t.outcome} → {t.status.replace('_', ' ')}
                    {t.correlationId ? <small> · correlation {t.correlationId}</small> : null}
                  </li>
                ))}
              </ol>
            )}
          </Section>
        </>
      ) : null}
    </div>
  );
}
