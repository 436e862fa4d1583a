/**
 * Inbound webhooks and EDI documents that could not be taken: grouped by system and the first
 * thing wrong (one unknown item: one group); replayed as they are, edited (checked as if new),
 * or discarded with a reason. Those kept for want of a cross-reference are their own class
 * (unknown-cross-references.ts).
 */
import { createHash } from 'node:crypto';
import type { ExceptionSource } from '../../../ports/exception-source.js';
import type { InboundStore, ParkedInbound } from '../../../ports/inbound-store.js';
import type { InboundWebhooks } from '../../inbound/receive-webhook.js';
import { waitsForReferences } from '../../../domain/master-data/cross-reference.js';
import { PARTNER_REJECTION_TOPIC } from './partner-rejections.js';

const PAGE = 1000;

export const asPayload = (body: string): unknown => {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
};

/**
 * What a parked message waits for, short enough for a URL: the field and the value it names
 * (`sku=706405907431`, `customer=C-9`), so every message parked for one missing item is one group.
 */
function rootCause(p: ParkedInbound): string {
  const first = p.errors[0];
  const text = first?.message ?? p.reason;
  const field = first?.path.split('/').filter(Boolean).at(-1) ?? 'reason';
  const named = /'([^']{1,80})'/.exec(text)?.[1];
  return named ? `${field}=${named}` : `${field}:${createHash('sha256').update(text).digest('hex').slice(0, 12)}`;
}

/** Every document parked now, oldest first. */
export async function allParked(store: InboundStore): Promise<ParkedInbound[]> {
  const all: ParkedInbound[] = [];
  for (let afterId = 0; ; ) {
    const page = await store.parked({ status: 'parked', afterId, limit: PAGE });
    all.push(...page);
    if (page.length < PAGE) return all;
    afterId = page[page.length - 1]!.id;
  }
}

export function parkedInboundSource(deps: { store: InboundStore; inbound: InboundWebhooks }): ExceptionSource {
  const parked = async (): Promise<ParkedInbound[]> =>
    // A partner's rejection of a document the hub sent is its own class (partner-rejections.ts).
    (await allParked(deps.store)).filter((p) => !waitsForReferences(p) && p.topic !== PARTNER_REJECTION_TOPIC);
  return {
    class: 'parked_inbound',
    severity: 'medium',
    actions: ['replay', 'edit', 'discard'],
    async current() {
      return (await parked()).map((p) => ({
        key: String(p.id),
        entity: { kind: 'document', id: `${p.system}/${p.id}` },
        error: [p.reason, ...p.errors.map((e) => `${e.path}: ${e.message}`)].join('; '),
        group: `inbound:${p.system}:${rootCause(p)}`,
        system: p.system,
        correlationId: p.correlationId ?? null,
        since: p.receivedAt,
      }));
    },
    payload: async (key) => {
      const p = await deps.store.get(Number(key));
      return p ? asPayload(p.body) : null;
    },
    async whyGone(e) {
      const p = await deps.store.get(Number(e.key));
      if (!p) return 'the parked message is gone';
      return p.status === 'replayed' ? `replayed: ${p.outcome ?? 'taken'}` : `${p.status}: ${p.outcome ?? ''}`;
    },
    async act(e, action, ctx) {
      const id = Number(e.key);
      switch (action) {
        case 'replay': {
          const { outcome } = await deps.inbound.replay(id, ctx.correlationId);
          return { note: outcome.status === 'parked' ? `replayed, still parked: ${outcome.reason}` : `replayed: ${outcome.status}` };
        }
        case 'edit': {
          const body = typeof ctx.payload === 'string' ? ctx.payload : JSON.stringify(ctx.payload);
          const { outcome } = await deps.inbound.replayEdited(id, body, ctx.correlationId);
          return { note: `edited and replayed: ${outcome.status}` };
        }
        case 'discard':
          await deps.inbound.discard(id, `${ctx.reason} (by ${ctx.actor})`);
          return { note: `discarded: ${ctx.reason}` };
        case 'retry':
        case 'add_xref':
          throw new Error(`unreachable: ${action}`);
      }
    },
  };
}
