#!/usr/bin/env node
// Rewrites tests written for node:test into jest tests, in place. Idempotent: a file without
// `node:test` is left alone, so it can be run again after someone adds a node:test file.
//
//   node scripts/migrate-to-jest.mjs [dir-or-file ...]     (default: tests/)
//   node scripts/migrate-to-jest.mjs --check               (exit 1 if a file still needs it)
//
// What it does, file by file:
// - `import { test, describe, it, before, after, beforeEach, afterEach } from 'node:test'`
//   becomes the same names from '@jest/globals', with before → beforeAll and after → afterAll
//   (node:test's file- or suite-level hooks), and the calls are renamed.
// - A test or hook callback that took node:test's context (`async (t) =>`) takes nothing; the
//   file imports `t` from tests/support/context.ts instead, whose `t.after(fn)` runs `fn` after the
//   current test and `t.diagnostic(msg)` prints a line: helpers that take a `t` keep working.
// - `describe(name, { skip: cond }, fn)` (same for test/it) becomes
//   `(cond ? describe.skip : describe)(name, fn)`.
// - `import type { TestContext } from 'node:test'` comes from tests/support/context.ts.
// - The assertions (`node:assert`) are left as they are: a thrown AssertionError fails a jest test.
// Anything else (t.mock, t.test subtests, t.skip(), { timeout } or { todo } options, mock from
// node:test) is reported with its file and line and the file is left unchanged: convert it by hand.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const args = process.argv.slice(2);
const check = args.includes('--check');
const targets = args.filter((a) => a !== '--check');
const SUPPORT = join(root, 'tests', 'support', 'context.ts');

const HOOKS = { before: 'beforeAll', after: 'afterAll', beforeEach: 'beforeEach', afterEach: 'afterEach' };
const KEPT = new Set(['test', 'it', 'describe', 'suite']);
const CALLERS = new Set(['test', 'it', 'describe', 'beforeAll', 'afterAll', 'beforeEach', 'afterEach']);

function files(path) {
  if (statSync(path).isDirectory()) {
    return readdirSync(path).flatMap((name) => (name === 'node_modules' || name === 'fixtures' ? [] : files(join(path, name))));
  }
  return /\.(ts|mts|js|mjs)$/.test(path) ? [path] : [];
}

const lineOf = (text, index) => text.slice(0, index).split('\n').length;

/** Index just past the string/template literal that starts at `i`. */
function skipString(text, i) {
  const quote = text[i];
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === '\\') j++;
    else if (quote === '`' && text[j] === '$' && text[j + 1] === '{') j = skipBalanced(text, j + 1) - 1;
    else if (text[j] === quote) return j + 1;
  }
  throw new Error('unterminated string');
}

/** `i` is on an opening bracket: index just past its matching closing one. */
function skipBalanced(text, i) {
  const open = text[i];
  const close = { '(': ')', '{': '}', '[': ']' }[open];
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    const c = text[j];
    if (c === "'" || c === '"' || c === '`') {
      j = skipString(text, j) - 1;
    } else if (c === '/' && text[j + 1] === '/') {
      j = text.indexOf('\n', j);
      if (j < 0) break;
    } else if (c === '/' && text[j + 1] === '*') {
      j = text.indexOf('*/', j) + 1;
    } else if (c === open) depth++;
    else if (c === close && --depth === 0) return j + 1;
  }
  throw new Error(`unbalanced ${open}`);
}

/** The callee name right before the `(` at `paren` (`test`, `it.skip` → `it`), or null. */
function calleeBefore(text, paren) {
  const m = /([A-Za-z_$][\w$]*)(?:\.(?:skip|only|todo))?\s*$/.exec(text.slice(Math.max(0, paren - 60), paren));
  return m ? m[1] : null;
}

/** The index of the unmatched `(` that encloses `index`, or -1. */
function enclosingParen(text, index) {
  let depth = 0;
  for (let j = index - 1; j >= 0; j--) {
    const c = text[j];
    if (c === ')') depth++;
    else if (c === '(') {
      if (depth === 0) return j;
      depth--;
    }
  }
  return -1;
}

