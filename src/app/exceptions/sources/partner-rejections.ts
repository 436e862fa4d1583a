/**
 * Documents the hub sent that a trading partner rejected in its 997 (AK5 R, or the whole group
 * AK9 R): one exception per rejected document, naming the set, the document (the order, shipment
 * or invoice it carried), the interchange, group and transaction numbers it went under, and the
 * segments and elements the partner found in error. The record is the partner's 997, kept whole
 * in the inbound store under its own topic; the fix is outside the hub (correct the master data
 * or the document with the partner and send again), so the one action is discard, with a reason.
 */
import type { ExceptionSource } from '../../../ports/exception-source.js';
import type { InboundStore, ParkedInbound } from '../../../ports/inbound-store.js';

/** The inbound store topic a partner's rejection is kept under (not a parked document to replay). */
export const PARTNER_REJECTION_TOPIC = 'x12-997-rejection';

const PAGE = 1000;

export function partnerRejectionSource(deps: { store: InboundStore }): ExceptionSource {
  const rejections = async (): Promise<ParkedInbound[]> => {
    const all: ParkedInbound[] = [];
    for (let afterId = 0; ; ) {
      const page = await deps.store.parked({ status: 'parked', afterId, limit: PAGE });
      all.push(...page.filter((p) => p.topic === PARTNER_REJECTION_TOPIC));
      if (page.length < PAGE) return all;
      afterId = page[page.length - 1]!.id;
    }
  };
  return {
    class: 'partner_rejection',
    severity: 'high',
    actions: ['discard'],
    async current() {
      return (await rejections()).map((p) => {
        // errors[0] names the rejected set/transaction (path) and the document (message).
        const document = p.errors[0];
        return {
          key: String(p.id),
          entity: { kind: 'document', id: `${p.system}/${document?.path ?? p.id}${document ? ` ${document.message}` : ''}` },
          error: [p.reason, ...p.errors.slice(1).map((e) => `${e.path}: ${e.message}`)].join('; '),
          group: `rejection:${p.system}:${(document?.path ?? '').split('/')[0] || 'group'}`,
          system: p.system,
          correlationId: p.correlationId ?? null,
          since: p.receivedAt,
        };
      });
    },
    payload: async (key) => (await deps.store.get(Number(key)))?.body ?? null,
    async whyGone(e) {
      const p = await deps.store.get(Number(e.key));
      return p ? `${p.status}: ${p.outcome ?? ''}` : 'the rejection record is gone';
    },
    async act(e, action, ctx) {
      if (action !== 'discard') throw new Error(`unreachable: ${action}`);
      const id = Number(e.key);
      await deps.store.update(id, { status: 'discarded', outcome: `discarded: ${ctx.reason} (by ${ctx.actor})` });
      return { note: `discarded: ${ctx.reason}` };
    },
  };
}
