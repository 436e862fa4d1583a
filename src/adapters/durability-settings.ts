/**
 * The database settings an acknowledgement rests on ("durable before the answer"): a store opened
 * without them would answer writes that a power cut could still take away, so the hub refuses to
 * run rather than weaken that promise silently.
 */
export class UnsafeDurabilityError extends Error {
  constructor(
    readonly database: string,
    readonly setting: string,
    readonly found: string,
    readonly required: string,
  ) {
    super(`${database}: ${setting} is ${found} on the open connection; the hub needs ${required} (an acknowledged write must survive a crash)`);
    this.name = 'UnsafeDurabilityError';
  }
}
