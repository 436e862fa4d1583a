/**
 * Calls that arrive while a batch is running wait and go together into the next one: one round
 * trip (or one transaction) for many concurrent captures instead of one each. On this backend a
 * statement costs the api process more CPU in the database client than the work it carries, so
 * this is where concurrent captures get their throughput.
 */
export class Batched<I, O> {
  /** Batches run so far. */
  batches = 0;
  private queue: { input: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  private active = 0;

  /**
   * `run` answers each input, in order. `lanes`: batches allowed in flight at once, so one batch's
   * round trips overlap another's (for transactions, safe when they lock in one order).
   */
  constructor(
    private readonly run: (inputs: I[]) => Promise<O[]>,
    private readonly lanes = 1,
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
      try {
        const outputs = await this.run(batch.map((w) => w.input));
        this.batches++;
        for (const [i, w] of batch.entries()) w.resolve(outputs[i]!);
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    this.active--;
  }
}
