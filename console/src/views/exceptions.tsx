/**
 * The exception queue: filters, groups (one root cause), every action on one exception or on a
 * whole group, and for a document waiting for a cross-reference the mapping that releases it.
 */
import { useState } from 'preact/hooks';
import { api, enc, query } from '../api';
import { navigate } from '../nav';
import { AnyOf, Empty, ErrorNote, Field, Notice, Section, useAction, useLoad, when } from '../ui';
import { EXCEPTION_CLASSES } from '../../../src/domain/exceptions/exception-rules.js';

interface Exception {
  id: number;
  class: string;
  severity: string;
  status: string;
  owner: string;
  entity: string | { kind: string; id: string };
  group: string;
  correlationId: string | null;
  error: string;
  actions: string[];
  createdAt: string;
  updatedAt: string;
  payload?: unknown;
  history?: { at: string; actor: string; action: string; note?: string; status: string }[];
}
interface UnknownReference {
  kind: string;
  system: string;
  scheme: string;
  external: string;
}

// The hub's own list, bundled: a class added there shows in the filter without touching the console.
const CLASSES = EXCEPTION_CLASSES;
const STATUSES = ['open', 'acknowledged', 'resolved', 'auto_resolved'];
const entityText = (e: Exception['entity']) => (typeof e === 'string' ? e : `${e.kind}:${e.id}`);

export function Exceptions({ params }: { params: URLSearchParams }) {
  const id = params.get('id');
  return id ? <ExceptionDetail id={Number(id)} /> : <ExceptionList params={params} />;
}

