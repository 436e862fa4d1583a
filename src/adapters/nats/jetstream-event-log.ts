/**
 * The scale-out event log on NATS JetStream. One stream per namespace holds every entry, so its
 * stream sequence is the hub's log position (one total order, which the `position` contract
 * needs). Subjects partition inventory by item (`<ns>.events.inventory.<n>`), order events by
 * order (`<ns>.events.order.<n>`), and give catalogue
 * changes their own lane; publishes carry a message id, so a retried append is stored once
 * within the duplicate window. Workers share one durable pull consumer with explicit acks: an
 * entry not acknowledged within the ack wait (its worker died) is handed to another worker.
 */
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  StorageType,
  jetstream,
  jetstreamManager,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import type { AppendRequest, Appended, EntryKind, EventLog, Following, LogEntry, WorkItem } from '../../ports/event-log.js';
import { AckedPublisher } from './acked-publisher.js';

export interface JetStreamOptions {
  url: string;
  namespace: string;
  /** Inventory subjects per namespace; more lets more workers apply one item's neighbours apart. */
  partitions?: number;
  /** How long a message id is remembered for deduplication on publish. */
  duplicateWindowMs?: number;
  /** How long a worker may hold an entry before it is handed to another. */
  ackWaitMs?: number;
  maxAttempts?: number;
  /** How often a follower checks that entries still arrive while the stream grows; default 2000 ms. */
  followCheckMs?: number;
  /** Told when a follower had to follow again from `position` (the consumer stalled or ended). */
  onFollowRestarted?: (position: number) => void;
  /** Batches one worker applies at once; default 4. */
  workConcurrency?: number;
}

const WORK_BATCH = 1000;

