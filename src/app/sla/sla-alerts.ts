/**
 * Tells the SLA webhooks about breaches: once when a breach exception opens, once when it
 * resolves. What is owed is derived from the exception queue on every round and written to the
 * AlertOutbox (a repeat is ignored), so an alert is neither lost to a restart nor doubled by
 * several processes; sending claims an alert first and retries it with backoff until the webhook
 * answers 2xx. A receiver sees each alert at least once, and exactly once unless a process dies
 * between the webhook's answer and recording it (the Idempotency-Key header then tells it apart).
 */
import { isLiveStatus, type HubException } from '../../domain/exceptions/exception-rules.js';
import { ruleOfKey, SLA_BREACH_CLASS, slaAlertBody, type SlaAlertKind, type SlaRule } from '../../domain/sla/sla-rules.js';
import type { AlertOutbox, NewAlert, StoredAlert } from '../../ports/alert-outbox.js';
import type { Clock } from '../../ports/clock.js';
import type { ExceptionStore } from '../../ports/exception-store.js';

/** Breaches quieter than this when the hub first looks (a webhook added later, a long stop) are not announced. */
const STALE_MS = 86_400_000;
const PAGE = 500;
const CLAIM_MS = 30_000;
const BATCH = 20;

/** POSTs a JSON body; throws when the receiver does not answer 2xx (the message says why). */
export type PostJson = (url: string, body: unknown, headers: Record<string, string>) => Promise<void>;

export interface SlaAlertsDeps {
  exceptions: ExceptionStore;
  outbox: AlertOutbox;
  webhooks: readonly { id: string; url: string }[];
  clock: Clock;
  post: PostJson;
  retryMaxMs: number;
  onFailure?: (alert: StoredAlert, err: unknown) => void;
}

/** The SLA rules and their alerts, as GET /v1/sla shows them. */
export interface SlaWatch {
  rules: readonly SlaRule[];
  webhooks: readonly { id: string; url: string }[];
  alerts: SlaAlerts;
}

export class SlaAlerts {
  constructor(private readonly deps: SlaAlertsDeps) {}

  /** Writes the alerts the breach exceptions call for and sends what is due; one round. */
  async run(): Promise<void> {
    if (this.deps.webhooks.length === 0) return;
    await this.owe();
    await this.send();
  }

  /** Forgets the alerts of breaches told in full (resolved, all delivered) longer ago than `retentionMs`. */
  async forgetSettled(retentionMs: number): Promise<number> {
    return this.deps.outbox.forgetSettled(new Date(this.deps.clock.now() - retentionMs).toISOString());
  }

  /** The alerts written so far, newest first (GET /v1/sla). */
  recent(limit = 50): Promise<StoredAlert[]> {
    return Promise.resolve(this.deps.outbox.recent(limit));
  }

  private async owe(): Promise<void> {
    const { exceptions, outbox, webhooks, clock } = this.deps;
    const now = clock.now();
    const breaches = (await exceptions.list({ class: SLA_BREACH_CLASS, limit: PAGE })).filter((e) => now - Date.parse(e.updatedAt) < STALE_MS);
    if (breaches.length === 0) return;
    const written = await outbox.written(breaches.map((e) => e.id));
    const owed: NewAlert[] = [];
    const at = new Date(now).toISOString();
    // Oldest first, and a breach before its resolution, so ids follow the order they happened in.
    for (const e of breaches.sort((a, b) => a.id - b.id)) {
      const kinds: SlaAlertKind[] = isLiveStatus(e.status) ? ['breach'] : ['breach', 'resolved'];
      for (const kind of kinds) {
        if (written.has(`${e.id}/${kind}`)) continue;
        const body = slaAlertBody(factsOf(e, kind, at));
        for (const w of webhooks) owed.push({ exceptionId: e.id, kind, webhook: w.id, body, createdAt: at });
      }
    }
    if (owed.length > 0) await outbox.add(owed);
  }

  private async send(): Promise<void> {
    const { outbox, webhooks, clock, post, retryMaxMs } = this.deps;
    for (;;) {
      const now = clock.now();
      const due = await outbox.claimDue(new Date(now).toISOString(), new Date(now + CLAIM_MS).toISOString(), BATCH);
      if (due.length === 0) return;
      for (const alert of due) {
        const target = webhooks.find((w) => w.id === alert.webhook);
        try {
          if (!target) throw new Error(`the webhook ${alert.webhook} is no longer configured`);
          const body = alert.body as { correlationId?: string | null };
          await post(target.url, alert.body, {
            'idempotency-key': `crossdock-sla-alert-${alert.id}`,
            ...(body.correlationId ? { 'x-correlation-id': body.correlationId } : {}),
          });
          await outbox.delivered(alert.id, new Date(clock.now()).toISOString());
        } catch (err) {
          const wait = Math.min(retryMaxMs, 1000 * 2 ** Math.min(alert.attempts, 20));
          await outbox.failed(alert.id, new Date(clock.now() + wait).toISOString(), (err as Error).message);
          this.deps.onFailure?.(alert, err);
        }
      }
      if (due.length < BATCH) return;
    }
  }
}

function factsOf(e: HubException, kind: SlaAlertKind, at: string) {
  const last = e.history[e.history.length - 1];
  return {
    kind,
    exceptionId: e.id,
    rule: ruleOfKey(e.key),
    entity: e.entity,
    severity: e.severity,
    owner: e.owner,
    error: e.error,
    ...(kind === 'resolved' && last ? { resolution: `${last.note} (${e.status === 'auto_resolved' ? 'resolved by itself' : `by ${last.actor}`})` } : {}),
    correlationId: e.correlationId,
    at,
  };
}
