/**
 * ASC X12 interchanges: reading one (separators taken from its ISA segment, whatever they are;
 * envelope counts and control numbers checked) and writing one (fixed-width ISA, GS/ST envelopes
 * with their trailers counted). Transaction sets are mapped elsewhere; this file knows only the
 * envelopes.
 */
export interface Separators {
  element: string;
  component: string;
  segment: string;
}

/**
 * A trailer that does not add up inside a group or set: only that set or group is rejected (the
 * 997's AK502 or AK905 code), the rest of the interchange is read and taken.
 */
export interface EnvelopeFault {
  /** AK502 for a set (3 SE02 ≠ ST02, 4 SE01 count), AK905 for a group (4 GE02 ≠ GS06, 5 GE01 count). */
  code: string;
  message: string;
}

export interface Transaction {
  set: string;
  control: string;
  segments: string[][];
  /** Set when its SE trailer does not match: the set is rejected, not read. */
  envelopeError?: EnvelopeFault;
}
export interface FunctionalGroup {
  gs: string[];
  transactions: Transaction[];
  /** Set when its GE trailer does not match: the whole group is rejected, none of its sets taken. */
  envelopeError?: EnvelopeFault;
}
export interface Interchange {
  separators: Separators;
  isa: string[];
  /** Interchange acknowledgments (TA1) before the first group. */
  ta1: string[][];
  groups: FunctionalGroup[];
}

/**
 * An envelope the hub cannot read. `note` is the TA1 note code (TA105) that names the fault to
 * the sender: 001 ISA13/IEA02 differ, 021 wrong IEA01 count, 023 premature end, 024 invalid
 * interchange content (segments out of their envelopes), 022 invalid control structure. A
 * trailer that does not add up inside a group or set is not one of these (EnvelopeFault).
 */
export class X12Error extends Error {
  constructor(
    message: string,
    readonly segment?: number,
    readonly note = '024',
  ) {
    super(segment === undefined ? message : `segment ${segment}: ${message}`);
    this.name = 'X12Error';
  }
}

/**
 * A value that cannot be written into an X12 document: it carries one of the document's
 * delimiters or a control character. X12 has no escape, so the document is refused whole rather
 * than written with segments (or a segment count) nobody sent.
 */
export class X12ValueError extends X12Error {
  constructor(
    /** The transaction set (846, 856, ...) or envelope segment the value was meant for. */
    readonly document: string,
    /** Where in it: the segment id and element position, such as LIN03. */
    readonly element: string,
    readonly value: string,
    readonly character: string,
  ) {
    super(
      `${document} not written: ${element} would carry ${describe(character)} (${JSON.stringify(value.slice(0, 80))}), which X12 reserves as a delimiter or control character and cannot escape; correct the value at its source`,
    );
    this.name = 'X12ValueError';
  }
}

