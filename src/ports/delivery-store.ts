/**
 * What the delivery engine keeps durable: how far each destination's lanes have delivered, and
 * the dead letters (messages given up on, with the last error) until someone retries or
 * discards them.
 */
import type { OutgoingMessage } from './destination.js';
import type { RecordedChange } from './inventory-store.js';
import type { StoredOutboxMessage } from './order-store.js';

type Awaitable<T> = T | Promise<T>;

export type Lane = 'orders' | 'bulk';

export type DeadLetterStatus = 'dead' | 'queued' | 'delivered' | 'discarded';

export interface DeadLetter {
  id: number;
  destination: string;
  lane: Lane;
  message: OutgoingMessage;
  attempts: number;
  lastError: string;
  deadAt: string;
  status: DeadLetterStatus;
  /** Why it was discarded, or when it was delivered on retry. */
  note?: string;
}

export interface DeliveryStore {
  cursor(destination: string, lane: Lane): number;
  saveCursor(destination: string, lane: Lane, cursor: number): void;
  addDeadLetter(d: Omit<DeadLetter, 'id' | 'status'>): number;
  deadLetters(filter: { destination?: string; status?: DeadLetterStatus; afterId?: number; limit: number }): DeadLetter[];
  deadLetter(id: number): DeadLetter | undefined;
  setDeadLetterStatus(id: number, status: DeadLetterStatus, note?: string, attempts?: number, lastError?: string): void;
}

/** What a worker reads and writes; the embedded stores answer at once, the scale-out ones by promise. */
export interface DeliveryLedger {
  cursor(destination: string, lane: Lane): Awaitable<number>;
  saveCursor(destination: string, lane: Lane, cursor: number): Awaitable<void>;
  addDeadLetter(d: Omit<DeadLetter, 'id' | 'status'>): Awaitable<number>;
  deadLetters(filter: { destination?: string; status?: DeadLetterStatus; afterId?: number; limit: number }): Awaitable<DeadLetter[]>;
  deadLetter(id: number): Awaitable<DeadLetter | undefined>;
  setDeadLetterStatus(id: number, status: DeadLetterStatus, note?: string, attempts?: number, lastError?: string): Awaitable<void>;
}

export interface OutboxReads {
  outboxFor(destinations: readonly string[], afterId: number, limit: number): Awaitable<StoredOutboxMessage[]>;
  outboxBetween(destinations: readonly string[], fromIso: string, toIso: string, limit: number): Awaitable<StoredOutboxMessage[]>;
}

export interface FeedReads {
  readChanges(channel: string, afterCursor: number, limit: number): Awaitable<RecordedChange[]>;
}
