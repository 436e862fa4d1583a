/**
 * Documents kept whole because they name another system's id the hub has no cross-reference for
 * (a partner's buyer part number, a storefront variant, a 3PL item code). One exception per
 * document, in the group of the mapping it waits for first (`xref:<kind>:<system>:<scheme>:<id>`),
 * so one missing mapping is one group: `add_xref` with the hub's id adds the mapping, and adding
 * it (here or through PUT /v1/xrefs) replays every document waiting for it, oldest first. The
 * exception resolves itself once its document went through; a document that still waits for
 * another mapping moves to that mapping's group.
 */
import { InvalidInputError } from '../../../domain/errors.js';
import { describeReferences, waitsForReferences, xrefKey, type XrefKey } from '../../../domain/master-data/cross-reference.js';
import type { ExceptionSource } from '../../../ports/exception-source.js';
import type { InboundStore, ParkedInbound } from '../../../ports/inbound-store.js';
import type { InboundWebhooks } from '../../inbound/receive-webhook.js';
import type { CrossReferences } from '../../master-data/cross-references.js';
import { allParked, asPayload } from './parked-inbound.js';

/** The mapping a document waits for first: its group, and part of its key (a new first mapping is a new exception). */
const firstMissing = (p: ParkedInbound): XrefKey => p.unknownReferences![0]!;

export const groupOfReference = (r: XrefKey): string => `xref:${r.kind}:${r.system}:${r.scheme}:${r.external}`;

const keyOf = (p: ParkedInbound): string => `${p.id}:${xrefKey(firstMissing(p))}`;

/** The parked document and the reference of a key. */
function fromKey(key: string): { parkedId: number; reference: XrefKey } {
  const at = key.indexOf(':');
  const [kind, system, scheme, external] = JSON.parse(key.slice(at + 1)) as [XrefKey['kind'], string, string, string];
  return { parkedId: Number(key.slice(0, at)), reference: { kind, system, scheme, external } };
}

export function unknownCrossReferenceSource(deps: { store: InboundStore; inbound: InboundWebhooks; xrefs: CrossReferences }): ExceptionSource {
  return {
    class: 'unknown_cross_reference',
    severity: 'medium',
    actions: ['add_xref', 'replay', 'discard'],
    async current() {
      return (await allParked(deps.store)).filter(waitsForReferences).map((p) => {
        const r = firstMissing(p);
        const others = p.unknownReferences!.length - 1;
        return {
          key: keyOf(p),
          entity: { kind: r.kind, id: `${r.system}/${r.scheme}/${r.external}` },
          error: `no cross-reference for ${describeReferences([r])}${others > 0 ? ` (and ${others} more: ${describeReferences(p.unknownReferences!.slice(1))})` : ''}; ${p.topic} document ${p.id} from ${p.system} waits for it: ${p.reason}`,
          group: groupOfReference(r),
          system: r.system,
          correlationId: p.correlationId ?? null,
          since: p.receivedAt,
          payload: { waitingFor: p.unknownReferences, document: asPayload(p.body), parkedId: p.id },
        };
      });
    },
    async payload(key) {
      const p = await deps.store.get(fromKey(key).parkedId);
      return p ? { waitingFor: p.unknownReferences ?? [], document: asPayload(p.body), parkedId: p.id } : null;
    },
    async whyGone(e) {
      const { parkedId, reference } = fromKey(e.key);
      const p = await deps.store.get(parkedId);
      if (!p) return 'the parked document is gone';
      const mapped = `the cross-reference for ${describeReferences([reference])} was added`;
      if (p.status === 'replayed') return `${mapped} and the document replayed: ${p.outcome ?? 'taken'}`;
      if (p.status === 'discarded') return `${p.outcome ?? 'discarded'}`;
      return waitsForReferences(p)
        ? `${mapped}; the document now waits for ${describeReferences([firstMissing(p)])} (group ${groupOfReference(firstMissing(p))})`
        : `${mapped}; the document is still parked: ${p.reason}`;
    },
    async act(e, action, ctx) {
      const { parkedId, reference } = fromKey(e.key);
      switch (action) {
        case 'add_xref': {
          if (!ctx.mapsTo) throw new InvalidInputError([{ path: '/id', message: "add_xref needs the hub's id the reference stands for" }]);
          const result = await deps.xrefs.define([{ ...reference, id: ctx.mapsTo.id, ...(ctx.mapsTo.shipTo ? { shipTo: ctx.mapsTo.shipTo } : {}) }]);
          const refused = result.rejected[0];
          if (refused)
            throw new InvalidInputError(
              refused.errors.map((i) => ({ path: i.path.replace(/^\/0/, ''), message: i.message })),
              `The cross-reference for ${describeReferences([reference])} cannot be added; nothing was changed.`,
            );
          return { note: `mapped ${describeReferences([reference])} to ${ctx.mapsTo.id}; ${result.replayed} waiting document(s) replayed` };
        }
        case 'replay': {
          const { outcome } = await deps.inbound.replay(parkedId, ctx.correlationId);
          return { note: outcome.status === 'parked' ? `replayed, still parked: ${outcome.reason}` : `replayed: ${outcome.status}` };
        }
        case 'discard':
          await deps.inbound.discard(parkedId, `${ctx.reason} (by ${ctx.actor})`);
          return { note: `discarded: ${ctx.reason}` };
        case 'retry':
        case 'edit':
          throw new Error(`unreachable: ${action}`);
      }
    },
  };
}
