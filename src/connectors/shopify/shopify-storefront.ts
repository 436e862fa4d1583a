/** The Shopify-style storefront connector, inbound: webhook verification and order mapping behind the InboundSource port. */
import type { InboundKind, InboundSource, MappedEvents, MappedOrder } from '../../ports/inbound-source.js';
import { orderTopicContradiction, shopifyOrderToRequest, topLevelNumberField, type ShopifyMapping } from './shopify-order.js';
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
    private readonly mapping: ShopifyMapping,
  ) {
    this.channel = mapping.channel;
  }

  verify(raw: string, signature: string | undefined): boolean {
    return verifyShopifyWebhook(raw, signature, this.secret);
  }

  kindOf(topic: string | undefined): InboundKind {
    return topic === 'orders/create' ? 'order' : topic === 'orders/cancelled' ? 'cancel' : 'ignore';
  }

  topicContradiction(topic: string | undefined, raw: string): string | undefined {
    return orderTopicContradiction(topic, raw);
  }

  async orderFrom(raw: string): Promise<MappedOrder> {
    const mapped = shopifyOrderToRequest(raw, this.mapping);
    return mapped.ok ? { ok: true, request: mapped.request, storeOrderId: mapped.orderId } : mapped;
  }

  async eventsFrom(): Promise<MappedEvents> {
    return { ok: false, errors: [{ path: '/', message: 'a storefront sends orders, not events' }] };
  }

  storeOrderId(raw: string): string | undefined {
    return topLevelNumberField(raw, 'id');
  }
}