function ExceptionList({ params }: { params: URLSearchParams }) {
  const filter = {
    status: params.get('status') ?? '',
    class: params.get('class') ?? '',
    owner: params.get('owner') ?? '',
    group: params.get('group') ?? '',
  };
  const [form, setForm] = useState(filter);
  const key = params.toString();
  const { data, error, loading, reload } = useLoad(
    () => api<{ exceptions: Exception[]; next: string | null }>('GET', `/v1/exceptions${query({ ...filter, cursor: params.get('cursor'), limit: 100 })}`),
    [key],
  );
  const older = data?.next
    ? new URLSearchParams({ ...Object.fromEntries(Object.entries(filter).filter(([, v]) => v)), cursor: data.next }).toString()
    : undefined;
  const set = (k: keyof typeof form) => (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value });
  const submit = (e: Event) => {
    e.preventDefault();
    const p: Record<string, string> = {};
    for (const [k, v] of Object.entries(form)) if (v.trim()) p[k] = v.trim();
    navigate('exceptions', p);
  };
  const groups = new Map<string, number>();
  for (const x of data?.exceptions ?? []) groups.set(x.group, (groups.get(x.group) ?? 0) + 1);
  return (
    <div>
      <form class="search" onSubmit={submit}>
        <Field label="Status">
          <AnyOf name="status" value={form.status} values={STATUSES} onChange={set('status')} />
        </Field>
        <Field label="Class">
          <AnyOf name="class" value={form.class} values={CLASSES} onChange={set('class')} />
        </Field>
        <Field label="Owner">
          <input name="owner" value={form.owner} onInput={set('owner')} />
        </Field>
        <Field label="Group">
          <input name="group" value={form.group} onInput={set('group')} />
        </Field>
        <button type="submit">Filter</button>
      </form>
      <ErrorNote error={error} />
      {filter.group ? <GroupActions group={filter.group} exceptions={data?.exceptions ?? []} onDone={reload} /> : null}
      {loading && !data ? <p class="loading">Loading…</p> : null}
      {data && data.exceptions.length === 0 ? (
        <Empty>
          No exceptions match{filter.status || filter.class || filter.owner || filter.group ? ': clear a filter to see more' : ': nothing is stuck'}.
        </Empty>
      ) : null}
      {data && data.exceptions.length > 0 ? (
        <>
          {!filter.group && groups.size > 0 ? (
            <Section title="Groups on this page">
              <ul class="groups">
                {[...groups].map(([g, n]) => (
                  <li key={g}>
                    <a href={`#/exceptions?${new URLSearchParams({ group: g }).toString()}`}>{g}</a> ({n})
                  </li>
                ))}
              </ul>
            </Section>
          ) : null}
          <table>
            <caption>Newest first</caption>
            <thead>
              <tr>
                <th scope="col">Exception</th>
                <th scope="col">Class</th>
                <th scope="col">Status</th>
                <th scope="col">Owner</th>
                <th scope="col">Entity</th>
                <th scope="col">What went wrong</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {data.exceptions.map((x) => (
                <tr key={x.id} class={`severity-${x.severity}`}>
                  <th scope="row">
                    <a href={`#/exceptions?id=${x.id}`}>#{x.id}</a>
                  </th>
                  <td>{x.class.replace(/_/g, ' ')}</td>
                  <td data-exception-status>{x.status.replace('_', ' ')}</td>
                  <td>{x.owner}</td>
                  <td>{entityText(x.entity)}</td>
                  <td class="wrap">{x.error}</td>
                  <td>{when(x.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {older ? (
            <p>
              <a href={`#/exceptions?${older}`}>Older exceptions</a>
            </p>
          ) : null}
        </>
      ) : null}
    </div>
  );
}

function GroupActions({ group, exceptions, onDone }: { group: string; exceptions: Exception[]; onDone: () => void }) {
  const actions = [...new Set(exceptions.filter((x) => x.status === 'open' || x.status === 'acknowledged').flatMap((x) => x.actions))].filter(
    (a) => a !== 'edit',
  );
  const [action, setAction] = useState('');
  const [text, setText] = useState('');
  const act = useAction();
  const chosen = action || actions[0] || '';
  const needs = chosen === 'discard' ? 'reason' : chosen === 'assign' ? 'owner' : chosen === 'acknowledge' ? 'reason' : undefined;
  const submit = (e: Event) => {
    e.preventDefault();
    void act.run(async () => {
      const body = needs && text.trim() ? { [needs]: text.trim() } : {};
      const r = await api<{ results: { id: number; ok: boolean; note: string }[] }>('POST', `/v1/exception-groups/${enc(group)}/actions/${chosen}`, body);
      onDone();
      const failed = r.results.filter((x) => !x.ok);
      return `${chosen} applied to ${r.results.length - failed.length} of ${r.results.length} exceptions.${failed.length ? ` Not applied: ${failed.map((f) => `#${f.id} (${f.note})`).join(', ')}.` : ''}`;
    });
  };
  return (
    <Section title={`Group ${group}`} id="group">
      {actions.length === 0 ? (
        <Empty>No open exception in this group takes an action: it is settled, or its cause must be fixed at the source.</Empty>
      ) : (
        <form class="search" onSubmit={submit}>
          <Field label="Action for the whole group">
            <select name="groupAction" value={chosen} onChange={(e) => setAction((e.target as HTMLSelectElement).value)}>
              {actions.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          </Field>
          {needs ? (
            <Field label={needs === 'owner' ? 'New owner' : chosen === 'discard' ? 'Reason (required)' : 'Reason (optional)'}>
              <input name="groupText" value={text} onInput={(e) => setText((e.target as HTMLInputElement).value)} required={chosen !== 'acknowledge'} />
            </Field>
          ) : null}
          <button type="submit" disabled={act.busy}>
            Apply to the group
          </button>
        </form>
      )}
      <ErrorNote error={act.error} />
      <Notice text={act.done} />
    </Section>
  );
}

function ExceptionDetail({ id }: { id: number }) {
  const { data, error, loading, reload } = useLoad(async () => {
    const x = await api<Exception>('GET', `/v1/exceptions/${id}`);
    let unknown: UnknownReference[] = [];
    if (x.class === 'unknown_cross_reference') {
      unknown = (x.payload as { waitingFor?: UnknownReference[] } | null)?.waitingFor ?? [];
    } else if (x.class === 'parked_inbound') {
      const parkedId = Number(entityText(x.entity).split('/').at(-1));
      const { parked } = await api<{ parked: { id: number; unknownReferences?: UnknownReference[] }[] }>('GET', '/v1/inbound/parked');
      unknown = parked.find((p) => p.id === parkedId)?.unknownReferences ?? [];
    }
    return { x, unknown };
  }, [id]);
  return (
    <div>
      <p>
        <a href="#/exceptions">Back to the queue</a>
      </p>
      <ErrorNote error={error} />
      {loading && !data ? <p class="loading">Loading…</p> : null}
      {data ? <ExceptionBody x={data.x} unknown={data.unknown} reload={reload} /> : null}
    </div>
  );
}

function ExceptionBody({ x, unknown, reload }: { x: Exception; unknown: UnknownReference[]; reload: () => Promise<void> }) {
  const act = useAction();
  const [reason, setReason] = useState('');
  const [owner, setOwner] = useState('');
  const [payload, setPayload] = useState(JSON.stringify(x.payload ?? null, null, 2));
  // Kept here: once the mapping is added the document no longer waits, and the form goes away.
  const [mapped, setMapped] = useState<string | undefined>();
  const closed = x.status === 'resolved' || x.status === 'auto_resolved';
  const can = (a: string) => !closed && x.actions.includes(a);
  const run = (action: string, body?: unknown) =>
    act.run(async () => {
      const after = await api<Exception>('POST', `/v1/exceptions/${x.id}/actions/${action}`, body ?? {});
      await reload();
      return `${action}: done. The exception is now ${after.status.replace('_', ' ')}.`;
    });
  return (
    <>
      <Section title={`Exception #${x.id}`} id="exception">
        <dl class="facts">
          <dt>Status</dt>
          <dd data-exception-status>{x.status.replace('_', ' ')}</dd>
          <dt>Class</dt>
          <dd>{x.class.replace(/_/g, ' ')}</dd>
          <dt>Severity</dt>
          <dd>{x.severity}</dd>
          <dt>Owner</dt>
          <dd>{x.owner}</dd>
          <dt>Entity</dt>
          <dd>{entityText(x.entity)}</dd>
          <dt>Group</dt>
          <dd>
            <a href={`#/exceptions?${new URLSearchParams({ group: x.group }).toString()}`}>{x.group}</a>
          </dd>
          <dt>What went wrong</dt>
          <dd class="wrap">{x.error}</dd>
          {x.correlationId ? (
            <>
              <dt>Correlation id</dt>
              <dd>{x.correlationId}</dd>
            </>
          ) : null}
        </dl>
      </Section>
      <Section title="Actions">
        {closed ? <Notice text="This exception is closed; it takes no more actions." /> : null}
        <div class="actions">
          {can('retry') ? (
            <button type="button" disabled={act.busy} onClick={() => void run('retry')}>
              Retry
            </button>
          ) : null}
          {can('replay') ? (
            <button type="button" disabled={act.busy} onClick={() => void run('replay')}>
              Replay
            </button>
          ) : null}
        </div>
        {can('acknowledge') || can('discard') ? (
          <form class="search" onSubmit={(e) => e.preventDefault()}>
            <Field label="Reason" hint="Required to discard; optional to acknowledge">
              <input name="reason" value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
            </Field>
            {can('acknowledge') ? (
              <button type="button" disabled={act.busy} onClick={() => void run('acknowledge', reason.trim() ? { reason: reason.trim() } : {})}>
                Acknowledge
              </button>
            ) : null}
            {can('discard') ? (
              <button
                type="button"
                class="danger"
                disabled={act.busy}
                onClick={() => (reason.trim() ? void run('discard', { reason: reason.trim() }) : void act.run(async () => Promise.reject(discardNeedsReason)))}
              >
                Discard
              </button>
            ) : null}
          </form>
        ) : null}
        {can('assign') ? (
          <form
            class="search"
            onSubmit={(e) => {
              e.preventDefault();
              void run('assign', { owner: owner.trim() });
            }}
          >
            <Field label="Assign to team">
              <input name="owner" value={owner} onInput={(e) => setOwner((e.target as HTMLInputElement).value)} required />
            </Field>
            <button type="submit" disabled={act.busy}>
              Assign
            </button>
          </form>
        ) : null}
        <ErrorNote error={act.error} />
        <Notice text={act.done} />
      </Section>
      <Notice text={mapped} />
      {unknown.length > 0 && !closed ? (
        <AddMapping
          refs={unknown}
          onAdded={async (note) => {
            setMapped(note);
            await reload();
          }}
        />
      ) : null}
      {can('edit') ? (
        <Section title="Edit and replay">
          <form
            onSubmit={(e) => {
              e.preventDefault();
              let parsed: unknown;
              try {
                parsed = JSON.parse(payload);
              } catch (err) {
                void act.run(async () => Promise.reject(new Error(`The payload is not valid JSON (${String(err)}); correct it and save again.`)));
                return;
              }
              void run('edit', parsed);
            }}
          >
            <Field label="Payload (JSON)" hint="Checked as if it had just arrived; nothing changes unless it passes.">
              <textarea name="payload" rows={12} value={payload} onInput={(e) => setPayload((e.target as HTMLTextAreaElement).value)} />
            </Field>
            <button type="submit" disabled={act.busy}>
              Save and replay
            </button>
          </form>
        </Section>
      ) : x.payload !== undefined ? (
        <Section title="Payload">
          <textarea class="payload" readOnly rows={12} aria-label="Payload" value={JSON.stringify(x.payload, null, 2)} />
        </Section>
      ) : null}
      <Section title="History">
        {(x.history ?? []).length === 0 ? (
          <Empty>No history yet.</Empty>
        ) : (
          <ol class="timeline">
            {(x.history ?? []).map((h, i) => (
              <li key={i}>
                <time dateTime={h.at}>{when(h.at)}</time> <strong>{h.action}</strong> by {h.actor} → {h.status.replace('_', ' ')}
                {h.note ? `: ${h.note}` : ''}
              </li>
            ))}
          </ol>
        )}
      </Section>
    </>
  );
}

const discardNeedsReason = new Error('Discarding needs a reason: say why this can be given up, then discard.');

/** The cross-reference a parked document waits for: adding it replays every document parked for it. */
function AddMapping({ refs, onAdded }: { refs: UnknownReference[]; onAdded: (note: string) => Promise<void> }) {
  const [ids, setIds] = useState<string[]>(refs.map(() => ''));
  const act = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    void act.run(async () => {
      const body = refs.map((r, i) => ({ kind: r.kind, system: r.system, scheme: r.scheme, external: r.external, id: ids[i]!.trim() }));
      const r = await api<{ upserted: number; replayed: number; rejected: { index: number; errors: { path: string; message: string }[] }[] }>(
        'PUT',
        '/v1/xrefs',
        body,
      );
      if (r.rejected.length) {
        throw new Error(
          `Not added: ${r.rejected.map((x) => x.errors.map((er) => `${refs[x.index]?.external}: ${er.message}`).join('; ')).join('; ')}. Correct it and add again.`,
        );
      }
      await onAdded(`Added ${r.upserted} mapping${r.upserted === 1 ? '' : 's'}; ${r.replayed} waiting document${r.replayed === 1 ? '' : 's'} replayed.`);
      return undefined;
    });
  };
  return (
    <Section title="Add the mapping and replay">
      <p>This document waits for these ids to be known. Say which of the hub's ids each one is; every document parked for them is replayed.</p>
      <form onSubmit={submit}>
        {refs.map((r, i) => (
          <Field key={`${r.system}-${r.scheme}-${r.external}`} label={`Hub ${r.kind} id for ${r.system} ${r.scheme} ${r.external}`}>
            <input
              name={`mapping-${i}`}
              value={ids[i]}
              required
              onInput={(e) => setIds(ids.map((v, j) => (j === i ? (e.target as HTMLInputElement).value : v)))}
            />
          </Field>
        ))}
        <button type="submit" disabled={act.busy}>
          Add mapping and replay
        </button>
      </form>
      <ErrorNote error={act.error} />
      <Notice text={act.done} />
    </Section>
  );
}
