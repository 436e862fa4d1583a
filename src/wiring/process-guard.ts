/**
 * The process's last line against an error nothing else caught. Every error is logged with its
 * stack; what happens next depends on what it says of the process. A rejected promise nobody
 * awaited, and a system error thrown from an I/O callback (EMFILE, ECONNRESET, EPIPE, ENOENT: an
 * error with an errno code), concern one operation, file or socket: the process carries on.
 * Any other uncaught exception (a TypeError, a RangeError, a failed assertion) means code ran into
 * a state it was not written for; the process exits 1 at once, without a checkpoint, so that the
 * restart rebuilds from the durable log rather than from memory that may be wrong.
 */
import type { Logger } from 'pino';

/** Whether an uncaught exception is one the process survives: a system error, with its errno code. */
export function survivable(err: unknown): boolean {
  const e = err as NodeJS.ErrnoException | undefined;
  return typeof e?.code === 'string' && /^E[A-Z0-9]+$/.test(e.code) && (typeof e.errno === 'number' || typeof e.syscall === 'string');
}

/** Installs the handlers; returns what removes them (for a process that hosts several hubs, as tests do). */
export function guardProcess(log: Logger, exit: (code: number) => void = (code) => process.exit(code)): () => void {
  const onRejection = (reason: unknown) => {
    log.error({ err: reason }, 'a promise was rejected and nothing awaited it; the operation it belonged to is abandoned, the process carries on');
  };
  const onException = (err: Error) => {
    if (survivable(err)) {
      log.error({ err }, `uncaught system error (${(err as NodeJS.ErrnoException).code}); it concerns one file or connection, the process carries on`);
      return;
    }
    log.fatal({ err }, 'uncaught exception: the process may be in a state it was not written for; exiting so that a restart rebuilds from the log');
    exit(1);
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return () => {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
  };
}
