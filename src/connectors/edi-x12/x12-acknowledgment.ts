/**
 * What the hub answers about the envelopes and transaction sets it received: the 997 functional
 * acknowledgment (one per group: each set accepted, accepted with errors noted, or rejected, with
 * the segment and element in error) and the TA1 interchange acknowledgment (the envelope itself,
 * sent when the sender asks for one in ISA14).
 */

/** An element in error (AK4): its position in the segment, its data element number, the X12 code. */
export interface ElementError {
  position: number;
  /** The data element reference number (330 quantity ordered, 324 PO number, ...), when known. */
  reference?: string;
  /** AK403: 1 mandatory element missing, 2 conditional element missing, 6 invalid character, 7 invalid code value, 8 invalid date. */
  code: string;
  /** The value as received (AK404), when there was one. */
  value?: string;
  /** In words, for the parked reason and the log. */
  message: string;
}

/** A segment in error (AK3): its id, its position in the set (ST is 1), the X12 code, its elements in error. */
export interface SegmentError {
  segment: string;
  position: number;
  /** AK304: 3 mandatory segment missing, 8 segment has data element errors. */
  code: string;
  elements: ElementError[];
  message?: string;
}

/**
 * One transaction set's outcome. A: the hub took it. E: accepted with errors noted (the hub holds
 * it whole and takes it once what it waits for is there). R: rejected, with `note` the AK502 code
 * (1 transaction set not supported, 5 one or more segments in error).
 */
export interface SetOutcome {
  set: string;
  control: string;
  status: 'A' | 'E' | 'R';
  note?: string;
  errors: SegmentError[];
}

/** 997 segments (between ST and SE) acknowledging one received group, transaction by transaction. */
export function acknowledgment997(gs: string[], outcomes: readonly SetOutcome[], groupError?: { code: string; sets: number }): string[][] {
  const out: string[][] = [['AK1', gs[1] ?? '', gs[6] ?? '']];
  // A group whose GE does not add up is rejected whole: AK9 R with the AK905 code, no set taken.
  if (groupError) return [...out, ['AK9', 'R', String(groupError.sets), String(groupError.sets), '0', groupError.code]];
  for (const o of outcomes) {
    out.push(['AK2', o.set, o.control]);
    for (const s of o.errors) {
      out.push(['AK3', s.segment, String(s.position), '', s.code]);
      for (const e of s.elements) out.push(trimmed(['AK4', String(e.position), e.reference ?? '', e.code, (e.value ?? '').slice(0, 99)]));
    }
    out.push(trimmed(['AK5', o.status, ...(o.status === 'A' ? [] : [o.note ?? '5'])]));
  }
  const accepted = outcomes.filter((o) => o.status !== 'R').length;
  const noted = outcomes.some((o) => o.status === 'E');
  const status = accepted === 0 && outcomes.length > 0 ? 'R' : accepted < outcomes.length ? 'P' : noted ? 'E' : 'A';
  out.push(['AK9', status, String(outcomes.length), String(outcomes.length), String(accepted)]);
  return out;
}

/** Trailing empty elements are not written (AK4 without a bad value, AK5 A). */
function trimmed(seg: string[]): string[] {
  let n = seg.length;
  while (n > 1 && seg[n - 1] === '') n--;
  return seg.slice(0, n);
}

/**
 * A TA1 answering interchange `isa`: A 000 when it was taken, R with the note code (TA105) of
 * what is wrong with its envelope (025 duplicate control number, 006 sender, 008 receiver, 020
 * test indicator, 024 content, ...).
 */
export function ta1(isa: readonly string[], status: 'A' | 'E' | 'R', note: string): string[] {
  return ['TA1', (isa[13] ?? '').trim(), (isa[9] ?? '').trim(), (isa[10] ?? '').trim(), status, note];
}
