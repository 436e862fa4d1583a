/**
 * The life of one hub process, whichever backend built it: starting → running → draining →
 * stopped. A backend registers its periodic jobs and its shutdown steps here while it builds;
 * `stop` then runs them in the one order every process shuts down in: stop taking HTTP work, stop
 * the periodic jobs, stop background work, drain and commit what was accepted, close the stores
 * and connections, and say so.
 */
import type { Logger } from 'pino';

export type HubState = 'starting' | 'running' | 'draining' | 'stopped';

/**
 * When a shutdown step runs, in this order: `intake` stops new work arriving (HTTP, traffic
 * generators); `work` stops what runs in the background (workers, retries, folder scans) once the
 * periodic jobs have stopped; `drain` commits what was accepted; `close` closes stores and
 * connections. Steps of one phase run in the order they were registered.
 */
export type ShutdownPhase = 'intake' | 'work' | 'drain' | 'close';
const PHASES: ShutdownPhase[] = ['intake', 'work', 'drain', 'close'];

interface Job {
  name: string;
  timer: NodeJS.Timeout;
  running?: Promise<void>;
}

export class HubLifecycle {
  private current: HubState = 'starting';
  private readonly jobs: Job[] = [];
  private readonly steps = new Map<ShutdownPhase, { name: string; run: () => unknown }[]>(PHASES.map((p) => [p, []]));
  private stopping: Promise<void> | undefined;

  constructor(private readonly o: { log: Logger; announce: (line: string) => void; name: string }) {}

  get state(): HubState {
    return this.current;
  }

  /** Whether the process takes work: /healthz answers ready only then. */
  readonly ready = (): boolean => this.current === 'running';

  /**
   * Runs `job` every `ms` (and once now with `runNow`). A job that throws or rejects is logged
   * under its name and runs again on its next tick; a run still going when the next tick comes is
   * not started twice.
   */
  every(name: string, ms: number, job: () => unknown, options: { runNow?: boolean } = {}): void {
    if (this.current === 'draining' || this.current === 'stopped') throw new Error(`cannot add the periodic job '${name}' to a ${this.current} hub`);
    const entry: Job = { name, timer: undefined as unknown as NodeJS.Timeout };
    const tick = () => {
      if (entry.running !== undefined) return;
      entry.running = (async () => {
        try {
          await job();
        } catch (err) {
          this.o.log.error({ err, job: name }, `periodic job '${name}' failed; it runs again on its next tick`);
        }
      })().finally(() => {
        entry.running = undefined;
      });
    };
    entry.timer = setInterval(tick, ms);
    entry.timer.unref();
    this.jobs.push(entry);
    if (options.runNow) tick();
  }

  /** Registers what to do at shutdown in `phase`. A step that fails is logged; the later steps still run. */
  onStop(phase: ShutdownPhase, name: string, run: () => unknown): void {
    this.steps.get(phase)!.push({ name, run });
  }

  /** The process answers: from here on it is ready. */
  running(): void {
    if (this.current !== 'starting') throw new Error(`a ${this.current} hub cannot start running`);
    this.current = 'running';
  }

  /** Shuts down in the one order (see ShutdownPhase); calling it again waits for the same shutdown. */
  stop(options: { quiet?: boolean } = {}): Promise<void> {
    this.stopping ??= this.shutDown(options.quiet ?? false);
    return this.stopping;
  }

  private async shutDown(quiet: boolean): Promise<void> {
    this.current = 'draining';
    const started = Date.now();
    let failed = 0;
    const run = async (phase: ShutdownPhase) => {
      for (const step of this.steps.get(phase)!) {
        try {
          await step.run();
        } catch (err) {
          failed++;
          this.o.log.error({ err, step: step.name }, `shutdown step '${step.name}' failed; going on with the next`);
        }
      }
    };
    await run('intake');
    for (const job of this.jobs) clearInterval(job.timer);
    await Promise.all(this.jobs.map((j) => j.running));
    await run('work');
    await run('drain');
    await run('close');
    this.current = 'stopped';
    const ms = Date.now() - started;
    if (!quiet)
      this.o.announce(
        failed === 0
          ? `${this.o.name} stopped cleanly in ${ms} ms: everything accepted was committed`
          : `${this.o.name} stopped in ${ms} ms; ${failed} shutdown step(s) failed (see the log above)`,
      );
  }
}
