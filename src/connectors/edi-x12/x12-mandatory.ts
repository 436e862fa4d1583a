/**
 * The mandatory segments and elements of the transaction sets the hub takes (X12 004010), checked
 * before a set is mapped, so that the 997 names what is missing or malformed with X12's own codes
 * (AK3 segment, AK4 element) instead of the hub guessing later.
 */
import type { Transaction } from './x12-interchange.js';
import type { ElementError, SegmentError } from './x12-acknowledgment.js';

type Kind = 'id' | 'date' | 'number' | 'text';
/** [position, data element number, kind, mandatory] */
type Rule = [number, string, Kind, boolean];

interface SetRules {
  /** Segments the set must carry at least once. */
  required: string[];
  elements: Record<string, Rule[]>;
}

export const RULES: Record<string, SetRules> = {
  '850': {
    required: ['BEG', 'PO1'],
    elements: {
      BEG: [
        [1, '353', 'id', true],
        [2, '92', 'id', true],
        [3, '324', 'text', true],
        [5, '373', 'date', true],
      ],
      PO1: [
        [2, '330', 'number', true],
        [4, '212', 'number', false],
      ],
    },
  },
  '860': {
    required: ['BCH'],
    elements: {
      BCH: [
        [1, '353', 'id', true],
        [2, '92', 'id', true],
        [3, '324', 'text', true],
        [6, '373', 'date', true],
      ],
      POC: [
        [2, '670', 'id', true],
        [3, '380', 'number', false],
        [4, '380', 'number', false],
      ],
    },
  },
  '856': {
    required: ['BSN', 'HL'],
    elements: {
      BSN: [
        [1, '353', 'id', true],
        [2, '396', 'text', true],
        [3, '373', 'date', true],
        [4, '337', 'number', true],
      ],
      HL: [
        [1, '628', 'text', true],
        [3, '735', 'id', true],
      ],
      LIN: [
        [2, '235', 'id', true],
        [3, '234', 'text', true],
      ],
      SN1: [
        [2, '382', 'number', true],
        [3, '355', 'id', true],
      ],
      DTM: [
        [1, '374', 'id', true],
        [2, '373', 'date', false],
      ],
    },
  },
  '846': {
    required: ['BIA', 'LIN'],
    elements: {
      BIA: [
        [1, '353', 'id', true],
        [2, '755', 'id', true],
        [3, '127', 'text', true],
        [4, '373', 'date', true],
      ],
      LIN: [
        [2, '235', 'id', true],
        [3, '234', 'text', true],
      ],
      QTY: [
        [1, '673', 'id', true],
        [2, '380', 'number', true],
      ],
    },
  },
  '945': {
    required: ['W06', 'W12'],
    elements: {
      W06: [[1, '353', 'id', true]],
      W12: [
        [1, '368', 'id', true],
        [3, '382', 'number', false],
      ],
    },
  },
  '997': {
    required: ['AK1', 'AK9'],
    elements: {
      AK1: [
        [1, '479', 'id', true],
        [2, '28', 'number', true],
      ],
      AK2: [
        [1, '143', 'id', true],
        [2, '329', 'text', true],
      ],
      AK5: [[1, '717', 'id', true]],
      AK9: [
        [1, '715', 'id', true],
        [2, '97', 'number', true],
        [3, '123', 'number', true],
        [4, '2', 'number', true],
      ],
    },
  },
};

/** The sets the hub takes from partners. */
export const SETS_TAKEN = Object.keys(RULES);

const NUMBER = /^-?(\d+(\.\d*)?|\.\d+)$/;

function dateProblem(v: string): boolean {
  if (!/^\d{8}$/.test(v) && !/^\d{6}$/.test(v)) return true;
  const d = v.length === 8 ? v : `20${v}`;
  const [y, m, day] = [Number(d.slice(0, 4)), Number(d.slice(4, 6)), Number(d.slice(6, 8))];
  const t = new Date(Date.UTC(y, m - 1, day));
  return t.getUTCMonth() !== m - 1 || t.getUTCDate() !== day;
}

/** What is wrong with a set's mandatory segments and elements, as AK3/AK4 would say it; [] when nothing is. */
export function mandatoryErrors(tx: Transaction): SegmentError[] {
  const rules = RULES[tx.set];
  if (!rules) return [];
  const out: SegmentError[] = [];
  for (const id of rules.required)
    if (!tx.segments.some((s) => s[0] === id))
      out.push({ segment: id, position: tx.segments.length + 2, code: '3', elements: [], message: `mandatory segment ${id} is missing` });
  tx.segments.forEach((seg, i) => {
    const elementRules = rules.elements[seg[0]!];
    if (!elementRules) return;
    const elements: ElementError[] = [];
    for (const [position, reference, kind, mandatory] of elementRules) {
      const value = (seg[position] ?? '').trim();
      const name = `${seg[0]}${String(position).padStart(2, '0')}`;
      if (value === '') {
        if (mandatory) elements.push({ position, reference, code: '1', message: `${name} (element ${reference}) is mandatory and missing` });
      } else if (kind === 'id' && !/^[A-Z0-9]{1,3}$/.test(value))
        elements.push({ position, reference, code: '7', value, message: `${name} '${value}' is not a code value` });
      else if (kind === 'date' && dateProblem(value))
        elements.push({ position, reference, code: '8', value, message: `${name} '${value}' is not a date (CCYYMMDD)` });
      else if (kind === 'number' && !NUMBER.test(value))
        elements.push({ position, reference, code: '6', value, message: `${name} '${value}' is not a number` });
    }
    if (elements.length > 0) out.push({ segment: seg[0]!, position: i + 2, code: '8', elements });
  });
  return out;
}

/** The errors in words, one issue per element, for the parked reason. */
export function describeErrors(errors: readonly SegmentError[]): { path: string; message: string }[] {
  return errors.flatMap((s) =>
    s.elements.length === 0
      ? [{ path: `${s.segment} (segment ${s.position})`, message: s.message ?? `segment error ${s.code}` }]
      : s.elements.map((e) => ({ path: `${s.segment} (segment ${s.position})/${s.segment}${String(e.position).padStart(2, '0')}`, message: e.message })),
  );
}
