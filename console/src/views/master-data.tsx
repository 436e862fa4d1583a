/** Master data: cross-references (search, add, import CSV) and items with their units. */
import { useState } from 'preact/hooks';
import { api, enc, query } from '../api';
import { navigate } from '../nav';
import { allows, type Session } from '../session';
import { Empty, ErrorNote, Field, Notice, Section, useAction, useLoad } from '../ui';

interface Xref {
  kind: string;
  system: string;
  scheme: string;
  external: string;
  id: string;
  shipTo?: string;
}
interface Item {
  sku: string;
  defined?: boolean;
  description?: string;
  uom?: string;
  units?: Record<string, number>;
  partnerUnits?: Record<string, Record<string, number>>;
}
type PutAnswer = { upserted: number; replayed: number; rejected: { index: number; errors: { path: string; message: string }[] }[] };

const FIELDS = ['kind', 'system', 'scheme', 'external', 'id'] as const;

export function MasterData({ params, session }: { params: URLSearchParams; session: Session }) {
  const admin = allows(session, 'admin');
  return (
    <div>
      <XrefSearch params={params} admin={admin} />
      {admin ? <XrefAdd /> : null}
      {admin ? <XrefImport /> : null}
      <ItemList params={params} />
    </div>
  );
}

function XrefSearch({ params, admin }: { params: URLSearchParams; admin: boolean }) {
  const current = Object.fromEntries(FIELDS.map((f) => [f, params.get(f) ?? ''])) as Record<(typeof FIELDS)[number], string>;
  const [form, setForm] = useState(current);
  const searched = FIELDS.some((f) => current[f]);
  const key = params.toString();
  const { data, error, reload } = useLoad(
    async () => (searched ? (await api<{ xrefs: Xref[] }>('GET', `/v1/xrefs${query({ ...current, limit: 200 })}`)).xrefs : undefined),
    [key],
  );
  const act = useAction();
  const remove = (x: Xref) =>
    act.run(async () => {
      await api('DELETE', `/v1/xrefs/${enc(x.kind)}/${enc(x.system)}/${enc(x.scheme)}/${enc(x.external)}`);
      await reload();
      return `Removed ${x.system} ${x.scheme} ${x.external}.`;
    });
  return (
    <Section title="Cross-references">
      <form
        class="search"
        onSubmit={(e) => {
          e.preventDefault();
          const p: Record<string, string> = {};
          for (const f of FIELDS) if (form[f].trim()) p[f] = form[f].trim();
          navigate('master-data', p);
        }}
      >
        {FIELDS.map((f) => (
          <Field key={f} label={f === 'id' ? "Hub's id" : f === 'external' ? "System's id" : f[0]!.toUpperCase() + f.slice(1)}>
            <input name={`search-${f}`} value={form[f]} onInput={(e) => setForm({ ...form, [f]: (e.target as HTMLInputElement).value })} />
          </Field>
        ))}
        <button type="submit">Search</button>
      </form>
      <ErrorNote error={error ?? act.error} />
      <Notice text={act.done} />
      {!searched ? (
        <Empty>Search by a system's id (system, scheme and its id) or by the hub's id to see every system's ids for it.</Empty>
      ) : data && data.length === 0 ? (
        <Empty>No cross-reference matches. Add one below, or import a CSV.</Empty>
      ) : data ? (
        <table>
          <thead>
            <tr>
              <th scope="col">Kind</th>
              <th scope="col">System</th>
              <th scope="col">Scheme</th>
              <th scope="col">System's id</th>
              <th scope="col">Hub's id</th>
              {admin ? <th scope="col">Action</th> : null}
            </tr>
          </thead>
          <tbody>
            {data.map((x) => (
              <tr key={`${x.kind}-${x.system}-${x.scheme}-${x.external}`}>
                <td>{x.kind}</td>
                <td>{x.system}</td>
                <td>{x.scheme}</td>
                <th scope="row">{x.external}</th>
                <td>{x.id}</td>
                {admin ? (
                  <td>
                    <button type="button" class="danger" onClick={() => void remove(x)} aria-label={`Remove ${x.system} ${x.scheme} ${x.external}`}>
                      Remove
                    </button>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Section>
  );
}

function rejectedText(rows: PutAnswer['rejected'], label: (i: number) => string): string {
  return rows.map((r) => `${label(r.index)}: ${r.errors.map((e) => `${e.path} ${e.message}`).join(', ')}`).join('; ');
}

function XrefAdd() {
  const [form, setForm] = useState({ kind: 'item', system: '', scheme: 'id', external: '', id: '' });
  const act = useAction();
  return (
    <Section title="Add a cross-reference">
      <form
        class="search"
        onSubmit={(e) => {
          e.preventDefault();
          void act.run(async () => {
            const r = await api<PutAnswer>('PUT', '/v1/xrefs', [Object.fromEntries(Object.entries(form).map(([k, v]) => [k, v.trim()]))]);
            if (r.rejected.length) throw new Error(`Not added: ${rejectedText(r.rejected, () => 'the reference')}. Correct it and add again.`);
            return `Added. ${r.replayed} waiting document${r.replayed === 1 ? '' : 's'} replayed.`;
          });
        }}
      >
        <Field label="Kind">
          <select name="add-kind" value={form.kind} onChange={(e) => setForm({ ...form, kind: (e.target as HTMLSelectElement).value })}>
            <option value="item">item</option>
            <option value="customer">customer</option>
            <option value="location">location</option>
          </select>
        </Field>
        {(['system', 'scheme', 'external', 'id'] as const).map((f) => (
          <Field key={f} label={f === 'id' ? "Hub's id" : f === 'external' ? "System's id" : f[0]!.toUpperCase() + f.slice(1)}>
            <input name={`add-${f}`} value={form[f]} required onInput={(e) => setForm({ ...form, [f]: (e.target as HTMLInputElement).value })} />
          </Field>
        ))}
        <button type="submit" disabled={act.busy}>
          Add
        </button>
      </form>
      <ErrorNote error={act.error} />
      <Notice text={act.done} />
    </Section>
  );
}

/** Columns kind,system,scheme,external,id[,shipTo], a header line first, as the CLI's import takes. */
function parseCsv(text: string): { rows: Record<string, string>[]; problems: string[] } {
  const lines = text.split(/\r?\n/).filter((l) => l.trim());
  const header = (lines.shift() ?? '').split(',').map((h) => h.trim().replace(/^"|"$/g, ''));
  const problems: string[] = [];
  for (const need of FIELDS) if (!header.includes(need)) problems.push(`the header has no '${need}' column`);
  const rows = lines.map((l) => {
    const cells = l.split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
    const row: Record<string, string> = {};
    header.forEach((h, i) => {
      if (cells[i]) row[h] = cells[i]!;
    });
    return row;
  });
  return { rows, problems };
}

function XrefImport() {
  const [text, setText] = useState('');
  const act = useAction();
  return (
    <Section title="Import cross-references from CSV">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void act.run(async () => {
            const { rows, problems } = parseCsv(text);
            if (problems.length)
              throw new Error(`The CSV cannot be read: ${problems.join('; ')}. The first line names the columns kind,system,scheme,external,id.`);
            if (rows.length === 0) throw new Error('The CSV has no rows under its header. Paste or choose a file with at least one reference.');
            const r = await api<PutAnswer>('PUT', '/v1/xrefs', rows);
            return `${r.upserted} added, ${r.replayed} waiting documents replayed.${r.rejected.length ? ` Rejected: ${rejectedText(r.rejected, (i) => `line ${i + 2}`)}.` : ''}`;
          });
        }}
      >
        <Field label="CSV file">
          <input
            type="file"
            name="csv-file"
            accept=".csv,text/csv"
            onChange={(e) => {
              const file = (e.target as HTMLInputElement).files?.[0];
              if (file) void file.text().then(setText);
            }}
          />
        </Field>
        <Field label="CSV text" hint="kind,system,scheme,external,id[,shipTo] with a header line">
          <textarea name="csv" rows={5} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
        </Field>
        <button type="submit" disabled={act.busy}>
          Import
        </button>
      </form>
      <ErrorNote error={act.error} />
      <Notice text={act.done} />
    </Section>
  );
}

const unitsText = (units: Record<string, number> | undefined, base: string) =>
  Object.entries(units ?? {})
    .map(([u, n]) => `1 ${u} = ${n} ${base}`)
    .join(', ');

/** The item list (GET /v1/items): a page at a time in SKU order, narrowed by the start of the SKU. */
function ItemList({ params }: { params: URLSearchParams }) {
  const prefix = params.get('itemPrefix') ?? '';
  const after = params.get('itemsAfter') ?? '';
  const [draft, setDraft] = useState(prefix);
  const { data, error, loading } = useLoad(
    async () => api<{ items: Item[]; next: string | null }>('GET', `/v1/items${query({ prefix, after, limit: 50 })}`),
    [prefix, after],
  );
  const rest = (extra: Record<string, string>) => {
    const p: Record<string, string> = {};
    for (const [k, v] of params) if (k !== 'itemPrefix' && k !== 'itemsAfter') p[k] = v;
    return { ...p, ...extra };
  };
  return (
    <Section title="Items and units">
      <form
        class="search"
        onSubmit={(e) => {
          e.preventDefault();
          navigate('master-data', rest(draft.trim() ? { itemPrefix: draft.trim() } : {}));
        }}
      >
        <Field label="SKU starts with" hint="Leave empty to list every item">
          <input name="item-prefix" value={draft} onInput={(e) => setDraft((e.target as HTMLInputElement).value)} />
        </Field>
        <button type="submit">List items</button>
      </form>
      <ErrorNote error={error} />
      {loading && !data ? (
        <p class="loading">Loading…</p>
      ) : data && data.items.length === 0 ? (
        <Empty>
          {prefix
            ? `No item's SKU starts with ${prefix}. Check the start of the SKU, or clear the field to list every item.`
            : "The hub knows no items yet. Define them with PUT /v1/items/{sku} or the configuration file's items:, or send inventory events that name them."}
        </Empty>
      ) : data ? (
        <>
          <table>
            <caption>{after ? `Items after ${after}` : 'Items'}, in SKU order</caption>
            <thead>
              <tr>
                <th scope="col">SKU</th>
                <th scope="col">Description</th>
                <th scope="col">Base unit</th>
                <th scope="col">Conversions</th>
                <th scope="col">Partners' units</th>
              </tr>
            </thead>
            <tbody>
              {data.items.map((item) => (
                <tr key={item.sku} data-item={item.sku}>
                  <th scope="row">
                    <a href={`#/availability?${new URLSearchParams({ sku: item.sku }).toString()}`}>{item.sku}</a>
                  </th>
                  <td>{item.defined === false ? 'not defined: known only from inventory events' : (item.description ?? '—')}</td>
                  <td>{item.uom ?? 'EA'}</td>
                  <td>{unitsText(item.units, item.uom ?? 'EA') || 'none besides the base unit'}</td>
                  <td>
                    {Object.entries(item.partnerUnits ?? {})
                      .map(([p, units]) => `${p}: ${unitsText(units, item.uom ?? 'EA')}`)
                      .join('; ') || 'none'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>
            {after ? <a href={`#/master-data?${new URLSearchParams(rest(prefix ? { itemPrefix: prefix } : {})).toString()}`}>First items</a> : null}
            {after && data.next ? ' · ' : null}
            {data.next ? (
              <a href={`#/master-data?${new URLSearchParams(rest({ ...(prefix ? { itemPrefix: prefix } : {}), itemsAfter: data.next })).toString()}`}>
                Next items
              </a>
            ) : null}
          </p>
        </>
      ) : null}
    </Section>
  );
}
