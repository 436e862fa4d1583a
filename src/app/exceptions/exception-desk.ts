/**
 * The exception queue, written once for both backends: reconciles the sources (the records that
 * hold problems) with the ExceptionStore, so a new problem opens an exception and one whose cause
 * went away resolves itself with a history entry saying why; and carries out people's actions,
 * on one exception or on every live one of a group, each recorded in the exception's history.
 */
import { InvalidInputError, NotFoundError } from '../../domain/errors.js';
import { ActionNotAllowedError, ExceptionClosedError } from '../../domain/exceptions/exception-errors.js';
import {
  isLiveStatus,
  isSourceAction,
  ownerFor,
  QUEUE_ACTIONS,
  statusAfter,
  type ExceptionAction,
  type HistoryEntry,
  type HubException,
  type OwnerRule,
} from '../../domain/exceptions/exception-rules.js';
import type { Clock } from '../../ports/clock.js';
import type { ActionContext, ExceptionSource } from '../../ports/exception-source.js';
import type { ExceptionFilter, ExceptionStore, NewException } from '../../ports/exception-store.js';

export interface ExceptionDeskDeps {
  store: ExceptionStore;
  sources: readonly ExceptionSource[];
  clock: Clock;
  owners: { rules: readonly OwnerRule[]; fallback: string };
  /** A source that cannot be read is skipped this round (and said so), the others still reconciled. */
  onSourceError?: (sourceClass: string, err: unknown) => void;
  /** Exceptions this process opened (another process opening the same problem first gets none). */
  onOpened?: (opened: readonly HubException[]) => void;
}

/** An exception as the API shows it: with the actions that apply now. */
export type ExceptionView = HubException & { actions: ExceptionAction[] };

export interface GroupResult {
  group: string;
  action: ExceptionAction;
  results: { id: number; ok: boolean; note: string }[];
}

const HUB_ACTOR = 'hub';

export class ExceptionDesk {
  private reconciling: Promise<void> | undefined;
  // Actions and reconciling rounds take turns in this process: a round running while an action
  // replays would see the cause gone and close the exception before the action is recorded.
  private turns: Promise<unknown> = Promise.resolve();
  private readonly byClass: Map<string, ExceptionSource>;

  constructor(private readonly deps: ExceptionDeskDeps) {
    this.byClass = new Map(deps.sources.map((s) => [s.class, s]));
  }

  /** Brings the queue in line with the sources; concurrent calls share one run. */
  reconcile(): Promise<void> {
    this.reconciling ??= this.inTurn(() => this.reconcileOnce()).finally(() => {
      this.reconciling = undefined;
    });
    return this.reconciling;
  }

  async list(filter: ExceptionFilter): Promise<ExceptionView[]> {
    return (await this.deps.store.list(filter)).map((e) => this.view(e));
  }

  /** Throws NotFoundError. */
  async get(id: number): Promise<ExceptionView> {
    const e = await this.deps.store.get(id);
    if (!e) throw new NotFoundError('Exception', String(id));
    return this.view(e);
  }

