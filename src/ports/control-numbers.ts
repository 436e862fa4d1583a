/**
 * Durable EDI control numbers per trading partner, both ways: the ones the hub hands out (ISA13,
 * GS06, ST02: never reused, even after a restart), what it sent under them (so a partner's 997
 * can be matched to the document it answers), and the interchanges it has taken (so one sent
 * again under the same ISA13 is recognised as a duplicate and changes nothing).
 */
export interface SentTransaction {
  interchange: number;
  group: number;
  functionalId: string;
  set: string;
  transaction: number;
  /** What the document is about, in the hub's words (an order id, a shipment id, an invoice number). */
  document: string;
  sentAt: string;
}

export interface ControlNumbers {
  /** Numbers for one interchange: its own, one per group, and one per transaction of each group. */
  allocate(partner: string, groups: readonly number[]): Promise<{ interchange: number; groups: number[]; transactions: number[][] }>;
  /** Records what an interchange the hub wrote carried, transaction by transaction. */
  recordSent(partner: string, sent: readonly SentTransaction[]): Promise<void>;
  /** The transactions the hub sent the partner in group `group` (GS06), in transaction order. */
  sentInGroup(partner: string, group: number): Promise<SentTransaction[]>;
  /**
   * When the interchange `control` (ISA13) from `sender` (ISA05:ISA06) was taken, or undefined
   * when it has not been. Asked before an interchange is taken; `recordReceived` after, so an
   * interchange whose taking was cut short is taken again, not lost.
   */
  receivedAt(partner: string, sender: string, control: string): Promise<string | undefined>;
  /** Records an interchange as taken (a second record of the same one keeps the first time). */
  recordReceived(partner: string, sender: string, control: string, at: string): Promise<void>;
  /**
   * The retention sweep: forgets interchanges taken and transactions sent before `beforeIso`
   * (every partner). A copy of an interchange older than that is no longer known as a duplicate,
   * and a 997 answering a transaction older than that is kept as one the hub has no record of.
   */
  forgetBefore(beforeIso: string): Promise<{ received: number; sent: number }>;
}

/** Allocates an interchange's numbers one at a time from `next` (a store that counts one by one). */
export function allocateEach(
  next: (kind: 'interchange' | 'group' | 'transaction') => number,
  groups: readonly number[],
): { interchange: number; groups: number[]; transactions: number[][] } {
  const interchange = next('interchange');
  return { interchange, groups: groups.map(() => next('group')), transactions: groups.map((n) => Array.from({ length: n }, () => next('transaction'))) };
}
