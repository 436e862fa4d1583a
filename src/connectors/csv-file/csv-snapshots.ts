/**
 * A 3PL's stock file (CSV or TSV, one row per item) turned into inventory snapshots of one
 * location. Columns are named in the configuration; a unit factor converts the file's units to
 * the hub's (cases of 12 → each). Header names match whatever their case, quotes and surrounding
 * spaces. Each row is taken, skipped (a blank quantity is not zero: nothing is known of that item,
 * so its figure is left as it was) or refused (a value that is wrong), with its line and reason;
 * the other rows still count.
 */
import { isIdentifier } from '../../model/formats.js';
import { toBaseUnits } from '../../domain/master-data/units-of-measure.js';
import { parse } from 'csv-parse/sync';
import type { InventorySnapshot } from '../../model/inventory-event.js';

export interface CsvSnapshotSettings {
  source: string;
  location: string;
  delimiter: string;
  /** Column name per bucket; onHand is required, the others optional. */
  columns: { sku: string; onHand: string; qualityHold?: string; damaged?: string };
  /** Hub units per file unit. */
  unitFactor: number;
}

/** skipped: the row says nothing to take (blank quantity or item, a repeat); refused: it says something wrong. */
export type RowOutcome = 'skipped' | 'refused';

export interface RowNotTaken {
  line: number;
  sku?: string;
  outcome: RowOutcome;
  message: string;
}

export interface CsvSnapshotResult {
  snapshots: InventorySnapshot[];
  /** The line each snapshot came from, by index. */
  lines: number[];
  rejected: RowNotTaken[];
}

/** A header as compared: 3PL exports quote them, pad them and change their case between versions. */
export const headerKey = (h: string): string => h.replace(/"/g, '').trim().toLowerCase();

/** A cell without its surrounding spaces and one pair of enclosing double quotes ("12" → 12). */
const cellValue = (raw: string | undefined): string => {
  const t = (raw ?? '').trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).replace(/""/g, '"').trim() : t;
};

/** Throws Error naming the missing column when the header lacks one the settings need. */
export function snapshotsFromCsv(
  text: string,
  s: CsvSnapshotSettings,
  file: { name: string; digest: string; occurredAt: string; firstSeq: number },
): CsvSnapshotResult {
  const rows = readRows(text, s.delimiter);
  const header = (rows[0]?.cells ?? []).map((h) => h.trim());
  const keys = header.map(headerKey);
  const index = (name: string) => keys.indexOf(headerKey(name));
  const wanted = {
    sku: s.columns.sku,
    onHand: s.columns.onHand,
    ...(s.columns.qualityHold ? { qualityHold: s.columns.qualityHold } : {}),
    ...(s.columns.damaged ? { damaged: s.columns.damaged } : {}),
  };
  for (const [field, column] of Object.entries(wanted)) {
    if (index(column) < 0) throw new Error(`the header has no column '${column}' (configured for ${field}); it has: ${header.join(', ')}`);
    // Which of two columns of one name holds the count cannot be told; the first might be an old one.
    if (keys.lastIndexOf(headerKey(column)) !== index(column))
      throw new Error(
        `the header has the column '${column}' (configured for ${field}) more than once, at fields ${index(column) + 1} and ${keys.lastIndexOf(headerKey(column)) + 1}`,
      );
  }
  const snapshots: InventorySnapshot[] = [];
  const lines: number[] = [];
  const rejected: CsvSnapshotResult['rejected'] = [];
  const seen = new Set<string>();
  for (let r = 1; r < rows.length; r++) {
    const { line } = rows[r]!;
    const row = lineUp(rows[r]!, header.length, s.delimiter);
    if (typeof row === 'string') {
      rejected.push({ line, outcome: 'refused', message: row });
      continue;
    }
    const sku = cellValue(row[index(s.columns.sku)]);
    if (sku === '') {
      rejected.push({ line, outcome: 'skipped', message: `${s.columns.sku}: blank` });
      continue;
    }
    // A row cut short (a line break inside a quoted field, a truncated export) has no value there, not a blank one.
    const missing = Object.values(wanted).filter((column) => index(column) >= row.length);
    if (missing.length > 0) {
      rejected.push({
        line,
        sku,
        outcome: 'refused',
        message: `the row has ${row.length} ${row.length === 1 ? 'field' : 'fields'} where the header has ${header.length}: no ${missing.join(', ')}`,
      });
      continue;
    }
    if (seen.has(sku)) {
      rejected.push({ line, sku, outcome: 'skipped', message: `${s.columns.sku}: ${sku} appears on an earlier line; the first one counts` });
      continue;
    }
    // Named here with its line, rather than by the event validation that would refuse it later.
    if (!isIdentifier(sku) || sku.length > 200) {
      rejected.push({
        line,
        outcome: 'refused',
        message: `${s.columns.sku}: ${JSON.stringify(sku)} is not an item id (at most 200 characters of well-formed Unicode without U+0000)`,
      });
      continue;
    }
    // A blank is not a zero: a 3PL leaves a count out when it has none to give, and zero would empty the item.
    const blank = [s.columns.onHand, s.columns.qualityHold, s.columns.damaged].filter((c): c is string => c !== undefined && cellValue(row[index(c)]) === '');
    if (blank.length > 0) {
      rejected.push({ line, sku, outcome: 'skipped', message: `${blank.join(', ')}: blank; a blank quantity is not zero, so the row is skipped` });
      continue;
    }
    const qty = (column: string | undefined): number | string | undefined => {
      if (column === undefined) return undefined;
      const raw = cellValue(row[index(column)]);
      if (!/^\d+(\.\d+)?$/.test(raw)) return `${column}: '${raw}' is not a non-negative number`;
      // A whole factor converts exactly, in decimal: 0.1 of a case of 30 is 3 units, where 0.1 × 30 in floating point is not.
      if (Number.isInteger(s.unitFactor)) {
        const converted = toBaseUnits(raw, 'file units', s.unitFactor);
        return converted.ok ? converted.units : `${column}: ${raw} × ${s.unitFactor} is not a whole number of units`;
      }
      const units = Number(raw) * s.unitFactor;
      return Number.isInteger(units) ? units : `${column}: ${raw} × ${s.unitFactor} is not a whole number of units`;
    };
    const onHand = qty(s.columns.onHand),
      qualityHold = qty(s.columns.qualityHold),
      damaged = qty(s.columns.damaged);
    const problem = [onHand, qualityHold, damaged].find((v) => typeof v === 'string');
    if (problem !== undefined) {
      rejected.push({ line, sku, outcome: 'refused', message: problem as string });
      continue;
    }
    seen.add(sku);
    lines.push(line);
    snapshots.push({
      id: `${s.source}:${file.name}:${file.digest}:${line}`,
      type: 'inventory.snapshot',
      source: s.source,
      seq: file.firstSeq + r,
      occurredAt: file.occurredAt,
      sku,
      location: s.location,
      balance: {
        onHand: onHand as number,
        ...(qualityHold !== undefined ? { qualityHold: qualityHold as number } : {}),
        ...(damaged !== undefined ? { damaged: damaged as number } : {}),
      },
    });
  }
  return { snapshots, lines, rejected };
}

