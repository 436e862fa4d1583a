/**
 * Cross-references the embedded store has read, by key: what each resolved to (null: not mapped),
 * at most `limit` keys, the oldest forgotten first. Kept per (kind, system, scheme), then by
 * external id: a document's keys share their first three parts, so a look-up hashes only the
 * partner's id (a key joined into one string cost a microsecond a row, most of a stock file's
 * translation).
 */
import type { CrossReference, XrefKey } from '../../domain/master-data/cross-reference.js';

type Remembered = Readonly<CrossReference> | null;

export class RememberedReferences {
  private readonly groups = new Map<string, Map<string, Remembered>>();
  private size = 0;
  // The group of the last key asked: consecutive keys of one document share it.
  private last: { kind: string; system: string; scheme: string; entries: Map<string, Remembered> } | undefined;

  constructor(private readonly limit: number) {}

  /** What the key resolved to when read (null: not mapped), or undefined when not remembered. */
  get(k: XrefKey): Remembered | undefined {
    return this.group(k, false)?.get(k.external);
  }

  set(k: XrefKey, ref: Remembered): void {
    const entries = this.group(k, true)!;
    if (!entries.has(k.external)) {
      if (this.size >= this.limit) this.forgetOldest();
      this.size++;
    }
    entries.set(k.external, ref === null ? null : Object.freeze({ ...ref }));
  }

  forget(k: XrefKey): void {
    const entries = this.group(k, false);
    if (entries?.delete(k.external)) this.size--;
  }

  private group(k: XrefKey, create: boolean): Map<string, Remembered> | undefined {
    const l = this.last;
    if (l && l.kind === k.kind && l.system === k.system && l.scheme === k.scheme) return l.entries;
    const name = `${k.kind}\u0000${k.system}\u0000${k.scheme}`;
    let entries = this.groups.get(name);
    if (!entries) {
      if (!create) return undefined;
      entries = new Map();
      this.groups.set(name, entries);
    }
    this.last = { kind: k.kind, system: k.system, scheme: k.scheme, entries };
    return entries;
  }

  private forgetOldest(): void {
    for (const entries of this.groups.values()) {
      const oldest = entries.keys().next();
      if (oldest.done) continue;
      entries.delete(oldest.value);
      this.size--;
      return;
    }
  }
}
