/**
 * Calls that arrive while a batch is running wait and go together into the next one: one round
 * trip (or one transaction) for many concurrent captures instead of one each. On this backend a
 * statement costs the api process more CPU in the database client than the work it carries, so
 * this is where concurrent captures get their throughput.
 *
 * A batch that fails is run again in halves, and a half that fails is split again, so that an
 * input the store cannot take fails alone (told `unstorable(cause)`) while the others commit, as
 * the embedded group commit does. When both halves fail the store itself is failing, and a
 * retryable hub error (the database unavailable, the workers behind) is no input's fault: every
 * call of the batch is told the original error.
 */
import { CrossdockError } from '../domain/errors.js';

type Waiter<I, O> = { input: I; resolve: (o: O) => void; reject: (e: unknown) => void };
export class Batched<I, O> {
  /** Batches run so far. */
  batches = 0;
  private queue: Waiter<I, O>[] = [];
  private active = 0;

  /**
   * `run` answers each input, in order. `lanes`: batches allowed in flight at once, so one batch's
   * round trips overlap another's (for transactions, safe when they lock in one order).
   * `unstorable`: the error told to the one input found at fault (default: the cause itself).
   */
  constructor(
    private readonly run: (inputs: I[]) => Promise<O[]>,
    private readonly lanes = 1,
    private readonly unstorable: (cause: unknown) => unknown = (cause) => cause,
  ) {}

  call(input: I): Promise<O> {
    return new Promise((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      if (this.active < this.lanes) {
        this.active++;
        void this.drain();
      }
    });
  }

  private async drain(): Promise<void> {
    // Let the calls of this turn of the event loop join the first batch.
    await new Promise((r) => setImmediate(r));
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      const failure = await this.attempt(batch);
      if (failure === undefined) continue;
      if (batch.length === 1 || noInputsFault(failure.err)) for (const w of batch) w.reject(failure.err);
      else await this.isolate(batch, failure.err);
    }
    this.active--;
  }

  /** Runs `batch` and answers its calls; on failure answers no one and returns the error. */
  private async attempt(batch: Waiter<I, O>[]): Promise<{ err: unknown } | undefined> {
    let outputs: O[];
    try {
      outputs = await this.run(batch.map((w) => w.input));
    } catch (err) {
      return { err };
    }
    this.batches++;
    for (const [i, w] of batch.entries()) w.resolve(outputs[i]!);
    return undefined;
  }

  private async isolate(batch: Waiter<I, O>[], cause: unknown): Promise<void> {
    if (batch.length === 1) {
      batch[0]!.reject(this.unstorable(cause));
      return;
    }
    const middle = batch.length >> 1;
    const halves = [batch.slice(0, middle), batch.slice(middle)];
    const failures = [await this.attempt(halves[0]!), await this.attempt(halves[1]!)];
    if (failures[0] && failures[1]) {
      for (const w of batch) w.reject(cause);
      return;
    }
    for (const [k, half] of halves.entries()) {
      const failure = failures[k];
      if (failure === undefined) continue;
      if (noInputsFault(failure.err)) for (const w of half) w.reject(failure.err);
      else await this.isolate(half, failure.err);
    }
  }
}

/** The hub's own retryable errors (the database unavailable, the workers behind, shutting down) say nothing about the inputs. */
function noInputsFault(err: unknown): boolean {
  return err instanceof CrossdockError && err.retryable;
}