interface FileRow {
  /** The row's line in the file, counting blank lines. */
  line: number;
  raw: string;
  cells: string[];
}

/**
 * The file's rows, each with its line. Quotes are not special here: 3PL exports put stray " in
 * product names and item codes (an Amazon inventory report has a code opening with one), which a
 * CSV reader would take as the start of a field running on to the next quote. Without quoting a
 * row is its line split at the delimiter; lines may end in CRLF, LF or CR, mixed within a file.
 */
function readRows(text: string, delimiter: string): FileRow[] {
  const rows: FileRow[] = [];
  text
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\n|\r/)
    .forEach((raw, i) => {
      if (raw !== '') rows.push({ line: i + 1, raw, cells: raw.split(delimiter) });
    });
  return rows;
}

/**
 * A row's cells under the header's columns, or why they cannot be told. A row with more fields
 * than the header usually quotes a field holding the delimiter ("Bolt, 10 mm"); read again with
 * CSV quoting it lines up. One that still does not is refused: reading its cells by position
 * would take another column's value for the quantity.
 */
function lineUp(row: FileRow, width: number, delimiter: string): string[] | string {
  if (row.cells.length <= width) return row.cells;
  // Fields past the header's are allowed only empty: a trailing delimiter, or several.
  const fit = (cells: string[] | undefined) => (cells?.slice(width).every((c) => c.trim() === '') ? cells.slice(0, width) : undefined);
  const quoted = row.raw.includes('"') ? fit(quotedCells(row.raw, delimiter)) : undefined;
  return (
    quoted ??
    fit(row.cells) ??
    `the row has ${row.cells.length} fields where the header has ${width}; a field holding the delimiter (${delimiterName(delimiter)}) must be quoted whole`
  );
}

function quotedCells(raw: string, delimiter: string): string[] | undefined {
  try {
    const [cells] = parse(raw, { delimiter, relax_quotes: true, relax_column_count: true, bom: true }) as string[][];
    return cells;
  } catch {
    return undefined;
  }
}

const delimiterName = (d: string): string => (d === '\t' ? 'a tab' : d === ',' ? 'a comma' : d === ';' ? 'a semicolon' : JSON.stringify(d));
