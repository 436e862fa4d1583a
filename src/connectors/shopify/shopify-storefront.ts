/** The Shopify-style storefront connector, inbound: webhook verification and order mapping behind the InboundSource port. */
import type { InboundKind, InboundSource, MappedEvents, MappedOrder } from '../../ports/inbound-source.js';
import {
  isCancelledOrder,
  orderTopicContradiction,
  shopifyOrderToRequest,
  storeLinesOf,
  topLevelNumberField,
  type ShopifyMapping,
  type StoreLine,
} from './shopify-order.js';
import type { ReferenceLookup } from '../../ports/reference-lookup.js';
import type { XrefKey } from '../../domain/master-data/cross-reference.js';
import { verifyShopifyWebhook } from './verify-shopify-webhook.js';

export class ShopifyStorefront implements InboundSource {
  readonly channel: string;
  readonly signatureHeader = 'x-shopify-hmac-sha256';
  readonly topicHeader = 'x-shopify-topic';
  readonly idHeader = 'x-shopify-webhook-id';
  readonly timestampHeader = 'x-shopify-triggered-at';

  constructor(
    readonly id: string,
    private readonly secret: string,
    private readonly references: ReferenceLookup,
    private readonly mapping: ShopifyMapping,
  ) {
    this.channel = mapping.channel;
  }

  verify(raw: string, signature: string | undefined): boolean {
    return verifyShopifyWebhook(raw, signature, this.secret);
  }

  /**
   * orders/create captures, orders/cancelled cancels; orders/updated cancels when the store has
   * cancelled the order (its cancelled_at is set) and otherwise brings the captured order up to date.
   * Every other topic (fulfilments among them: the hub ships from its own locations) is not taken.
   */
  kindOf(topic: string | undefined, raw?: string): InboundKind {
    if (topic === 'orders/create') return 'order';
    if (topic === 'orders/cancelled') return 'cancel';
    if (topic === 'orders/updated') return raw !== undefined && isCancelledOrder(raw) ? 'cancel' : 'update';
    return 'ignore';
  }

  topicContradiction(topic: string | undefined, raw: string): string | undefined {
    return orderTopicContradiction(topic, raw);
  }

  /**
   * Each line's item: its variant's cross-reference (scheme variant_id), else its SKU's (scheme
   * sku), else the SKU as the hub's own. A line with neither waits for its variant to be mapped.
   */
  async orderFrom(raw: string): Promise<MappedOrder> {
    const lines = storeLinesOf(raw);
    const keysOf = (l: StoreLine): XrefKey[] => [
      ...(l.variantId ? [{ kind: 'item' as const, system: this.id, scheme: 'variant_id', external: l.variantId }] : []),
      ...(l.sku ? [{ kind: 'item' as const, system: this.id, scheme: 'sku', external: l.sku }] : []),
    ];
    const keys = lines.flatMap(keysOf);
    const found = await this.references.resolve(keys);
    const canonical = new Map(found.flatMap((r, i) => (r ? [[JSON.stringify(keys[i]), r.id] as const] : [])));
    const skuFor = (l: StoreLine) =>
      keysOf(l)
        .map((k) => canonical.get(JSON.stringify(k)))
        .find((s) => s !== undefined) ?? l.sku;
    const mapped = shopifyOrderToRequest(raw, this.mapping, skuFor);
    if (!mapped.ok) {
      const unknownReferences = lines.filter((l) => skuFor(l) === undefined).flatMap(keysOf);
      return { ok: false, errors: mapped.errors, ...(unknownReferences.length > 0 ? { unknownReferences } : {}) };
    }
    const lineReferences = (mapped.sources ?? []).map((from) => from.flatMap((i) => keysOf(lines[i]!)));
    return { ok: true, request: mapped.request, storeOrderId: mapped.orderId, lineReferences };
  }

  async eventsFrom(): Promise<MappedEvents> {
    return { ok: false, errors: [{ path: '/', message: 'a storefront sends orders, not events' }] };
  }

  storeOrderId(raw: string): string | undefined {
    return topLevelNumberField(raw, 'id');
  }
}
