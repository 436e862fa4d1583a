/**
 * Who delivers to a destination right now. Several scale-out workers may run, but each
 * destination's lanes (its cursors, its rate budget, its ordering) must have one deliverer at a
 * time: a worker holds a lease while it delivers, and a lease whose holder dies passes to another.
 */
export interface Lease {
  /** Resolves when the lease is lost (its holder's connection failed); stop delivering then. */
  readonly lost: Promise<void>;
  release(): Promise<void>;
}

export interface DestinationLeases {
  /** The lease if no one else holds it now, else undefined. */
  tryAcquire(destination: string): Promise<Lease | undefined>;
  close(): Promise<void>;
}
