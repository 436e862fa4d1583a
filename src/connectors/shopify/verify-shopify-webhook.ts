/**
 * Shopify webhook authenticity: X-Shopify-Hmac-Sha256 is the base64 HMAC-SHA256 of the raw
 * request body keyed with the app's secret. Compared in constant time, over the bytes as they
 * arrived (a re-serialised body would not match).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function verifyShopifyWebhook(rawBody: string | Buffer, signature: string | undefined, secret: string): boolean {
  if (!signature) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  let given: Buffer;
  try {
    given = Buffer.from(signature, 'base64');
  } catch {
    return false;
  }
  return given.length === expected.length && timingSafeEqual(given, expected);
}
