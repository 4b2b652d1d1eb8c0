// Small helpers for the benchmarks: timing samples, percentiles, the printed table.
import { performance } from 'node:perf_hooks';

export interface Row {
  name: string;
  value: string;
  target: string;
  /** true: meets the target; false: misses it; undefined: informative only. */
  ok?: boolean;
}

export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export async function timeEach<T>(items: readonly T[], fn: (item: T) => unknown): Promise<number[]> {
  const samples: number[] = [];
  for (const item of items) {
    const t = performance.now();
    await fn(item);
    samples.push(performance.now() - t);
  }
  return samples;
}

export function ms(value: number): string {
  return value < 0.1 ? `${(value * 1000).toFixed(0)} µs` : `${value.toFixed(value < 10 ? 2 : 0)} ms`;
}

export function printTable(rows: Row[]): void {
  const header: Row = { name: 'Mesure', value: 'Valeur', target: 'Cible' };
  const widths = [
    Math.max(...[header, ...rows].map((r) => r.name.length)),
    Math.max(...[header, ...rows].map((r) => r.value.length)),
    Math.max(...[header, ...rows].map((r) => r.target.length)),
  ];
  const line = (r: Row, verdict: string) =>
    `| ${r.name.padEnd(widths[0]!)} | ${r.value.padEnd(widths[1]!)} | ${r.target.padEnd(widths[2]!)} | ${verdict.padEnd(4)} |`;
  console.log(line(header, 'OK ?'));
  console.log(`|${'-'.repeat(widths[0]! + 2)}|${'-'.repeat(widths[1]! + 2)}|${'-'.repeat(widths[2]! + 2)}|------|`);
  for (const r of rows) console.log(line(r, r.ok === undefined ? '' : r.ok ? 'oui' : 'NON'));
}
