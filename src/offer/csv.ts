// The data·inclusion records as CSV, the project's spreadsheet convention (csv-stringify, UTF-8
// with a BOM, `;`, CRLF, see src/stats/csv.ts): one column per schema field, in the schema's names; a list
// (thématiques, zones…) is one cell with its values separated by commas; null is an empty cell.
import { csvRows } from '../stats/csv.js';

type Cell = string | number | string[] | null | undefined;

export function recordsCsv<T extends object>(records: readonly T[], columns: ReadonlyArray<keyof T & string>): string {
  const cell = (value: Cell) => (Array.isArray(value) ? value.join(',') : value);
  return csvRows([[...columns], ...records.map((record) => columns.map((c) => cell(record[c] as Cell)))], { bom: true });
}
