/** The Shopify-style storefront connector: webhook verification and order mapping behind the Storefront port. */
import type { MappedOrder, Storefront } from '../../ports/storefront.js';
import { shopifyOrderToRequest, topLevelNumberField, type ShopifyMapping } from './shopify-order.js';
import { verifyShopifyWebhook } from './verify-shopify-webhook.js';

export class ShopifyStorefront implements Storefront {
  readonly channel: string;

  constructor(readonly id: string, private readonly secret: string, private readonly mapping: ShopifyMapping) {
    this.channel = mapping.channel;
  }

  verify(raw: string, signature: string | undefined): boolean {
    return verifyShopifyWebhook(raw, signature, this.secret);
  }

  orderFrom(raw: string): MappedOrder {
    const mapped = shopifyOrderToRequest(raw, this.mapping);
    return mapped.ok ? { ok: true, request: mapped.request, storeOrderId: mapped.orderId } : mapped;
  }

  storeOrderId(raw: string): string | undefined {
    return topLevelNumberField(raw, 'id');
  }
}
