/** The audit trail: every write, who made it, from where, and master data before and after. */
import { useState } from 'preact/hooks';
import { api, query } from '../api';
import { navigate } from '../nav';
import { Empty, ErrorNote, Field, useLoad, when } from '../ui';

interface Entry {
  at: string;
  actor: string;
  apiKey: string;
  via: string;
  origin: string;
  action: string;
  entity: { kind: string; id: string } | null;
  status: number;
  before?: unknown;
  after?: unknown;
  correlationId: string;
}

export function Audit({ params }: { params: URLSearchParams }) {
  const current = { actor: params.get('actor') ?? '', entity: params.get('entity') ?? '', cursor: params.get('cursor') ?? '' };
  const [form, setForm] = useState(current);
  const key = params.toString();
  const { data, error, loading } = useLoad(() => api<{ entries: Entry[]; next: string | null }>('GET', `/v1/audit${query({ ...current, limit: 50 })}`), [key]);
  return (
    <div>
      <form
        class="search"
        onSubmit={(e) => {
          e.preventDefault();
          const p: Record<string, string> = {};
          if (form.actor.trim()) p.actor = form.actor.trim();
          if (form.entity.trim()) p.entity = form.entity.trim();
          navigate('audit', p);
        }}
      >
        <Field label="Actor" hint="A key's name, system:ID or operator:NAME">
          <input name="actor" value={form.actor} onInput={(e) => setForm({ ...form, actor: (e.target as HTMLInputElement).value })} />
        </Field>
        <Field label="Entity" hint="kind or kind:id, e.g. item:ABC-100">
          <input name="entity" value={form.entity} onInput={(e) => setForm({ ...form, entity: (e.target as HTMLInputElement).value })} />
        </Field>
        <button type="submit">Filter</button>
      </form>
      <ErrorNote error={error} />
      {loading && !data ? <p class="loading">Loading…</p> : null}
      {data && data.entries.length === 0 ? <Empty>No writes match. Clear the filters to see every write.</Empty> : null}
      {data && data.entries.length > 0 ? (
        <>
          <table>
            <caption>Newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Actor</th>
                <th scope="col">Via</th>
                <th scope="col">From</th>
                <th scope="col">Action</th>
                <th scope="col">Entity</th>
                <th scope="col">Status</th>
                <th scope="col">Change</th>
              </tr>
            </thead>
            <tbody>
              {data.entries.map((e, i) => (
                <tr key={`${e.at}-${i}`}>
                  <td>{when(e.at)}</td>
                  <th scope="row">{e.actor}</th>
                  <td>{e.via}</td>
                  <td>{e.origin}</td>
                  <td>{e.action}</td>
                  <td>{e.entity ? `${e.entity.kind}:${e.entity.id}` : '—'}</td>
                  <td>{e.status}</td>
                  <td class="wrap">
                    {e.before !== undefined || e.after !== undefined ? (
                      <details>
                        <summary>before and after</summary>
                        <textarea
                          class="payload"
                          readOnly
                          rows={12}
                          aria-label="Before and after"
                          value={JSON.stringify({ before: e.before, after: e.after }, null, 2)}
                        />
                      </details>
                    ) : (
                      '—'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {data.next ? (
            <p>
              <a
                href={`#/audit?${new URLSearchParams({ ...(current.actor ? { actor: current.actor } : {}), ...(current.entity ? { entity: current.entity } : {}), cursor: data.next }).toString()}`}
              >
                Older entries
              </a>
            </p>
          ) : null}
        </>
      ) : null}
    </div>
  );
}
