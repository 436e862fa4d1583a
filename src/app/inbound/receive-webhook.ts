/**
 * Orders arriving from storefronts (POST /hooks/{systemId}): verified, mapped to the canonical
 * order and captured like any other; cancellations cancel the hub's order; an update cancels it
 * when the store did, captures it when it was not captured yet (updates may arrive first), and
 * otherwise says what it left alone (the hub's order holds no address or note to change, and its
 * lines are not amended from a storefront: an update that changes them is parked). An order that cannot
 * be captured (unknown item or customer, failed validation, no stock to reserve) is parked whole
 * with its reason, never dropped, and captured when replayed after the cause is fixed.
 */
import { InvalidInputError, NotFoundError, StaleWebhookError, WebhookSignatureError, WebhookTopicMismatchError, type Issue } from '../../domain/errors.js';
import type { WebhookReceipts } from '../../ports/webhook-receipts.js';
import { DuplicateOrderError, IdempotencyKeyReusedError, IllegalTransitionError } from '../../domain/orders/order-errors.js';
import { refusalOf } from '../orders/capture-refusal.js';
import { AmendmentRefusedError } from '../../domain/orders/order-amendment.js';
import type { InboundSource } from '../../ports/inbound-source.js';
import type { TradingPartner } from '../../ports/trading-partner.js';
import type { Clock } from '../../ports/clock.js';
import type { InboundStore, ParkedInbound } from '../../ports/inbound-store.js';
import type { OrderDesk } from '../orders/order-desk.js';
import type { Ingest } from '../inventory/inventory-view.js';
import { describeReferences, WAITS_FOR_REFERENCES, type XrefKey } from '../../domain/master-data/cross-reference.js';
import { PARTNER_REJECTION_TOPIC } from '../exceptions/sources/partner-rejections.js';

/** A partner's 997 rejecting a document the hub sent is kept in the inbound store but is nothing to take again. */
const REJECTION_NOT_REPLAYED = "it is a partner's rejection of a document the hub sent, nothing to take again (discard it once handled)";

export interface WebhookDeps {
  /** Where orders are captured and cancelled (either backend). */
  orders: OrderDesk;
  inbound: InboundStore;
  clock: Clock;
  sources: ReadonlyMap<string, InboundSource>;
  ingest: Ingest;
  /** File-exchanging partners, for replaying their parked documents (filled in once they are built). */
  partners: Map<string, TradingPartner>;
  /** Webhook ids received, so a repeat is taken once. */
  receipts: WebhookReceipts;
  /** How old (or how far ahead) a sender's timestamp may be. */
  replayWindow: { maxAgeSeconds: number; clockSkewSeconds: number };
}

export type WebhookOutcome =
  | { status: 'captured'; orderId: string; orderStatus: string }
  | { status: 'already_captured'; orderId: string }
  | { status: 'cancelled'; orderId: string }
  | { status: 'amended'; orderId: string; orderStatus: string }
  | { status: 'unchanged'; orderId: string; ignored: string }
  | { status: 'ingested'; accepted: number; duplicates: number; position: number }
  | { status: 'parked'; parkedId: number; reason: string; errors: Issue[] }
  | { status: 'ignored'; reason: string }
  | { status: 'duplicate'; reason: string };

type Refusal = { refused: true; reason: string; errors: Issue[]; unknownReferences?: XrefKey[] };

/** The keys of the lines a capture refused as unknown items (`/lines/{i}/sku`), which the mapping could have named. */
function waitingFor(errors: Issue[], lineReferences: XrefKey[][] | undefined): XrefKey[] {
  if (!lineReferences) return [];
  return errors.flatMap((e) => {
    const m = /^\/lines\/(\d+)\/sku$/.exec(e.path);
    return m && /is not known/.test(e.message) ? (lineReferences[Number(m[1])] ?? []) : [];
  });
}

export class InboundWebhooks {
  constructor(private readonly deps: WebhookDeps) {}

  /** Registers a file-exchanging partner whose parked documents can be replayed. */
  addPartner(id: string, partner: TradingPartner): void {
    this.deps.partners.set(id, partner);
  }

