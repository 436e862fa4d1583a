/**
 * Order events refused as illegal or expired while waiting. The record stays (it is the order's
 * history), so these never resolve by themselves: a corrected event sent by `edit` (checked like
 * any new event) or a discard with a reason settles them.
 */
import { InvalidInputError } from '../../../domain/errors.js';
import type { OrderException } from '../../../ports/order-store.js';
import type { ExceptionSource } from '../../../ports/exception-source.js';
import type { Ingest } from '../../inventory/inventory-view.js';

const PAGE = 1000;

export interface OrderExceptionList {
  exceptions(afterId: number, limit: number): OrderException[] | Promise<OrderException[]>;
}

export function orderExceptionSource(deps: { exceptions: OrderExceptionList; ingest: Ingest }): ExceptionSource {
  const all = async (): Promise<OrderException[]> => {
    const found: OrderException[] = [];
    for (let afterId = 0; ; ) {
      const page = await deps.exceptions.exceptions(afterId, PAGE);
      found.push(...page);
      if (page.length < PAGE) return found;
      afterId = page[page.length - 1]!.id;
    }
  };
  return {
    class: 'order_exception',
    severity: 'medium',
    actions: ['edit', 'discard'],
    async current() {
      return (await all()).map((x) => ({
        key: String(x.id),
        entity: { kind: 'order', id: x.orderId },
        error: `${x.kind}: ${x.reason}`,
        group: `order:${x.orderId}`,
        system: (x.event as { source?: string } | null)?.source ?? null,
        correlationId: (x.event as { correlationId?: string } | null)?.correlationId ?? null,
        since: x.raisedAt,
        payload: x.event,
      }));
    },
    payload: async (key) => (await all()).find((x) => String(x.id) === key)?.event ?? null,
    whyGone: async () => 'the order exception record is gone',
    async act(_e, action, ctx) {
      if (action === 'discard') return { note: `discarded: ${ctx.reason}`, resolves: true };
      if (action !== 'edit') throw new Error(`unreachable: ${action}`);
      const result = await deps.ingest.submit([ctx.payload], undefined, ctx.correlationId);
      const rejected = result.rejected[0];
      if (rejected) throw new InvalidInputError(rejected.errors, 'The corrected event is not valid; nothing was changed.');
      if (result.accepted === 0)
        throw new InvalidInputError(
          [{ path: '/id', message: 'repeats an event the hub already has; give the corrected event its own id and seq' }],
          'The corrected event is a duplicate; nothing was changed.',
        );
      return { note: `a corrected event was accepted at log position ${result.position}`, resolves: true };
    },
  };
}
