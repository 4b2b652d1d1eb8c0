// Differences between two rule sets: per rule (added, removed, changed) and line by line (LCS
// over lines, shown as hunks with a little context). Rule files are a few hundred lines: the
// quadratic table stays small.
export interface DiffLine {
  kind: 'ctx' | 'add' | 'del';
  text: string;
}

export function lineDiff(before: string, after: string): DiffLine[] {
  const a = before === '' ? [] : before.replace(/\n$/, '').split('\n');
  const b = after === '' ? [] : after.replace(/\n$/, '').split('\n');
  // Common prefix and suffix first: most edits touch a few lines.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start += 1;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA -= 1;
    endB -= 1;
  }
  const x = a.slice(start, endA);
  const y = b.slice(start, endB);
  const table = Array.from({ length: x.length + 1 }, () => new Uint32Array(y.length + 1));
  for (let i = x.length - 1; i >= 0; i -= 1) {
    for (let j = y.length - 1; j >= 0; j -= 1) {
      table[i]![j] = x[i] === y[j] ? table[i + 1]![j + 1]! + 1 : Math.max(table[i + 1]![j]!, table[i]![j + 1]!);
    }
  }
  const middle: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    if (i < x.length && j < y.length && x[i] === y[j]) {
      middle.push({ kind: 'ctx', text: x[i]! });
      i += 1;
      j += 1;
    } else if (j < y.length && (i === x.length || table[i]![j + 1]! >= table[i + 1]![j]!)) {
      middle.push({ kind: 'add', text: y[j]! });
      j += 1;
    } else {
      middle.push({ kind: 'del', text: x[i]! });
      i += 1;
    }
  }
  return [...a.slice(0, start).map((text) => ({ kind: 'ctx' as const, text })), ...middle, ...a.slice(endA).map((text) => ({ kind: 'ctx' as const, text }))];
}

/** Only the changed lines with `context` lines around them; gaps become one `…` line. */
export function hunks(lines: DiffLine[], context = 3): DiffLine[] {
  const keep = new Uint8Array(lines.length);
  lines.forEach((l, i) => {
    if (l.kind === 'ctx') return;
    for (let k = Math.max(0, i - context); k <= Math.min(lines.length - 1, i + context); k += 1) keep[k] = 1;
  });
  const out: DiffLine[] = [];
  let gap = false;
  lines.forEach((l, i) => {
    if (keep[i]) {
      out.push(l);
      gap = false;
    } else if (!gap) {
      out.push({ kind: 'ctx', text: '…' });
      gap = true;
    }
  });
  return out;
}

export type RuleChange = 'added' | 'removed' | 'changed';

export interface RuleDiff {
  file: string;
  name: string;
  change: RuleChange;
  /** Indented JSON of the rule before and after (null when absent). */
  before: string | null;
  after: string | null;
}

export interface FileDiff {
  file: string;
  change: 'added' | 'removed' | 'changed';
  rules: RuleDiff[];
  lines: DiffLine[];
}

function rulesOf(text: string | undefined): Map<string, string> | null {
  if (text === undefined) return new Map();
  try {
    const data = JSON.parse(text) as { rules?: Array<{ name?: unknown }> };
    const map = new Map<string, string>();
    for (const rule of data.rules ?? []) if (typeof rule?.name === 'string') map.set(rule.name, JSON.stringify(rule, null, 2));
    return map;
  } catch {
    return null;
  }
}

/** File by file, rule by rule: what `after` changes in `before`. Unchanged files are left out. */
export function diffRuleFiles(before: Record<string, string>, after: Record<string, string>): FileDiff[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  const out: FileDiff[] = [];
  for (const file of names) {
    const a = before[file];
    const b = after[file];
    if (a === b) continue;
    const ra = rulesOf(a);
    const rb = rulesOf(b);
    const rules: RuleDiff[] = [];
    if (ra && rb) {
      for (const [name, text] of rb) {
        if (!ra.has(name)) rules.push({ file, name, change: 'added', before: null, after: text });
        else if (ra.get(name) !== text) rules.push({ file, name, change: 'changed', before: ra.get(name)!, after: text });
      }
      for (const [name, text] of ra) if (!rb.has(name)) rules.push({ file, name, change: 'removed', before: text, after: null });
    }
    out.push({ file, change: a === undefined ? 'added' : b === undefined ? 'removed' : 'changed', rules, lines: hunks(lineDiff(a ?? '', b ?? '')) });
  }
  return out;
}