  /** The source behind a system id, to read its signature and topic headers. Throws NotFoundError. */
  source(systemId: string): InboundSource {
    const system = this.deps.sources.get(systemId);
    if (!system) throw new NotFoundError('Inbound system', systemId);
    return system;
  }

  /**
   * Takes one webhook, `header` giving its request headers by lower-case name. Throws
   * NotFoundError, WebhookSignatureError, StaleWebhookError (outside the replay window),
   * WebhookTopicMismatchError (the topic contradicts the signed body); storage and ERP failures
   * propagate (the sender retries, and its retry is taken: the webhook id is released).
   */
  async receive(systemId: string, header: (name: string) => string | undefined, raw: string, correlationId: string): Promise<WebhookOutcome> {
    const system = this.source(systemId);
    const timestamp = system.timestampHeader === undefined ? undefined : header(system.timestampHeader);
    if (!system.verify(raw, header(system.signatureHeader), timestamp)) throw new WebhookSignatureError(systemId);
    if (system.timestampHeader !== undefined && timestamp !== undefined) this.checkWindow(system, system.timestampHeader, timestamp);
    const topic = header(system.topicHeader);
    const contradiction = system.topicContradiction?.(topic, raw);
    if (contradiction !== undefined) throw new WebhookTopicMismatchError(systemId, system.topicHeader, topic ?? '', contradiction);
    const t = topic ?? `(no ${system.topicHeader})`;
    const webhookId = system.idHeader === undefined ? undefined : header(system.idHeader);
    const receivedAt = new Date(this.deps.clock.now()).toISOString();
    if (webhookId !== undefined && !(await this.deps.receipts.claim(systemId, webhookId, receivedAt)))
      return { status: 'duplicate', reason: `webhook ${webhookId} from ${systemId} was received already; taken once` };
    try {
      return await this.takeOrPark(system, t, raw, correlationId);
    } catch (err) {
      if (webhookId !== undefined) await this.deps.receipts.release(systemId, webhookId);
      throw err;
    }
  }

  private async takeOrPark(system: InboundSource, topic: string, raw: string, correlationId: string): Promise<WebhookOutcome> {
    const result = await this.take(system, topic, raw, correlationId);
    if (!('refused' in result)) return result;
    const { reason, errors } = storableRefusal(result.reason, result.errors);
    const parkedId = await this.deps.inbound.park({
      system: system.id,
      topic,
      body: raw,
      reason,
      errors,
      receivedAt: new Date(this.deps.clock.now()).toISOString(),
      ...(result.unknownReferences?.length ? { unknownReferences: result.unknownReferences } : {}),
      correlationId,
    });
    return { status: 'parked', parkedId, reason, errors };
  }

  /** Refuses a sender's timestamp older than the window, too far ahead, or unreadable. */
  private checkWindow(system: InboundSource, headerName: string, value: string): void {
    const sentAt = /^\d{9,11}(\.\d+)?$/.test(value) ? Number(value) * 1000 : /^\d{4}-\d{2}-\d{2}T/.test(value) ? Date.parse(value) : Number.NaN;
    if (!Number.isFinite(sentAt)) throw new StaleWebhookError(system.id, headerName, value, 'is not a time (RFC 3339 or Unix seconds)');
    const { maxAgeSeconds, clockSkewSeconds } = this.deps.replayWindow;
    const age = (this.deps.clock.now() - sentAt) / 1000;
    if (age > maxAgeSeconds)
      throw new StaleWebhookError(
        system.id,
        headerName,
        value,
        `is ${Math.round(age)} s old, older than the replay window (webhooks.maxAgeSeconds = ${maxAgeSeconds})`,
      );
    if (-age > clockSkewSeconds)
      throw new StaleWebhookError(
        system.id,
        headerName,
        value,
        `is ${Math.round(-age)} s in the future, beyond webhooks.clockSkewSeconds = ${clockSkewSeconds}`,
      );
  }

