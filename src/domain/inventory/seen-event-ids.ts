/**
 * The event ids a read model has applied, by source, kept as 96-bit fingerprints in one flat
 * open-addressing table: 12 bytes a slot instead of a JavaScript string and a Set entry (about
 * 100 bytes), and nothing for the garbage collector to trace. An api process must remember every
 * id it has seen so that its duplicate decisions match the workers' inbox; at millions of events
 * the strings were most of its memory and a tenth of its CPU.
 *
 * Two different ids share a fingerprint with probability about n / 2^96 (n ids stored): below
 * 10^-20 for a hundred million events, far below the rate of undetected hardware errors, so the
 * decisions are the inbox's. The workers' inbox itself stays exact (PostgreSQL, by the id).
 */
export class SeenEventIds {
  private a: Uint32Array;
  private b: Uint32Array;
  private c: Uint32Array;
  private mask: number;
  private count = 0;

  constructor(initialSlots = 1024) {
    const slots = 2 ** Math.ceil(Math.log2(Math.max(16, initialSlots)));
    this.a = new Uint32Array(slots);
    this.b = new Uint32Array(slots);
    this.c = new Uint32Array(slots);
    this.mask = slots - 1;
  }

  get size(): number {
    return this.count;
  }

  has(source: string, id: string): boolean {
    fingerprint(source, id);
    return this.find(fa, fb, fc) >= 0;
  }

  /** Records the id; false when it was there already. */
  add(source: string, id: string): boolean {
    fingerprint(source, id);
    if (this.find(fa, fb, fc) >= 0) return false;
    if ((this.count + 1) * 2 > this.a.length) this.grow();
    this.place(fa, fb, fc);
    this.count++;
    return true;
  }

  /** The slot holding the fingerprint, or -1. Slot a = 0 means empty (fingerprints never have it). */
  private find(x: number, y: number, z: number): number {
    const { a, b, c, mask } = this;
    for (let i = x & mask; ; i = (i + 1) & mask) {
      const here = a[i]!;
      if (here === 0) return -1;
      if (here === x && b[i] === y && c[i] === z) return i;
    }
  }

  private place(x: number, y: number, z: number): void {
    const { a, mask } = this;
    let i = x & mask;
    while (a[i] !== 0) i = (i + 1) & mask;
    a[i] = x;
    this.b[i] = y;
    this.c[i] = z;
  }

  private grow(): void {
    const { a, b, c } = this;
    const slots = a.length * 2;
    this.a = new Uint32Array(slots);
    this.b = new Uint32Array(slots);
    this.c = new Uint32Array(slots);
    this.mask = slots - 1;
    for (let i = 0; i < a.length; i++) if (a[i] !== 0) this.place(a[i]!, b[i]!, c[i]!);
  }
}

// The hash state and the last fingerprint (module scope: nothing allocated per event).
let x = 0,
  y = 0,
  z = 0;
let fa = 0,
  fb = 0,
  fc = 0;

function mix(code: number): void {
  x = Math.imul(x ^ code, 0x01000193);
  y = Math.imul(y ^ code, 0x5bd1e995);
  z = Math.imul((z ^ code) + 0x7f4a7c15, 0x27d4eb2d);
}

function mixText(text: string): void {
  for (let i = 0; i < text.length; i++) mix(text.charCodeAt(i));
}

/**
 * Three independent 32-bit hashes of the source, its length (so no split of one string into
 * source and id reads as another) and the id, each finished with murmur3's fmix32.
 */
function fingerprint(source: string, id: string): void {
  x = 0x811c9dc5;
  y = 0x9747b28c;
  z = 0x2f1b3c4d;
  mixText(source);
  mix(0x10000 + source.length);
  mixText(id);
  fa = fmix32(x) || 1;
  fb = fmix32(y);
  fc = fmix32(z);
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
