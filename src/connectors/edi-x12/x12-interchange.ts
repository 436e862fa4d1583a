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

export interface Transaction {
  set: string;
  control: string;
  segments: string[][];
}
export interface FunctionalGroup {
  gs: string[];
  transactions: Transaction[];
}
export interface Interchange {
  separators: Separators;
  isa: string[];
  groups: FunctionalGroup[];
}

export class X12Error extends Error {
  constructor(
    message: string,
    readonly segment?: number,
  ) {
    super(segment === undefined ? message : `segment ${segment}: ${message}`);
    this.name = 'X12Error';
  }
}

/** Reads an interchange. Throws X12Error naming the segment and what is wrong with the envelope. */
export function readInterchange(text: string): Interchange {
  const start = text.indexOf('ISA');
  if (start < 0) throw new X12Error('no ISA segment: this is not an X12 interchange');
  const body = text.slice(start);
  const element = body[3]!;
  // ISA has 16 elements: after the 16th separator comes ISA16 (the component separator), then the segment terminator.
  let at = 0;
  for (let n = 0; n < 16; n++) {
    at = body.indexOf(element, at + 1);
    if (at < 0) throw new X12Error('the ISA segment has fewer than 16 elements', 1);
  }
  const component = body[at + 1]!;
  let segment = body[at + 2];
  if (segment === undefined) throw new X12Error('the interchange ends inside its ISA segment', 1);
  if (segment === '\r') segment = '\n';
  const separators = { element, component, segment };
  const segments = body
    .split(segment)
    .map((s) => s.replace(/^[\r\n]+|[\r\n]+$/g, ''))
    .filter((s) => s.length > 0)
    .map((s) => s.split(element));

  const isa = segments[0]!;
  const groups: FunctionalGroup[] = [];
  let group: FunctionalGroup | undefined;
  let tx: (Transaction & { first: number }) | undefined;
  let sawIea = false;
  segments.forEach((seg, i) => {
    const id = seg[0];
    const n = i + 1;
    if (sawIea) throw new X12Error(`segment ${id} after IEA`, n);
    switch (id) {
      case 'ISA':
        if (i !== 0) throw new X12Error('a second ISA inside the interchange', n);
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
        if (Number(seg[1]) !== count) throw new X12Error(`SE01 says ${seg[1]} segments but transaction ${tx.control} has ${count}`, n);
        if (seg[2] !== tx.control) throw new X12Error(`SE02 ${seg[2]} does not match ST02 ${tx.control}`, n);
        group.transactions.push({ set: tx.set, control: tx.control, segments: tx.segments });
        tx = undefined;
        break;
      }
      case 'GE':
        if (!group) throw new X12Error('GE without GS', n);
        if (tx) throw new X12Error(`GE inside transaction ${tx.control}`, n);
        if (Number(seg[1]) !== group.transactions.length)
          throw new X12Error(`GE01 says ${seg[1]} transactions but group ${group.gs[6]} has ${group.transactions.length}`, n);
        if (seg[2] !== group.gs[6]) throw new X12Error(`GE02 ${seg[2]} does not match GS06 ${group.gs[6]}`, n);
        groups.push(group);
        group = undefined;
        break;
      case 'IEA':
        if (group) throw new X12Error(`IEA before the GE of group ${group.gs[6]}`, n);
        if (Number(seg[1]) !== groups.length) throw new X12Error(`IEA01 says ${seg[1]} groups but the interchange has ${groups.length}`, n);
        if (Number(seg[2]) !== Number(isa[13])) throw new X12Error(`IEA02 ${seg[2]} does not match ISA13 ${isa[13]}`, n);
        sawIea = true;
        break;
      default:
        if (!tx) throw new X12Error(`segment ${id} outside a transaction`, n);
        tx.segments.push(seg);
    }
  });
  if (!sawIea) throw new X12Error('the interchange has no IEA trailer');
  return { separators, isa, groups };
}

export interface Party {
  qualifier: string;
  id: string;
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
  groups: OutgoingGroup[];
}

/** Writes an interchange: ISA padded to its fixed widths, every trailer counted. */
export function writeInterchange(o: OutgoingInterchange): string {
  const sep = o.separators ?? { element: '*', component: '>', segment: '~' };
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
  for (const g of o.groups) {
    lines.push(['GS', g.functionalId, o.sender.id, o.receiver.id, ccyymmdd, hhmm, String(g.control), 'X', o.version ?? '004010']);
    for (const t of g.transactions) {
      const control = String(t.control).padStart(4, '0');
      lines.push(['ST', t.set, control], ...t.segments, ['SE', String(t.segments.length + 2), control]);
    }
    lines.push(['GE', String(g.transactions.length), String(g.control)]);
  }
  lines.push(['IEA', String(o.groups.length), isaControl]);
  return lines.map((l) => `${l.join(sep.element)}${sep.segment}\n`).join('');
}
