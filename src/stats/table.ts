// What every statistics view produces: one table, drawn as bars and as a table, exported as CSV.
export type CellValue = string | number | null;

export interface StatColumn {
  key: string;
  label: string;
  /** `count`: integer; `percent`: 0–1 shown as %; `days`: decimal days; `text`. */
  kind: 'text' | 'count' | 'percent' | 'days';
}

export interface StatTable {
  /** Stable id: anchor, CSV file name (`demandes-par-secteur`). */
  id: string;
  title: string;
  /** One French sentence: what is counted and how. */
  description: string;
  columns: StatColumn[];
  rows: Record<string, CellValue>[];
  /** Which columns the bar chart shows (label column, value column); none: table only. */
  chart?: { label: string; value: string; max?: number };
  /** Shown under the table, e.g. a caveat about the filter. */
  note?: string;
}

/** Names for codes, supplied by the caller (directory, partners, territory). */
export interface Labels {
  actor(id: string): string;
  partner(id: string): string;
  place(code: string): string;
}

export const share = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);