const describe = (c: string) => `'${c.length === 1 && c.charCodeAt(0) >= 32 ? c : ''}' U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;

/** The delimiters the hub writes with; `^` is the repetition separator of 5010 partners, refused too. */
export const DEFAULT_SEPARATORS: Separators = { element: '*', component: '>', segment: '~' };

/** The first character of `value` a document written with `sep` cannot hold, or undefined. */
function unwritable(value: string, sep: Separators): string | undefined {
  for (const ch of value) {
    const c = ch.charCodeAt(0);
    if (c < 32 || c === 127 || (c >= 0x80 && c <= 0x9f) || c === 0x2028 || c === 0x2029) return ch;
    if (ch === sep.element || ch === sep.component || ch === sep.segment || ch === '^') return ch;
  }
  return undefined;
}

/**
 * Checks every element of a transaction's segments before anything is numbered or written.
 * Throws X12ValueError naming the set, the element and the character.
 */
export function checkSegments(document: string, segments: string[][], sep: Separators = DEFAULT_SEPARATORS): void {
  for (const seg of segments) {
    const id = seg[0] ?? '';
    if (!/^[A-Z0-9]{2,3}$/.test(id)) throw new X12ValueError(document, `segment id ${JSON.stringify(id)}`, id, id.charAt(0) || ' ');
    seg.forEach((value, i) => {
      const bad = i === 0 ? undefined : unwritable(value, sep);
      if (bad !== undefined) throw new X12ValueError(document, `${id}${String(i).padStart(2, '0')}`, value, bad);
    });
  }
}

/** The separators an ISA segment at the start of `body` declares. Throws X12Error. */
function separatorsOf(body: string): Separators {
  const element = body[3]!;
  // ISA has 16 elements: after the 16th separator comes ISA16 (the component separator), then the segment terminator.
  let at = 0;
  for (let n = 0; n < 16; n++) {
    at = body.indexOf(element, at + 1);
    if (at < 0) throw new X12Error('the ISA segment has fewer than 16 elements', 1, '022');
  }
  const component = body[at + 1]!;
  let segment = body[at + 2];
  if (segment === undefined) throw new X12Error('the interchange ends inside its ISA segment', 1, '023');
  if (segment === '\r') segment = '\n';
  return { element, component, segment };
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Splits a file into its interchanges (X12 allows several ISA…IEA one after the other), each
 * read on its own with its own separators. An interchange without its IEA runs to the end of the
 * file (reading it then says so). Throws X12Error when there is no ISA at all.
 */
export function splitInterchanges(text: string): string[] {
  const out: string[] = [];
  let rest = text;
  for (;;) {
    const start = rest.indexOf('ISA');
    if (start < 0) break;
    const body = rest.slice(start);
    let sep: Separators;
    try {
      sep = separatorsOf(body);
    } catch {
      out.push(body);
      break;
    }
    const iea = new RegExp(`${escapeRegExp(sep.segment)}[\\r\\n]*IEA${escapeRegExp(sep.element)}`).exec(body);
    if (!iea) {
      out.push(body);
      break;
    }
    const end = body.indexOf(sep.segment, iea.index + iea[0].length);
    const stop = end < 0 ? body.length : end + 1;
    out.push(body.slice(0, stop));
    rest = body.slice(stop);
  }
  if (out.length === 0) throw new X12Error('no ISA segment: this is not an X12 interchange', undefined, '022');
  return out;
}

/** Reads an interchange. Throws X12Error naming the segment and what is wrong with the envelope. */
export function readInterchange(text: string): Interchange {
  const start = text.indexOf('ISA');
  if (start < 0) throw new X12Error('no ISA segment: this is not an X12 interchange', undefined, '022');
  const body = text.slice(start);
  const separators = separatorsOf(body);
  const { element, segment } = separators;
  const segments = body
    .split(segment)
    .map((s) => s.replace(/^[\r\n]+|[\r\n]+$/g, ''))
    .filter((s) => s.length > 0)
    .map((s) => s.split(element));

  const isa = segments[0]!;
  const ta1: string[][] = [];
  const groups: FunctionalGroup[] = [];
  let group: FunctionalGroup | undefined;
  let tx: (Transaction & { first: number }) | undefined;
  let sawIea = false;
  segments.forEach((seg, i) => {
    const id = seg[0];
    const n = i + 1;
    if (sawIea) throw new X12Error(`segment ${id} after IEA`, n, '022');
    switch (id) {
      case 'ISA':
        if (i !== 0) throw new X12Error('a second ISA inside the interchange', n, '022');
        break;
      case 'TA1':
        if (group || groups.length > 0) throw new X12Error('TA1 after a functional group', n, '022');
        ta1.push(seg);
        break;
      case 'GS':
        if (group) throw new X12Error(`GS before the GE of group ${group.gs[6]}`, n);
        group = { gs: seg, transactions: [] };
        break;
      case 'ST':
        if (!group) throw new X12Error('ST outside a functional group', n);
        if (tx) throw new X12Error(`ST before the SE of transaction ${tx.control}`, n);
        tx = { set: seg[1] ?? '', control: seg[2] ?? '', segments: [], first: i };
        break;
      case 'SE': {
        if (!tx || !group) throw new X12Error('SE without ST', n);
        const count = i - tx.first + 1;
        // A set's own trailer that does not add up rejects that set only (AK5 R 4 or 3).
        const fault =
          Number(seg[1]) !== count
            ? { code: '4', message: `segment ${n}: SE01 says ${seg[1]} segments but transaction ${tx.control} has ${count}` }
            : seg[2] !== tx.control
              ? { code: '3', message: `segment ${n}: SE02 ${seg[2]} does not match ST02 ${tx.control}` }
              : undefined;
        group.transactions.push({ set: tx.set, control: tx.control, segments: tx.segments, ...(fault ? { envelopeError: fault } : {}) });
        tx = undefined;
        break;
      }
      case 'GE':
        if (!group) throw new X12Error('GE without GS', n);
        if (tx) throw new X12Error(`GE inside transaction ${tx.control}`, n);
        // A group's trailer that does not add up rejects that group only (AK9 R with AK905 5 or 4).
        if (Number(seg[1]) !== group.transactions.length)
          group.envelopeError = {
            code: '5',
            message: `segment ${n}: GE01 says ${seg[1]} transactions but group ${group.gs[6]} has ${group.transactions.length}`,
          };
        else if (seg[2] !== group.gs[6]) group.envelopeError = { code: '4', message: `segment ${n}: GE02 ${seg[2]} does not match GS06 ${group.gs[6]}` };
        groups.push(group);
        group = undefined;
        break;
      case 'IEA':
        if (group) throw new X12Error(`IEA before the GE of group ${group.gs[6]}`, n, '023');
        if (Number(seg[1]) !== groups.length) throw new X12Error(`IEA01 says ${seg[1]} groups but the interchange has ${groups.length}`, n, '021');
        if (Number(seg[2]) !== Number(isa[13])) throw new X12Error(`IEA02 ${seg[2]} does not match ISA13 ${isa[13]}`, n, '001');
        sawIea = true;
        break;
      default:
        if (!tx) throw new X12Error(`segment ${id} outside a transaction`, n);
        tx.segments.push(seg);
    }
  });
  if (!sawIea) throw new X12Error('the interchange has no IEA trailer', undefined, '023');
  return { separators, isa, ta1, groups };
}

export interface Party {
  qualifier: string;
  id: string;
  /** The GS application code (GS02/GS03), when it is not the ISA id. */
  applicationId?: string;
}

export interface OutgoingGroup {
  functionalId: string;
  control: number;
  transactions: { set: string; control: number; segments: string[][] }[];
}

export interface OutgoingInterchange {
  sender: Party;
  receiver: Party;
  control: number;
  at: Date;
  usage: 'P' | 'T';
  version?: string;
  separators?: Separators;
  /** Interchange acknowledgments (TA1) to carry before the groups. */
  ta1?: string[][];
  groups: OutgoingGroup[];
}

/** Writes an interchange: ISA padded to its fixed widths, every trailer counted. */
export function writeInterchange(o: OutgoingInterchange): string {
  const sep = o.separators ?? DEFAULT_SEPARATORS;
  const yymmdd = o.at.toISOString().slice(2, 10).replace(/-/g, '');
  const ccyymmdd = o.at.toISOString().slice(0, 10).replace(/-/g, '');
  const hhmm = o.at.toISOString().slice(11, 16).replace(':', '');
  const pad = (s: string, n: number) => s.slice(0, n).padEnd(n, ' ');
  const isaControl = String(o.control).padStart(9, '0');
  const lines: string[][] = [
    [
      'ISA',
      '00',
      pad('', 10),
      '00',
      pad('', 10),
      pad(o.sender.qualifier, 2),
      pad(o.sender.id, 15),
      pad(o.receiver.qualifier, 2),
      pad(o.receiver.id, 15),
      yymmdd,
      hhmm,
      'U',
      '00401',
      isaControl,
      '0',
      o.usage,
      sep.component,
    ],
  ];
  for (const t of o.ta1 ?? []) lines.push(t);
  for (const g of o.groups) {
    lines.push([
      'GS',
      g.functionalId,
      o.sender.applicationId ?? o.sender.id,
      o.receiver.applicationId ?? o.receiver.id,
      ccyymmdd,
      hhmm,
      String(g.control),
      'X',
      o.version ?? '004010',
    ]);
    for (const t of g.transactions) {
      const control = String(t.control).padStart(4, '0');
      lines.push(['ST', t.set, control], ...t.segments, ['SE', String(t.segments.length + 2), control]);
    }
    lines.push(['GE', String(g.transactions.length), String(g.control)]);
  }
  // IEA01 counts functional groups only: an interchange carrying only a TA1 says 0.
  lines.push(['IEA', String(o.groups.length), isaControl]);
  // Every value is checked, the envelope's too (ISA16 is the component separator itself): one
  // stray delimiter would add segments nobody sent.
  checkSegments('interchange envelope', [lines[0]!.slice(0, 16)], sep);
  for (const l of lines) if (l[0] === 'GS' || l[0] === 'TA1') checkSegments('functional group envelope', [l], sep);
  for (const g of o.groups) for (const t of g.transactions) checkSegments(t.set, t.segments, sep);
  return lines.map((l) => `${l.join(sep.element)}${sep.segment}\n`).join('');
}
