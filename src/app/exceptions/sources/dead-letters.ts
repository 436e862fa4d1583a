/** Messages a destination kept refusing: grouped by destination (one destination down: one group); retried or discarded. */
import type { DeadLetter } from '../../../ports/delivery-store.js';
import type { ExceptionSource } from '../../../ports/exception-source.js';
import type { DeliveryOperations } from '../../delivery/delivery-engine.js';

const PAGE = 1000;

export function deadLetterSource(deps: { delivery: DeliveryOperations }): ExceptionSource {
  // Queued for a retry is still the same problem until it is delivered or discarded.
  const current = async (): Promise<DeadLetter[]> => {
    const all: DeadLetter[] = [];
    for (const status of ['dead', 'queued'] as const) {
      for (let afterId = 0; ; ) {
        const page = await deps.delivery.deadLetters({ status, afterId, limit: PAGE });
        all.push(...page);
        if (page.length < PAGE) break;
        afterId = page[page.length - 1]!.id;
      }
    }
    return all;
  };
  return {
    class: 'dead_letter',
    severity: 'high',
    actions: ['retry', 'replay', 'discard'],
    async current() {
      // A replay of a time range is queued as dead letters too; only messages given up on are problems.
      return (await current())
        .filter((d) => d.attempts > 0 || d.status === 'dead')
        .map((d) => ({
          key: String(d.id),
          entity: { kind: 'destination', id: d.destination },
          error: d.lastError,
          group: `destination:${d.destination}`,
          system: d.destination,
          correlationId: d.message.correlationId ?? null,
          since: d.deadAt,
        }));
    },
    payload: async (key) => (await deps.delivery.deadLetter(Number(key))).message,
    async whyGone(e) {
      const d = await deps.delivery.deadLetter(Number(e.key));
      return d.status === 'delivered' ? (d.note ?? 'delivered on retry') : `${d.status}${d.note ? `: ${d.note}` : ''}`;
    },
    async act(e, action, ctx) {
      const id = Number(e.key);
      switch (action) {
        case 'retry':
        case 'replay': {
          const d = await deps.delivery.deadLetter(id);
          // Already queued (a retry under way) is what was asked.
          if (d.status !== 'queued') await deps.delivery.retry(id);
          return { note: `queued for delivery to ${d.destination} again` };
        }
        case 'discard':
          await deps.delivery.discard(id, `${ctx.reason} (by ${ctx.actor})`);
          return { note: `discarded: ${ctx.reason}` };
        case 'edit':
        case 'add_xref':
          throw new Error(`unreachable: ${action}`);
      }
    },
  };
}