  /** Takes a parked message again. Throws NotFoundError, IllegalTransitionError (already replayed). */
  async replay(parkedId: number, correlationId: string): Promise<{ parked: ParkedInbound; outcome: WebhookOutcome }> {
    const parked = await this.deps.inbound.get(parkedId);
    if (!parked) throw new NotFoundError('Parked inbound message', String(parkedId));
    if (parked.status !== 'parked') throw new IllegalTransitionError(String(parkedId), 'replay', 'it was already replayed');
    if (parked.topic === PARTNER_REJECTION_TOPIC) throw new IllegalTransitionError(String(parkedId), 'replay', REJECTION_NOT_REPLAYED);
    const partner = this.deps.partners.get(parked.system);
    if (partner) return this.replayDocument(parked, partner);
    const system = this.deps.sources.get(parked.system);
    if (!system) throw new NotFoundError('Inbound system', parked.system);
    const result = await this.take(system, parked.topic, parked.body, correlationId);
    if ('refused' in result) {
      await this.deps.inbound.update(parkedId, { reason: result.reason, errors: result.errors, unknownReferences: result.unknownReferences ?? [] });
      return { parked: (await this.deps.inbound.get(parkedId))!, outcome: { status: 'parked', parkedId, reason: result.reason, errors: result.errors } };
    }
    await this.deps.inbound.update(parkedId, { status: 'replayed', outcome: `${result.status}${'orderId' in result ? ` ${result.orderId}` : ''}` });
    return { parked: (await this.deps.inbound.get(parkedId))!, outcome: result };
  }

  /**
   * Takes a parked message again with a corrected body, checked as if it had just arrived. Only
   * a body that is taken replaces the parked one; one still refused throws InvalidInputError
   * naming what is wrong, and the parked message stays as it was. Throws NotFoundError,
   * IllegalTransitionError (not parked).
   */
  async replayEdited(parkedId: number, body: string, correlationId: string): Promise<{ parked: ParkedInbound; outcome: WebhookOutcome }> {
    const parked = await this.parkedOne(parkedId, 'edit');
    if (parked.topic === PARTNER_REJECTION_TOPIC) throw new IllegalTransitionError(String(parkedId), 'edit', REJECTION_NOT_REPLAYED);
    const partner = this.deps.partners.get(parked.system);
    let outcome: WebhookOutcome;
    if (partner) {
      const still: { reason: string; errors: Issue[] }[] = [];
      const summary = await partner.receive(body, (reason, errors) => {
        still.push({ reason, errors });
      });
      if (still.length > 0)
        throw new InvalidInputError(
          still.flatMap((x) => x.errors),
          `The edited document still cannot be taken: ${still[0]!.reason}.`,
        );
      outcome =
        summary.captured.length > 0
          ? { status: 'captured', orderId: summary.captured[0]!, orderStatus: 'captured' }
          : { status: 'ignored', reason: 'nothing left to capture' };
    } else {
      const system = this.deps.sources.get(parked.system);
      if (!system) throw new NotFoundError('Inbound system', parked.system);
      const result = await this.take(system, parked.topic, body, correlationId);
      if ('refused' in result) throw new InvalidInputError(result.errors, `The edited message still cannot be taken: ${result.reason}; nothing was changed.`);
      outcome = result;
    }
    await this.deps.inbound.update(parkedId, {
      status: 'replayed',
      body,
      outcome: `edited; ${outcome.status}${'orderId' in outcome ? ` ${outcome.orderId}` : ''}`,
    });
    return { parked: (await this.deps.inbound.get(parkedId))!, outcome };
  }

  /** Gives up on a parked message for good, saying why. Throws NotFoundError, IllegalTransitionError (not parked). */
  async discard(parkedId: number, reason: string): Promise<ParkedInbound> {
    await this.parkedOne(parkedId, 'discard');
    await this.deps.inbound.update(parkedId, { status: 'discarded', outcome: `discarded: ${reason}` });
    return (await this.deps.inbound.get(parkedId))!;
  }

