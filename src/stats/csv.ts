// CSV for spreadsheets used in France (back-office exports, monthly report, open data), written by
// csv-stringify: UTF-8 with a BOM (Excel then reads accents right), `;` between fields, decimal
// comma, CRLF; a field with `;`, a quote, a line break or surrounding spaces is quoted; text that a
// spreadsheet would run as a formula (= + - @ tab CR at the start, or their full-width forms)
// gets a leading apostrophe.
import { stringify, type Options } from 'csv-stringify/sync';
import type { StatColumn, StatTable } from './table.js';

export const BOM = '\uFEFF';

export type CsvValue = string | number | null | undefined;

/** csv-stringify's options for the French Excel convention (without the BOM). */
export const FRENCH_EXCEL: Options = {
  delimiter: ';',
  record_delimiter: 'windows',
  quote_record_delimiter: true,
  escape_formulas: true,
  quoted_match: /^\s|\s$/,
  cast: { number: (value) => (Number.isFinite(value) ? String(value).replace('.', ',') : '') },
};

/** Rows as CSV, with the BOM when the text is a whole file. */
export function csvRows(rows: ReadonlyArray<ReadonlyArray<CsvValue>>, options: { bom?: boolean } = {}): string {
  return stringify(rows as CsvValue[][], { ...FRENCH_EXCEL, bom: options.bom ?? false });
}

export function csvLine(cells: ReadonlyArray<CsvValue>): string {
  return csvRows([cells]);
}

export function csvCell(value: CsvValue): string {
  return csvLine([value]).slice(0, -2);
}

function numberFor(column: StatColumn, value: unknown): string | number | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'number') return String(value);
  if (column.kind === 'percent') return Math.round(value * 1000) / 10;
  if (column.kind === 'days') return Math.round(value * 10) / 10;
  return value;
}

/** A statistics table as CSV (percentages as numbers of %, with « (%) » in the header). */
export function tableCsv(table: StatTable): string {
  const header = table.columns.map((c) => (c.kind === 'percent' ? `${c.label} (%)` : c.label));
  const rows = table.rows.map((row) => table.columns.map((c) => numberFor(c, row[c.key])));
  return csvRows([header, ...rows], { bom: true });
}
