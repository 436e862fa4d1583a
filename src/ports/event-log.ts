/**
 * The shared event log of the scale-out backend: one total order of everything written to the
 * hub (inventory events, catalogue changes), durable and replicated before `append` resolves.
 * Every process follows it in order to keep its read model; workers share the work of applying
 * it to the shared state, each entry handed to one worker at a time and handed again if that
 * worker dies before saying it is done.
 */

/**
 * What an entry is about: inventory events partition by item, order events (fulfilment, shipment,
 * invoice, return, cancellation) by order; catalogue changes have one lane; holds (stock held for
 * orders, already committed in the shared state) tell the read models.
 */
export type EntryKind = 'inventory' | 'order' | 'catalog' | 'holds';

export interface AppendRequest {
  kind: EntryKind;
  /** The partition key (the item for inventory, the order for order events). */
  key: string;
  /** Entries with the same dedupe id within the log's window are stored once. */
  dedupeId: string;
  body: string;
}

export interface Appended {
  /** The entry's position in the log (the original's when it was a duplicate). */
  position: number;
  duplicate: boolean;
}

export interface LogEntry {
  position: number;
  kind: EntryKind;
  body: string;
}

/** One entry handed to a worker: say `done` after its effect is committed. */
export interface WorkItem {
  entry: LogEntry;
  /** 1 on the first delivery. */
  attempt: number;
  done(): void;
  /** Hand it again later (to this or another worker). */
  retry(delayMs: number): void;
  /** Never hand it again (it went to the dead letters). */
  discard(): void;
  /** Keep it with this worker a while longer without using an attempt (it is waiting, not failing). */
  stillWorking(): void;
}

export interface Following {
  stop(): Promise<void>;
}

export interface EventLog {
  /** Appends in the order given; resolves when every entry is durable. */
  append(requests: readonly AppendRequest[]): Promise<Appended[]>;
  /** Calls `onEntry` for every entry after `afterPosition`, in order, now and as they come. */
  follow(afterPosition: number, onEntry: (entry: LogEntry) => void): Promise<Following>;
  /** The position of the last entry (0 when empty). */
  head(): Promise<number>;
  entryAt(position: number): Promise<LogEntry | undefined>;
  /** Up to `limit` entries after `afterPosition`, in order. */
  read(afterPosition: number, limit: number): Promise<LogEntry[]>;
  /** Takes a share of the work of the named worker group: `onWork` gets batches of entries. */
  work(group: string, onWork: (items: WorkItem[]) => Promise<void>): Promise<Following>;
  /** Deliveries after which a failing entry goes to the dead letters. */
  readonly maxAttempts: number;
  close(): Promise<void>;
}
