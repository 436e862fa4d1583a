/** Durable, increasing control numbers per trading partner (ISA13, GS06, ST02): never reused, even after a restart. */
export interface ControlNumbers {
  next(partner: string, kind: 'interchange' | 'group' | 'transaction'): number;
}