  private async parkedOne(parkedId: number, step: string): Promise<ParkedInbound> {
    const parked = await this.deps.inbound.get(parkedId);
    if (!parked) throw new NotFoundError('Parked inbound message', String(parkedId));
    if (parked.status !== 'parked') throw new IllegalTransitionError(String(parkedId), step, `it was already ${parked.status}`);
    return parked;
  }

  private async replayDocument(parked: ParkedInbound, partner: TradingPartner): Promise<{ parked: ParkedInbound; outcome: WebhookOutcome }> {
    const still: { reason: string; errors: Issue[]; unknownReferences: XrefKey[] }[] = [];
    const summary = await partner.receive(parked.body, (reason, errors, _body, unknownReferences = []) => {
      still.push({ reason, errors, unknownReferences });
    });
    if (still.length > 0) {
      await this.deps.inbound.update(parked.id, {
        reason: still.map((x) => x.reason).join('; '),
        errors: still.flatMap((x) => x.errors),
        unknownReferences: still.flatMap((x) => x.unknownReferences),
      });
      return {
        parked: (await this.deps.inbound.get(parked.id))!,
        outcome: { status: 'parked', parkedId: parked.id, reason: still[0]!.reason, errors: still.flatMap((x) => x.errors) },
      };
    }
    await this.deps.inbound.update(parked.id, { status: 'replayed', outcome: `captured ${summary.captured.join(', ') || 'nothing new'}` });
    return {
      parked: (await this.deps.inbound.get(parked.id))!,
      outcome:
        summary.captured.length > 0
          ? { status: 'captured', orderId: summary.captured[0]!, orderStatus: 'captured' }
          : { status: 'ignored', reason: 'nothing left to capture' },
    };
  }

  private async take(system: InboundSource, topic: string, raw: string, correlationId: string): Promise<WebhookOutcome | Refusal> {
    const ctx = { principal: `system:${system.id}`, correlationId };
    const kind = system.kindOf(topic, raw);
    if (kind === 'events') {
      const mapped = await system.eventsFrom(raw);
      if (!mapped.ok) return { refused: true, reason: 'the message could not be mapped to hub events', errors: mapped.errors };
      const result = await this.deps.ingest.submit(mapped.events, undefined, correlationId);
      return { status: 'ingested', accepted: result.accepted, duplicates: result.duplicates, position: result.position };
    }
    if (kind === 'update') {
      const storeOrderId = system.storeOrderId(raw);
      const captured = storeOrderId === undefined ? undefined : await this.deps.orders.byReference(system.channel, storeOrderId);
      // Not captured yet (the store's orders/create may come later, or was parked): taken as the order.
      if (captured) return this.update(system, captured, raw, ctx);
    }
    if (kind === 'order' || kind === 'update') {
      const mapped = await system.orderFrom(raw);
      if (!mapped.ok) {
        const unknown = mapped.unknownReferences ?? [];
        return unknown.length > 0
          ? { refused: true, reason: `the order ${WAITS_FOR_REFERENCES}: ${describeReferences(unknown)}`, errors: mapped.errors, unknownReferences: unknown }
          : { refused: true, reason: 'the order could not be mapped to a hub order', errors: mapped.errors };
      }
      try {
        const outcome = await this.deps.orders.capture(mapped.request, `store-order:${mapped.storeOrderId}`, ctx);
        return { status: 'captured', orderId: outcome.body.id, orderStatus: outcome.body.status };
      } catch (err) {
        if (err instanceof DuplicateOrderError) return { status: 'already_captured', orderId: err.orderId };
        // The store sent this order id before with other content: the id is the key.
        if (err instanceof IdempotencyKeyReusedError) throw new IdempotencyKeyReusedError(err.key, err.orderId, '/id');
        const refusal = refusalOf(err);
        if (refusal) {
          const unknown = waitingFor(refusal.errors, mapped.lineReferences);
          return { refused: true, ...refusal, ...(unknown.length > 0 ? { unknownReferences: unknown } : {}) };
        }
        throw err;
      }
    }
    if (kind === 'cancel') {
      const storeOrderId = system.storeOrderId(raw);
      const order = storeOrderId === undefined ? undefined : await this.deps.orders.byReference(system.channel, storeOrderId);
      const orderId = order?.id;
      // Shopify sends orders/updated beside orders/cancelled: the second one finds the work done.
      if (order?.status === 'cancelled') return { status: 'unchanged', orderId: order.id, ignored: 'the order is cancelled already' };
      if (!orderId)
        return {
          refused: true,
          reason: `no order ${storeOrderId ?? '(without id)'} of channel ${system.channel} has been captured`,
          errors: [{ path: '/id', message: 'unknown order' }],
        };
      try {
        await this.deps.orders.cancel(orderId, { ...ctx, reason: 'cancelled in the storefront' });
        return { status: 'cancelled', orderId };
      } catch (err) {
        if (err instanceof IllegalTransitionError) return { refused: true, reason: err.message, errors: [] };
        throw err;
      }
    }
    return { status: 'ignored', reason: `topic '${topic}' is not one the hub takes from ${system.id}` };
  }

