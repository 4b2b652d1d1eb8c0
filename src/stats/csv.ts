// CSV for spreadsheets used in France (back-office exports, monthly report): UTF-8 with a BOM (Excel then reads accents right), `;`
// between fields, decimal comma, CRLF. Text that a spreadsheet would run as a formula
// (= + - @ at the start) gets a leading apostrophe.
import type { StatColumn, StatTable } from './table.js';

export const BOM = '\uFEFF';

export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value).replace('.', ',') : '';
  let text = value;
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[;"\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: Array<string | number | null | undefined>): string {
  return `${cells.map(csvCell).join(';')}\r\n`;
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
  let out = BOM + csvLine(table.columns.map((c) => (c.kind === 'percent' ? `${c.label} (%)` : c.label)));
  for (const row of table.rows) out += csvLine(table.columns.map((c) => numberFor(c, row[c.key])));
  return out;
}
