/** Durable, increasing control numbers per trading partner (ISA13, GS06, ST02): never reused, even after a restart. */
export interface ControlNumbers {
  /** Numbers for one interchange: its own, one per group, and one per transaction of each group. */
  allocate(partner: string, groups: readonly number[]): Promise<{ interchange: number; groups: number[]; transactions: number[][] }>;
}

/** Allocates an interchange's numbers one at a time from `next` (a store that counts one by one). */
export function allocateEach(
  next: (kind: 'interchange' | 'group' | 'transaction') => number,
  groups: readonly number[],
): { interchange: number; groups: number[]; transactions: number[][] } {
  const interchange = next('interchange');
  return { interchange, groups: groups.map(() => next('group')), transactions: groups.map((n) => Array.from({ length: n }, () => next('transaction'))) };
}
