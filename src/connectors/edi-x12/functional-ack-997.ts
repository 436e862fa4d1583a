/**
 * A partner's 997 read: which group of the hub's it answers (AK1), and for each set (AK2) whether
 * it was accepted (AK5) and the segments and elements it found in error (AK3/AK4). A rejection is
 * matched to what the hub sent under that group and transaction number.
 */
import type { Issue } from '../../domain/errors.js';
import type { SentTransaction } from '../../ports/control-numbers.js';
import type { Transaction } from './x12-interchange.js';

export interface SetAnswer {
  set: string;
  control: string;
  status: string;
  notes: string[];
  details: Issue[];
}

export interface Acknowledgment997 {
  functionalId: string;
  group: string;
  sets: SetAnswer[];
  /** AK9: the group's status (A, E, P, R) and its notes. */
  groupStatus: string;
  groupNotes: string[];
}

/** X12 AK502 codes, in words. */
const AK5_CODES: Record<string, string> = {
  '1': 'transaction set not supported',
  '2': 'transaction set trailer missing',
  '3': 'control numbers in header and trailer do not match',
  '4': 'number of included segments does not match actual count',
  '5': 'one or more segments in error',
  '6': 'missing or invalid transaction set identifier',
  '7': 'missing or invalid transaction set control number',
};

export function readAcknowledgment997(tx: Transaction): Acknowledgment997 {
  const ak1 = tx.segments.find((s) => s[0] === 'AK1')!;
  const ak9 = tx.segments.find((s) => s[0] === 'AK9')!;
  const sets: SetAnswer[] = [];
  let current: SetAnswer | undefined;
  let segment = '';
  for (const s of tx.segments) {
    if (s[0] === 'AK2') sets.push((current = { set: s[1] ?? '', control: (s[2] ?? '').trim(), status: 'A', notes: [], details: [] }));
    else if (s[0] === 'AK3' && current) {
      segment = `${s[1]} (segment ${s[2]})`;
      current.details.push({ path: segment, message: `segment error ${s[4] ?? ''}`.trim() });
    } else if (s[0] === 'AK4' && current)
      current.details.push({ path: `${segment}/element ${s[1]}`, message: `element error ${s[3] ?? ''}${s[4] ? ` (value '${s[4]}')` : ''}` });
    else if (s[0] === 'AK5' && current) {
      current.status = s[1] ?? 'A';
      current.notes = s.slice(2).filter((x) => x !== '');
    }
  }
  return { functionalId: ak1[1] ?? '', group: (ak1[2] ?? '').trim(), sets, groupStatus: ak9[1] ?? 'A', groupNotes: ak9.slice(5).filter((x) => x !== '') };
}

export interface Rejection {
  set: string;
  control: string;
  why: string;
  details: Issue[];
  /** What the hub sent under that number, when it has a record of it. */
  sent?: SentTransaction;
}

/**
 * Every set of the hub's the 997 rejected: each AK2 with AK5 R, or, when the whole group was
 * rejected (AK9 R) without naming its sets, every set the hub sent in that group.
 */
export function rejectionsIn(ack: Acknowledgment997, sent: readonly SentTransaction[]): Rejection[] {
  const find = (control: string) => sent.find((t) => t.transaction === Number(control));
  const words = (notes: string[]) => notes.map((n) => `${n} ${AK5_CODES[n] ?? ''}`.trim()).join(', ');
  const named = ack.sets
    .filter((s) => s.status === 'R')
    .map((s) => {
      const hit = find(s.control);
      return {
        set: s.set,
        control: s.control,
        why: `AK5 R${s.notes.length > 0 ? ` (${words(s.notes)})` : ''}${s.details.length > 0 ? `; ${s.details.map((d) => `${d.path}: ${d.message}`).join('; ')}` : ''}`,
        details: s.details,
        ...(hit ? { sent: hit } : {}),
      };
    });
  if (named.length > 0 || ack.groupStatus !== 'R' || ack.sets.length > 0) return named;
  return sent.map((t) => ({
    set: t.set,
    control: String(t.transaction),
    why: `the whole group rejected (AK9 R${ack.groupNotes.length > 0 ? ` ${ack.groupNotes.join(', ')}` : ''})`,
    details: [],
    sent: t,
  }));
}