  /**
   * Carries out one action and records it. Throws NotFoundError, ExceptionClosedError,
   * ActionNotAllowedError, or the source's own error (then nothing was changed or recorded).
   */
  async act(id: number, action: ExceptionAction, ctx: ActionContext & { owner?: string }): Promise<ExceptionView> {
    const changed = await this.inTurn(() => this.carryOut(id, action, ctx));
    // A retry or replay may have fixed the record at once; the exception then says so.
    await this.reconcile();
    return this.get(changed?.id ?? id);
  }

  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    const run = this.turns.then(work);
    this.turns = run.catch(() => undefined);
    return run;
  }

  private async carryOut(id: number, action: ExceptionAction, ctx: ActionContext & { owner?: string }): Promise<HubException | undefined> {
    const e = await this.deps.store.get(id);
    if (!e) throw new NotFoundError('Exception', String(id));
    if (!isLiveStatus(e.status)) throw new ExceptionClosedError(id, e.status);
    const allowed = this.actionsOf(e);
    if (!allowed.includes(action)) throw new ActionNotAllowedError(e.class, action, allowed);
    let note: string;
    let status = statusAfter(action, e.status);
    if (isSourceAction(action)) {
      const outcome = await this.source(e.class).act(e, action, ctx);
      note = outcome.note;
      if (outcome.resolves) status = 'resolved';
    } else if (action === 'assign') {
      note = `assigned to ${ctx.owner} (was ${e.owner})`;
    } else {
      note = ctx.reason ? `acknowledged: ${ctx.reason}` : 'acknowledged';
    }
    const entry: HistoryEntry = { at: this.now(), actor: ctx.actor, action, note, status };
    return this.deps.store.change(id, {
      status,
      ...(action === 'assign' && ctx.owner ? { owner: ctx.owner } : {}),
      ...(action === 'edit' ? { payload: ctx.payload } : {}),
      entry,
      whileStatus: ['open', 'acknowledged'],
    });
  }

  /** The action on every live exception of the group, each recorded; one failing does not stop the others. */
  async actOnGroup(group: string, action: ExceptionAction, ctx: ActionContext & { owner?: string }): Promise<GroupResult> {
    const members: HubException[] = [];
    for (const status of ['open', 'acknowledged'] as const) {
      for (let beforeId: number | undefined; ; ) {
        const page = await this.deps.store.list({ group, status, limit: 500, ...(beforeId ? { beforeId } : {}) });
        members.push(...page);
        if (page.length < 500) break;
        beforeId = page[page.length - 1]!.id;
      }
    }
    if (members.length === 0) throw new NotFoundError('Exception group with live exceptions', group);
    const results: GroupResult['results'] = [];
    for (const m of members.sort((a, b) => a.id - b.id)) {
      // An earlier member's action may have settled this one too (adding a mapping replays every document waiting for it).
      const now = await this.deps.store.get(m.id);
      if (now && !isLiveStatus(now.status)) {
        results.push({ id: m.id, ok: true, note: `${now.status} meanwhile: ${now.history[now.history.length - 1]?.note ?? ''}` });
        continue;
      }
      try {
        const done = await this.act(m.id, action, ctx);
        results.push({ id: m.id, ok: true, note: done.history[done.history.length - 1]?.note ?? '' });
      } catch (err) {
        // Input the action refuses (a cross-reference id that is not valid) is refused for the whole group, before anything was done.
        if (members.length === 1 || (err instanceof InvalidInputError && results.length === 0)) throw err;
        results.push({ id: m.id, ok: false, note: (err as Error).message });
      }
    }
    return { group, action, results };
  }

  private view(e: HubException): ExceptionView {
    return { ...e, actions: isLiveStatus(e.status) ? this.actionsOf(e) : [] };
  }

  private actionsOf(e: HubException): ExceptionAction[] {
    const source = this.byClass.get(e.class);
    return [...(source?.actions ?? []), ...QUEUE_ACTIONS];
  }

  private source(cls: string): ExceptionSource {
    const s = this.byClass.get(cls);
    if (!s) throw new NotFoundError('Exception source', cls);
    return s;
  }

  private now(): string {
    return new Date(this.deps.clock.now()).toISOString();
  }

  private async reconcileOnce(): Promise<void> {
    const live = await this.deps.store.live();
    for (const source of this.deps.sources) {
      try {
        await this.reconcileSource(
          source,
          live.filter((l) => l.class === source.class),
        );
      } catch (err) {
        this.deps.onSourceError?.(source.class, err);
      }
    }
  }

  private async reconcileSource(source: ExceptionSource, live: { id: number; key: string }[]): Promise<void> {
    const current = await source.current();
    const known =
      current.length === 0
        ? new Set<string>()
        : await this.deps.store.known(
            source.class,
            current.map((p) => p.key),
          );
    const fresh = current.filter((p) => !known.has(p.key));
    if (fresh.length > 0) {
      const now = this.now();
      const opened: NewException[] = [];
      for (const p of fresh) {
        const owner = ownerFor(this.deps.owners.rules, this.deps.owners.fallback, { class: source.class, system: p.system });
        opened.push({
          key: p.key,
          class: source.class,
          severity: p.severity ?? source.severity,
          owner,
          entity: p.entity,
          group: p.group,
          correlationId: p.correlationId,
          error: p.error,
          payload: 'payload' in p ? p.payload : await source.payload(p.key),
          system: p.system,
          createdAt: p.since,
          opened: { at: now, actor: HUB_ACTOR, action: 'opened', note: p.error, status: 'open' },
        });
      }
      const added = await this.deps.store.open(opened);
      if (added.length > 0) this.deps.onOpened?.(added);
    }
    const stillThere = new Set(current.map((p) => p.key));
    for (const gone of live.filter((l) => !stillThere.has(l.key))) {
      const e = await this.deps.store.get(gone.id);
      if (!e || !isLiveStatus(e.status)) continue;
      const why = await source.whyGone(e);
      await this.deps.store.change(e.id, {
        status: 'auto_resolved',
        entry: { at: this.now(), actor: HUB_ACTOR, action: 'auto_resolved', note: why, status: 'auto_resolved' },
        whileStatus: ['open', 'acknowledged'],
      });
    }
  }
}