export class JetStreamEventLog implements EventLog {
  readonly maxAttempts: number;
  private readonly stream: string;
  private readonly subjects: string;
  private readonly partitions: number;
  private readonly following = new Set<Following>();
  private readonly publisher: AckedPublisher;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly options: JetStreamOptions,
  ) {
    this.stream = `${options.namespace}_events`;
    this.subjects = `${options.namespace}.events`;
    this.partitions = options.partitions ?? 16;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.publisher = new AckedPublisher(nc);
  }

  /** Connects and makes sure the stream exists (safe for several processes at once). */
  static async open(options: JetStreamOptions): Promise<JetStreamEventLog> {
    // noAsyncTraces: the client otherwise builds two Error objects (with stacks) per publish, a third of the api's CPU.
    const nc = await connect({ servers: options.url, name: `crossdock-${options.namespace}`, maxReconnectAttempts: -1, noAsyncTraces: true });
    try {
      const jsm = await jetstreamManager(nc);
      const log = new JetStreamEventLog(nc, jetstream(nc), jsm, options);
      await log.ensureStream();
      return log;
    } catch (err) {
      await nc.close();
      throw err;
    }
  }

  private async ensureStream(): Promise<void> {
    const config = {
      name: this.stream,
      subjects: [`${this.subjects}.>`],
      storage: StorageType.File,
      duplicate_window: nanos(this.options.duplicateWindowMs ?? 10 * 60_000),
    };
    try {
      await this.jsm.streams.add(config);
    } catch {
      // Another process created it first, or an earlier version with other settings: bring it in line.
      await this.jsm.streams.update(this.stream, { subjects: config.subjects, duplicate_window: config.duplicate_window });
    }
  }

  /** The subject an entry of `kind` with partition key `key` is stored under. */
  subjectOf(kind: EntryKind, key: string): string {
    if (kind !== 'inventory' && kind !== 'order') return `${this.subjects}.${kind}`;
    return `${this.subjects}.${kind}.${fnv1a(key) % this.partitions}`;
  }

  private kindOf(subject: string): EntryKind {
    if (subject.endsWith('.catalog')) return 'catalog';
    if (subject.endsWith('.holds')) return 'holds';
    return subject.startsWith(`${this.subjects}.order.`) ? 'order' : 'inventory';
  }

  async append(requests: readonly AppendRequest[]): Promise<Appended[]> {
    // Published together, in order: JetStream stores them in this order.
    const acks = await this.publisher.publish(requests.map((r) => ({ subject: this.subjectOf(r.kind, r.key), body: r.body, msgId: r.dedupeId })));
    return acks.map((a) => ({ position: a.seq, duplicate: a.duplicate }));
  }

  async head(): Promise<number> {
    return (await this.jsm.streams.info(this.stream)).state.last_seq;
  }

  async entryAt(position: number): Promise<LogEntry | undefined> {
    try {
      const m = await this.jsm.streams.getMessage(this.stream, { seq: position });
      return m ? { position: m.seq, kind: this.kindOf(m.subject), body: new TextDecoder().decode(m.data) } : undefined;
    } catch {
      return undefined;
    }
  }

  async read(afterPosition: number, limit: number): Promise<LogEntry[]> {
    const wanted = Math.min(limit, (await this.head()) - afterPosition);
    if (wanted <= 0) return [];
    const consumer = await this.js.consumers.get(this.stream, { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: afterPosition + 1 });
    const entries: LogEntry[] = [];
    const messages = await consumer.fetch({ max_messages: wanted, expires: 5000 });
    for await (const m of messages) entries.push({ position: m.seq, kind: this.kindOf(m.subject), body: m.string() });
    await consumer.delete().catch(() => false);
    return entries;
  }

  /**
   * Follows the stream with an ordered consumer, and watches it: when the stream has entries past
   * the last one seen and none arrived since the previous look (the consumer stalled or ended),
   * it follows again from the entry after the last one seen. The client's own recovery cannot be
   * relied on alone: after a server restart it recreates the ordered consumer and then, on the
   * versions in use here, receives nothing more (seen with nats-server 2.9 and @nats-io/jetstream 3.4).
   */
  async follow(afterPosition: number, onEntry: (entry: LogEntry) => void): Promise<Following> {
    let seen = afterPosition;
    let stopped = false;
    let current: { messages: ConsumerMessages; done: Promise<void> } | undefined;
    // Only the newest consumer may deliver: one replaced but still draining must not skip ahead.
    let generation = 0;
    const start = async () => {
      const mine = ++generation;
      const consumer = await this.js.consumers.get(
        this.stream,
        seen === 0 ? { deliver_policy: DeliverPolicy.All } : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: seen + 1 },
      );
      const messages = await consumer.consume({ max_messages: 5000 });
      const done = (async () => {
        for await (const m of messages) {
          if (mine !== generation) break;
          // A new consumer may hand again what the one before it delivered.
          if (m.seq <= seen) continue;
          seen = m.seq;
          onEntry({ position: m.seq, kind: this.kindOf(m.subject), body: m.string() });
        }
      })().catch(() => {});
      current = { messages, done };
    };
    await start();
    let lastLook = seen;
    let restarting = false;
    const watch = setInterval(() => {
      if (stopped || restarting) return;
      const previous = lastLook;
      lastLook = seen;
      if (seen !== previous) return;
      restarting = true;
      void (async () => {
        try {
          // Nothing arrived; that is only a stall (or a consumer that ended) if there was something to arrive.
          if ((await this.head()) <= seen) return;
          const old = current!;
          // A consumer that does not end when closed must not hold the follower up: it is dropped.
          await Promise.race([
            old.messages
              .close()
              .catch(() => {})
              .then(() => old.done),
            new Promise((r) => setTimeout(r, 5000)),
          ]);
          if (!stopped) await start();
          this.options.onFollowRestarted?.(seen);
        } catch {
          // The server is still away: the next look tries again.
        } finally {
          restarting = false;
        }
      })();
    }, this.options.followCheckMs ?? 2000);
    watch.unref();
    const following: Following = {
      stop: async () => {
        stopped = true;
        clearInterval(watch);
        this.following.delete(following);
        await current?.messages.close().catch(() => {});
        await current?.done;
      },
    };
    this.following.add(following);
    return following;
  }

  async work(group: string, onWork: (items: WorkItem[]) => Promise<void>): Promise<Following> {
    const durable = `${this.options.namespace}_${group}`;
    const tunable = {
      ack_wait: nanos(this.options.ackWaitMs ?? 30_000),
      // A backstop for an entry that kills its worker every time; the workers themselves
      // dead-letter an entry that keeps failing after maxAttempts.
      max_deliver: this.maxAttempts * 2,
      max_ack_pending: 20_000,
    };
    try {
      await this.jsm.consumers.add(this.stream, { durable_name: durable, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All, ...tunable });
    } catch {
      // It exists with other tuning (the configuration changed): bring it in line.
      await this.jsm.consumers.update(this.stream, durable, tunable);
    }
    const consumer = await this.js.consumers.get(this.stream, durable);
    const concurrency = Math.max(1, this.options.workConcurrency ?? 4);
    // Enough buffered for every lane to take a full batch.
    const messages = await consumer.consume({ max_messages: WORK_BATCH * Math.max(2, concurrency) });
    // Entries that arrive while batches are being applied form the next batches (group commit).
    // Several lanes apply batches at once so that one batch's database round trips overlap
    // another's computing; the shared state's locks keep them apart where they touch the same
    // items. A subject always takes the same lane, so this worker applies one order's events (and
    // one partition's) in log order.
    const queues: JsMsg[][] = Array.from({ length: concurrency }, () => []);
    const active = new Map<number, Promise<void>>();
    const lane = async (i: number) => {
      while (queues[i]!.length > 0) {
        const queue = queues[i]!;
        const batch = queue.length <= WORK_BATCH ? queue : queue.slice(0, WORK_BATCH);
        queues[i] = queue.length <= WORK_BATCH ? [] : queue.slice(WORK_BATCH);
        // A batch that throws is not acknowledged: JetStream hands it out again after the ack wait.
        await onWork(batch.map((m) => this.workItem(m))).catch(() => {});
      }
    };
    const done = (async () => {
      for await (const m of messages) {
        const i = fnv1a(m.subject) % concurrency;
        queues[i]!.push(m);
        if (!active.has(i)) {
          const running = lane(i).finally(() => active.delete(i));
          active.set(i, running);
        }
      }
      await Promise.all(active.values());
    })();
    return this.track(messages, done);
  }

  private workItem(m: JsMsg): WorkItem {
    return {
      entry: { position: m.seq, kind: this.kindOf(m.subject), body: m.string() },
      attempt: m.info.deliveryCount,
      done: () => m.ack(),
      retry: (delayMs) => m.nak(delayMs),
      discard: () => m.term('dead-lettered by the hub'),
      stillWorking: () => m.working(),
    };
  }

  private track(messages: ConsumerMessages, done: Promise<void>): Following {
    const following: Following = {
      stop: async () => {
        this.following.delete(following);
        await messages.close();
        await done.catch(() => {});
      },
    };
    this.following.add(following);
    return following;
  }

  /** The named worker group's backlog: entries not handed out yet, and entries handed out but not finished. */
  async consumerState(group: string): Promise<{ pending: number; held: number }> {
    const info = await this.groupInfo(group);
    if (!info) return { pending: (await this.jsm.streams.info(this.stream)).state.last_seq, held: 0 };
    return { pending: info.num_pending, held: info.num_ack_pending };
  }

  /** The position through which the named worker group has finished every entry (its ack floor); 0 before any worker started. */
  async finishedThrough(group: string): Promise<number> {
    return (await this.groupInfo(group))?.ack_floor.stream_seq ?? 0;
  }

  /** The group's durable consumer, which its first worker creates: until then the group has finished nothing. */
  private async groupInfo(group: string) {
    try {
      return await this.jsm.consumers.info(this.stream, `${this.options.namespace}_${group}`);
    } catch (err) {
      if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.ConsumerNotFound) return undefined;
      throw err;
    }
  }

  /** Entries the named worker group has not finished yet. */
  async pending(group: string): Promise<number> {
    const s = await this.consumerState(group);
    return s.pending + s.held;
  }

  /** Deletes the stream and its consumers (tests and namespace teardown). */
  async destroy(): Promise<void> {
    await this.jsm.streams.delete(this.stream).catch(() => false);
  }

  async close(): Promise<void> {
    await Promise.all([...this.following].map((f) => f.stop()));
    await this.nc.drain();
    this.publisher.close();
  }
}

/** FNV-1a: stable across processes and versions, unlike any runtime hash. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