  /**
   * An update of a captured order that the store has not cancelled: the hub's order holds items
   * and quantities only, so what else changed (addresses, note, tags, payment and fulfilment
   * status) is left alone and said so; changed lines amend the order in place (its prices kept),
   * and an amendment the order cannot take (released, shipped, no stock) is refused (parked) with
   * its reason, nothing changed.
   */
  private async update(
    system: InboundSource,
    captured: { id: string; lines: { sku: string; qty: number }[] },
    raw: string,
    ctx: { principal: string; correlationId: string },
  ): Promise<WebhookOutcome | Refusal> {
    const mapped = await system.orderFrom(raw);
    const ignored = 'addresses, note, tags, prices, payment and fulfilment status are not part of the hub order';
    if (!mapped.ok)
      return { status: 'unchanged', orderId: captured.id, ignored: `${ignored}; its lines could not be read (${mapped.errors[0]?.message ?? ''})` };
    const now = new Map<string, number>();
    for (const l of mapped.request.lines) now.set(l.sku, (now.get(l.sku) ?? 0) + l.qty);
    const before = new Map(captured.lines.map((l) => [l.sku, l.qty]));
    const changed = [...new Set([...now.keys(), ...before.keys()])].filter((sku) => now.get(sku) !== before.get(sku)).sort();
    if (changed.length === 0) return { status: 'unchanged', orderId: captured.id, ignored };
    const what = changed.map((sku) => `${sku}: ${before.get(sku) ?? 0} → ${now.get(sku) ?? 0}`).join(', ');
    try {
      // Each update is its own amendment (the store may change a line back): keyed by this request.
      const done = await this.deps.orders.amend(
        captured.id,
        [...now].map(([sku, qty]) => ({ sku, qty })),
        `store-update:${captured.id}:${ctx.correlationId}`.replace(/[^\x21-\x7e]/g, '_').slice(0, 255),
        ctx,
      );
      return { status: 'amended', orderId: captured.id, orderStatus: done.view.status };
    } catch (err) {
      const refusal = err instanceof AmendmentRefusedError ? { reason: err.message, errors: err.issues } : refusalOf(err);
      if (!refusal) throw err;
      return {
        refused: true,
        reason: `the store changed the lines of order ${captured.id} (${what}), and the order cannot take the change: ${refusal.reason}`,
        errors: [{ path: '/line_items', message: `differ from the captured order ${captured.id}` }, ...refusal.errors],
      };
    }
  }
}

const toWellFormed = (s: string): string => (s as unknown as { toWellFormed(): string }).toWellFormed();

/**
 * A refusal as the stores can keep it. Its messages may quote the body, and the JSON parser's
 * message quotes a single UTF-16 unit, half of a character beyond the basic plane: PostgreSQL
 * refuses such text, so parking it answered 500 on the scale-out backend (found by the fuzz suite).
 */
export function storableRefusal(reason: string, errors: readonly Issue[]): { reason: string; errors: Issue[] } {
  return { reason: toWellFormed(reason), errors: errors.map((e) => ({ path: toWellFormed(e.path), message: toWellFormed(e.message) })) };
}
