/**
 * What a port contract suite is given: a fresh adapter per test, a way to reopen it on the same
 * data (a new connection, as after a restart), and a cleanup that removes the data.
 */
export interface AdapterUnderTest<T> {
  store: T;
  reopen(): Promise<T>;
  cleanup(): Promise<void>;
}

export type MakeAdapter<T> = () => Promise<AdapterUnderTest<T>>;

/** Why the adapter cannot run here (its suite is skipped with it), or false. */
export type Skip = string | false;
