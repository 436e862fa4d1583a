/** A JSON POST for alert webhooks (Slack incoming webhooks and the like): resolves on 2xx, else throws saying what came back. */
import { DeliveryFailedError } from '../../domain/delivery/delivery-errors.js';

export async function postJson(url: string, body: unknown, headers: Record<string, string>, timeoutMs = 10_000): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new DeliveryFailedError(new URL(url).host, `cannot reach ${new URL(url).origin}: ${(err as Error).message}`, true);
  }
  const text = await res.text().catch(() => '');
  if (res.status < 200 || res.status >= 300) {
    throw new DeliveryFailedError(
      new URL(url).host,
      `HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`,
      res.status >= 500 || res.status === 429,
      undefined,
      res.status,
    );
  }
}
