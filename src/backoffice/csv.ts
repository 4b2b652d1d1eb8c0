// CSV for spreadsheets used in France: the helpers live in src/stats/csv.ts (the monthly report
// uses them too); the HTTP download header is the back office's own.
export { BOM, csvCell, csvLine, csvRows, tableCsv } from '../stats/csv.js';

export function attachment(name: string): string {
  return `attachment; filename="${name.replace(/[^A-Za-z0-9._-]/g, '_')}"`;
}
