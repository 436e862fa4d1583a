/** A trading partner whose documents the hub can take again (a parked interchange being replayed). */
import type { Issue } from '../domain/errors.js';
import type { XrefKey } from '../domain/master-data/cross-reference.js';

export interface TradingPartner {
  /** Takes a document's text again; what still cannot be taken is reported to `park`. */
  receive(
    text: string,
    park: (reason: string, errors: Issue[], body: string, unknownReferences?: XrefKey[]) => void | Promise<void>,
  ): Promise<{ captured: string[]; parked: number; rejected: number }>;
}
