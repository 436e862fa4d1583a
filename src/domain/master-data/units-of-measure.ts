/**
 * Units of measure: an item counts in its base unit (EA); a case (CA = 12) or a pack (PK = 6)
 * holds a whole number of them, globally or as one partner packs it. Quantities are converted
 * exactly (decimal text, never floating point), and one that is not a whole number of base units
 * is refused, never rounded.
 */

/** How many base units one of each unit holds, e.g. { CA: 12, PK: 6 }. */
export type UnitConversions = Readonly<Record<string, number>>;

export type Converted = { ok: true; units: number } | { ok: false; message: string };

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/** Base units in `quantity` (as written, e.g. "1.5") of `unit`; `factor` is the unit's size in base units. */
export function toBaseUnits(quantity: string, unit: string, factor: number): Converted {
  const m = DECIMAL.exec(quantity.trim());
  if (!m) return { ok: false, message: `quantity '${quantity}' is not a non-negative number` };
  if (!Number.isInteger(factor) || factor < 1) return { ok: false, message: `unit ${unit} holds ${factor} base units, not a positive whole number` };
  const fraction = (m[2] ?? '').replace(/0+$/, '');
  const scale = 10n ** BigInt(fraction.length);
  const scaled = BigInt(m[1]! + fraction) * BigInt(factor);
  if (scaled % scale !== 0n)
    return { ok: false, message: `${quantity} ${unit} is ${quantity} × ${factor} base units, not a whole number; it is refused, not rounded` };
  const units = scaled / scale;
  if (units > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, message: `${quantity} ${unit} is too many units` };
  return { ok: true, units: Number(units) };
}

/** `units` base units written in `unit` of `factor`, or undefined when they are not a whole number of it. */
export function fromBaseUnits(units: number, factor: number): number | undefined {
  return Number.isInteger(units) && factor >= 1 && units % factor === 0 ? units / factor : undefined;
}

/** What a channel selling in a unit of `factor` may offer: whole units only, never more than is there. */
export function wholeUnitsAvailable(available: number, factor: number): number {
  return available <= 0 || factor < 1 ? 0 : Math.floor(available / factor);
}

/** The size of `unit` for an item: the partner's own packing first, then the item's, then 1 for its base unit. */
export function unitFactor(unit: string, base: string, partner: UnitConversions | undefined, item: UnitConversions | undefined): number | undefined {
  return partner?.[unit] ?? item?.[unit] ?? (unit === base ? 1 : undefined);
}

/** The problems of a unit table as given (paths relative to it). */
export function unitConversionIssues(units: Record<string, unknown>, base = 'EA'): { path: string; message: string }[] {
  const issues: { path: string; message: string }[] = [];
  for (const [unit, size] of Object.entries(units)) {
    if (!/^[A-Z0-9]{1,6}$/.test(unit)) issues.push({ path: `/${unit}`, message: 'a unit code is 1 to 6 capital letters or digits (CA, PK, BX)' });
    else if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > 1_000_000)
      issues.push({ path: `/${unit}`, message: 'must be a whole number of base units, 1 to 1,000,000' });
    else if (unit === base && size !== 1) issues.push({ path: `/${unit}`, message: `${base} is the base unit: it holds 1` });
  }
  return issues;
}