function convert(path, text) {
  const problems = [];
  const importRe = /^import\s+(type\s+)?\{([^}]*)\}\s+from\s+['"]node:test['"];?[ \t]*\n/gm;
  if (!/['"]node:test['"]/.test(text)) return { text, problems, changed: false };
  let out = text;
  const jestNames = new Set();
  let needsContext = false;
  let needsContextType = false;
  const renames = new Map();

  out = out.replace(importRe, (whole, typeOnly, list) => {
    for (const raw of list.split(',').map((s) => s.trim()).filter(Boolean)) {
      const [name, alias] = raw.replace(/^type\s+/, '').split(/\s+as\s+/);
      if (typeOnly || raw.startsWith('type ')) {
        if (name === 'TestContext') {
          needsContextType = true;
          if (alias) problems.push(`${path}: type alias ${raw} not handled`);
        } else problems.push(`${path}: type ${name} from node:test has no jest equivalent here`);
        continue;
      }
      if (alias) problems.push(`${path}:${lineOf(text, text.indexOf(whole))}: alias "${raw}" not handled`);
      if (KEPT.has(name)) jestNames.add(name === 'suite' ? 'describe' : name);
      else if (name in HOOKS) {
        jestNames.add(HOOKS[name]);
        if (HOOKS[name] !== name) renames.set(name, HOOKS[name]);
      } else problems.push(`${path}: "${name}" from node:test has no automatic jest equivalent`);
    }
    return '\u0000IMPORT\u0000';
  });
  if (/['"]node:test['"]/.test(out)) problems.push(`${path}: a node:test import of another form (default, namespace, require)`);

  // before( → beforeAll(, after( → afterAll( (not t.after( nor x.after().
  for (const [from, to] of renames) {
    out = out.replace(new RegExp(`(?<![.\\w$])${from}(?=\\s*\\()`, 'g'), to);
  }
  if (/(?<![.\w$])suite(?=\s*\()/.test(out) && jestNames.has('describe')) {
    out = out.replace(/(?<![.\w$])suite(?=\s*\()/g, 'describe');
  }

  // A hook whose arrow returns a value (`beforeAll(() => warmUp())`): jest's types want void or a
  // promise, so the arrow awaits it instead (`async () => { await warmUp(); }`): a promise is still
  // waited for, a plain value is dropped.
  const hookArrow = /(?<![.\w$])(beforeAll|afterAll|beforeEach|afterEach)\s*\(\s*\(\)\s*=>\s*(?=[^\s{])/g;
  for (let m; (m = hookArrow.exec(out)); ) {
    const open = out.indexOf('(', m.index);
    const close = skipBalanced(out, open) - 1;
    const body = out.slice(m.index + m[0].length, close).trim().replace(/,$/, '');
    const replacement = `${m[1]}(async () => {\n  await ${body};\n})`;
    out = out.slice(0, m.index) + replacement + out.slice(close + 1);
    hookArrow.lastIndex = m.index + replacement.length;
  }

  // Options objects: name, { skip: cond }, fn  →  (cond ? x.skip : x)(name, fn).
  const optionCall = /(?<![.\w$])(describe|test|it)\s*\(/g;
  for (let m; (m = optionCall.exec(out)); ) {
    const open = m.index + m[0].length - 1;
    let i = open + 1;
    while (/\s/.test(out[i])) i++;
    if (!["'", '"', '`'].includes(out[i])) continue;
    const nameEnd = skipString(out, i);
    const rest = /^\s*,\s*/.exec(out.slice(nameEnd));
    if (!rest || out[nameEnd + rest[0].length] !== '{') continue;
    const objStart = nameEnd + rest[0].length;
    const objEnd = skipBalanced(out, objStart);
    if (!/^\s*,/.test(out.slice(objEnd))) continue; // a callback's body, not options
    const body = out.slice(objStart + 1, objEnd - 1).trim();
    const skip = /^skip\s*:\s*([\s\S]+?),?$/.exec(body);
    if (!skip || /^\w+\s*:/.test(skip[1]) || /,\s*\w+\s*:/.test(skip[1])) {
      problems.push(`${path}:${lineOf(out, objStart)}: options { ${body} } (only { skip } is converted; timeout goes after the callback in jest)`);
      continue;
    }
    const fn = m[1];
    const afterObj = objEnd + /^\s*,\s*/.exec(out.slice(objEnd))[0].length;
    const replacement = `(${skip[1].trim()} ? ${fn}.skip : ${fn})(${out.slice(i, nameEnd)}, `;
    out = out.slice(0, m.index) + replacement + out.slice(afterObj);
    optionCall.lastIndex = m.index + replacement.length;
  }

  // Callbacks that took node:test's context: (t) =>, async (t) =>, async t =>, (t: TestContext) =>.
  const contextParam = /(async\s+)?(?:\(\s*t\s*(?::\s*TestContext\s*)?\)|(?<=async\s+)t)\s*=>/g;
  out = out.replace(contextParam, (whole, isAsync, offset) => {
    const paren = enclosingParen(out, offset);
    const callee = paren >= 0 ? calleeBefore(out, paren) : null;
    if (!callee || !CALLERS.has(callee)) return whole;
    needsContext = true;
    return `${isAsync ?? ''}() =>`;
  });

  // What the context object here does not cover.
  const unsupported = /(?<![\w$.])t\.(mock|test|skip|todo|plan|signal|runOnly|name|fullName|assert|before|beforeEach|afterEach)\b/g;
  for (let m; (m = unsupported.exec(out)); ) {
    problems.push(`${path}:${lineOf(out, m.index)}: t.${m[1]} has no automatic jest equivalent`);
  }
  if (/(?<![.\w$])mock\.(fn|method|timers|module)/.test(out) && !/from ['"]@jest\/globals['"]/.test(text)) {
    problems.push(`${path}: node:test mock usage`);
  }
  if (/\b(test|it)\.todo\([^)]*,/.test(out)) problems.push(`${path}: test.todo with a callback (jest takes a name only)`);

  const rel = relative(dirname(path), SUPPORT).replace(/\.ts$/, '.js');
  const support = rel.startsWith('.') ? rel : `./${rel}`;
  if (needsContext && /^(?:const|let|var|function)\s+t\b/m.test(out)) {
    problems.push(`${path}: a top-level "t" is declared; the test context cannot be imported as t`);
  }
  const lines = [];
  if (jestNames.size > 0) lines.push(`import { ${[...jestNames].sort().join(', ')} } from '@jest/globals';\n`);
  if (needsContext) lines.push(`import { t } from '${support}';\n`);
  if (needsContextType) lines.push(`import type { TestContext } from '${support}';\n`);
  const [first, ...others] = out.split('\u0000IMPORT\u0000');
  out = first + lines.join('') + others.join('');
  return { text: out, problems, changed: out !== text };
}

const paths = (targets.length ? targets : ['tests']).map((p) => resolve(root, p)).flatMap(files).filter((p) => p !== SUPPORT).sort();
let converted = 0;
const allProblems = [];
for (const path of paths) {
  const text = readFileSync(path, 'utf8');
  let result;
  try {
    result = convert(relative(root, path), text);
  } catch (error) {
    allProblems.push(`${relative(root, path)}: ${error.message}`);
    continue;
  }
  if (result.problems.length > 0) {
    allProblems.push(...result.problems);
    continue;
  }
  if (!result.changed) continue;
  converted++;
  if (!check) writeFileSync(path, result.text);
  console.log(`${check ? 'à convertir' : 'converti'} : ${relative(root, path)}`);
}
for (const p of allProblems) console.error(`à faire à la main : ${p}`);
console.log(`${converted} fichier(s) ${check ? 'à convertir' : 'converti(s)'}, ${allProblems.length} problème(s).`);
process.exit(allProblems.length > 0 || (check && converted > 0) ? 1 : 0);
