/** How an EDI trading partner is set up, and the hub operations its documents use (edi-partner.ts). */
import type { Issue } from '../../domain/errors.js';
import type { OrderRequest } from '../../model/order.js';
import type { HubEvent } from '../../model/hub-event.js';
import type { ControlNumbers } from '../../ports/control-numbers.js';
import type { XrefKey } from '../../domain/master-data/cross-reference.js';
import type { ReferenceLookup } from '../../ports/reference-lookup.js';
import type { PartnerOrderLines } from '../../ports/partner-order-lines.js';
import type { PartnerMapping } from './purchase-order-850.js';
import type { Party } from './x12-interchange.js';
import type { FileFault } from '../folder-inbox.js';
import type { AmendedLine } from '../../domain/orders/order-amendment.js';

/** What capturing an order came to, as the partner's connector needs to answer it. */
export type CaptureResult =
  | { kind: 'captured'; orderId: string; lines: { sku: string; qty: number; reserved: number; backordered: number }[] }
  | { kind: 'no_stock' }
  | { kind: 'refused'; reason: string; errors: Issue[] };

/** What cancelling a purchase order (860 BCH01 01) came to. */
export type CancelResult = { kind: 'cancelled'; orderId: string } | { kind: 'unknown' } | { kind: 'refused'; reason: string };

/** What amending the order of a purchase order (860 BCH01 04 or 05) came to. */
export type AmendResult = { kind: 'amended'; orderId: string } | { kind: 'refused'; reason: string; errors: Issue[] };

/** `correlationId`: the id minted for the file the document came in (none for a replay, which keeps the first). */
export type Park = (reason: string, errors: Issue[], body: string, unknownReferences?: XrefKey[], correlationId?: string) => void | Promise<void>;

export interface EdiPartnerOptions {
  id: string;
  folder: string;
  pollMs: number;
  /** How long a file's size and mtime must hold before it is read (default 2 s). */
  settleMs?: number;
  /** Us and them, as the ISA names us (and the GS, by applicationId when it differs). */
  us: Party;
  partner: Party;
  usage: 'P' | 'T';
  /** Interchanges marked test (ISA15 = T): refused, or taken in test mode (nothing captured, reserved or changed). */
  testInterchanges: 'refuse' | 'test-mode';
  mapping: PartnerMapping;
  controls: ControlNumbers;
  /** `correlationId`: the file's, when the document came in one. */
  capture: (request: OrderRequest, key: string, correlationId?: string) => Promise<CaptureResult>;
  /** Cancels the order captured for a purchase order number (on the partner's channel). */
  cancel: (poNumber: string, correlationId?: string) => Promise<CancelResult>;
  /** The order captured for a purchase order number (on the partner's channel) and its lines now, if there is one. */
  orderNow: (poNumber: string) => Promise<{ orderId: string; lines: AmendedLine[] } | undefined>;
  /** Amends the order to `lines` (its new complete list); `key` makes a replay of the same document answer the same amendment. */
  amend: (orderId: string, lines: AmendedLine[], key: string, correlationId?: string) => Promise<AmendResult>;
  /** Hub events the partner's documents stand for (945 shipping advice, 846 counts, 856 inbound supply). */
  ingest: (events: HubEvent[]) => Promise<{ accepted: number; rejected: { index: number }[] }>;
  /** The location this partner runs as a 3PL, if any (where its 945s ship from, what its 846s count). */
  location?: string;
  /** When supply of an item is next expected for a channel (the date a backordered 855 line gives), if known. */
  expectedSupply?: (sku: string, channel: string) => string | undefined;
  /** A supplier's receiving location: where the shipments its 856s announce arrive. */
  receivesAt?: string;
  /** Keeps a document that cannot be taken, whole; `unknownReferences` names what it waits for. */
  park: Park;
  /** Keeps a rejection the partner's 997 reported of a document the hub sent (an exception on that document). */
  rejected: (reason: string, errors: Issue[], body: string, correlationId?: string) => void | Promise<void>;
  /** Where the partner's own lines of each order it sends are kept (its 856 and 810 echo them); none: they are not kept. */
  orderLines?: PartnerOrderLines;
  /** The cross-references and units its ids translate through. */
  references: ReferenceLookup;
  log: (level: 'info' | 'warn', msg: string, fields?: object) => void;
  /** A file the poller could not take as it stands (logged and counted by the wiring). */
  fault: (f: FileFault) => void;
  now: () => number;
}
