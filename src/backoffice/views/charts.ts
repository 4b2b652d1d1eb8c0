// Horizontal bar charts drawn on the server as SVG: no library, no script, readable at a glance.
// The table beside each chart carries the exact figures; the chart's title says so.
import type { StatTable } from '../../stats/table.js';
import { escapeHtml, raw, type SafeHtml } from './html.js';

const WIDTH = 640;
const LABEL = 300;
const ROW = 26;
const BAR_COLOUR = '#1f4e79';

export function formatValue(kind: string, value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value !== 'number') return String(value);
  if (kind === 'percent') return `${(value * 100).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} %`;
  if (kind === 'days') return `${value.toLocaleString('fr-FR', { maximumFractionDigits: 1 })} j`;
  return value.toLocaleString('fr-FR');
}

function shorten(text: string, max = 40): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function barChart(table: StatTable, titleId: string): SafeHtml | null {
  if (!table.chart) return null;
  const column = table.columns.find((c) => c.key === table.chart!.value)!;
  const rows = table.rows.slice(0, table.chart.max ?? 40).filter((r) => typeof r[table.chart!.value] === 'number' || r[table.chart!.value] === null);
  if (rows.length === 0) return null;
  const values = rows.map((r) => (typeof r[table.chart!.value] === 'number' ? (r[table.chart!.value] as number) : 0));
  const max = column.kind === 'percent' ? 1 : Math.max(1, ...values);
  const height = rows.length * ROW + 8;
  const barSpace = WIDTH - LABEL - 80;
  const bars = rows
    .map((r, i) => {
      const y = i * ROW + 4;
      const label = String(r[table.chart!.label] ?? '');
      const w = Math.max(values[i]! > 0 ? 2 : 0, Math.round((values[i]! / max) * barSpace));
      const value = formatValue(column.kind, r[table.chart!.value]);
      return (
        `<g><title>${escapeHtml(`${label} : ${value}`)}</title>` +
        `<text x="${LABEL - 8}" y="${y + 17}" text-anchor="end" font-size="12" fill="#1e1e1e">${escapeHtml(shorten(label))}</text>` +
        `<rect x="${LABEL}" y="${y + 3}" width="${w}" height="${ROW - 8}" fill="${BAR_COLOUR}"></rect>` +
        `<text x="${LABEL + w + 6}" y="${y + 17}" font-size="12" fill="#1e1e1e">${escapeHtml(value)}</text></g>`
      );
    })
    .join('');
  const more = table.rows.length > rows.length ? ` (${rows.length} premières lignes sur ${table.rows.length})` : '';
  return raw(
    // Drawn at its own size (never scaled up: few rows keep 12 px labels), shrunk only on a narrow screen.
    `<figure class="chart"><svg width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-labelledby="${titleId}" focusable="false">` +
      `<title id="${titleId}">${escapeHtml(`${table.title} : graphique en barres${more} ; les valeurs exactes sont dans le tableau.`)}</title>${bars}</svg>` +
      `<figcaption>${escapeHtml(`${column.label}${more}`)}</figcaption></figure>`,
  );
}
