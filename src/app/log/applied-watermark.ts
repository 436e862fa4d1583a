/**
 * How far the workers have applied the log (every entry at or before the mark is in the shared
 * state), for api processes whose writes to the shared state must see what the log already holds:
 * a capture validated against the read model at position p reserves only once p is applied.
 * One question to the log at a time, shared by every caller waiting on it.
 */
import { WorkersBehindError } from '../../domain/errors.js';

export class AppliedWatermark {
  private mark = 0;
  private asking: Promise<number> | undefined;

  constructor(
    private readonly read: () => Promise<number>,
    private readonly maxWaitMs = 5000,
    private readonly pollMs = 5,
  ) {}

  /** Resolves once the workers have applied through `position`; throws WorkersBehindError after maxWaitMs. */
  async reached(position: number): Promise<void> {
    if (this.mark >= position) return;
    const started = Date.now();
    for (;;) {
      this.mark = Math.max(this.mark, await this.ask());
      if (this.mark >= position) return;
      const waited = Date.now() - started;
      if (waited > this.maxWaitMs) throw new WorkersBehindError(position, this.mark, waited);
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
  }

  private ask(): Promise<number> {
    this.asking ??= this.read().finally(() => {
      this.asking = undefined;
    });
    return this.asking;
  }
}
