// Bundles the server (src/index.ts and its dependencies) into dist/server.mjs, which `npm start`
// runs. Why: loading ~900 small files of botbuilder, restify and co. through tsx cost about a
// second and 20 MB at every start; one pre-built file loads faster and lighter. Tests, the CLI
// and the benchmarks' in-process parts still run the TypeScript sources through tsx; the tests
// and benchmarks that start the real server process start this bundle, as `npm start` does.
import { build, type Plugin } from 'esbuild';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT, projectPath } from '../src/paths.js';

export const SERVER_BUNDLE = projectPath('dist', 'server.mjs');

/**
 * Modules that our dependencies require at load time but that Aiguillage only needs on a path
 * it may never take: botbuilder-dialogs' prompts (date-time recognizers, the recognizers' suite,
 * which loads every model; we use none of the prompts) and Azure authentication (only used
 * when /api/messages is enabled with MicrosoftAppId). Each is replaced in the bundle by a
 * stand-in that requires the real module on first use: ≈ 25 MB less resident memory.
 */
const LAZY_MODULES: Record<string, string> = {
  '@microsoft/recognizers-text-date-time': '',
  // promptCultureModels reads the suite's Culture names when it loads: served from the light
  // base package, the rest of the suite stays unloaded.
  '@microsoft/recognizers-text-suite': "Culture: require('@microsoft/recognizers-text').Culture",
  '@azure/identity': '',
  '@azure/msal-node': '',
};

function lazyModules(): Plugin {
  const names = Object.keys(LAZY_MODULES);
  const filter = new RegExp(`^(${names.map((n) => n.replace(/[/.-]/g, '\\$&')).join('|')})$`);
  return {
    name: 'lazy-modules',
    setup(b) {
      // The stand-in's own require of the real module stays a run-time require.
      b.onResolve({ filter }, (args) => (args.namespace === 'lazy' ? { path: args.path, external: true } : { path: args.path, namespace: 'lazy' }));
      b.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => ({ loader: 'js', contents: lazyStandIn(args.path, LAZY_MODULES[args.path] ?? '') }));
    },
  };
}

/**
 * CommonJS source of a stand-in for `name`: the real module is required on the first access to
 * anything but `__esModule` (so that TypeScript's __importStar keeps the stand-in as is) and
 * the `eager` properties (an object literal's body).
 */
export function lazyStandIn(name: string, eager: string): string {
  return `
    let real;
    const load = () => (real ??= require(${JSON.stringify(name)}));
    const eager = { __esModule: true, ${eager} };
    module.exports = new Proxy({}, {
      get: (_, key) => (key in eager ? eager[key] : load()[key]),
      has: (_, key) => key in eager || key in load(),
      ownKeys: () => Reflect.ownKeys(load()),
      getOwnPropertyDescriptor: (_, key) => {
        const d = Object.getOwnPropertyDescriptor(load(), key);
        return d && { ...d, configurable: true };
      },
    });`;
}

/**
 * Escapes what esbuild leaves outside ASCII (characters in regular expression literals) as
 * \uXXXX, one UTF-16 unit at a time: the same meaning in strings, identifiers and regular
 * expressions, with or without the u flag. A character right after a backslash would change
 * meaning once escaped: the build stops rather than guess.
 */
export function asciiOnly(code: string): string {
  return code.replace(/[\u0080-\uffff]/g, (c, at: number) => {
    if (code[at - 1] === '\\') throw new Error(`caractère non ASCII échappé par une barre oblique à la position ${at} : ${code.slice(at - 40, at + 10)}`);
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/** Builds dist/server.mjs (and its source map), each file written whole then renamed into place. */
export async function buildServer(): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  const result = await build({
    absWorkingDir: PROJECT_ROOT,
    entryPoints: ['src/index.ts'],
    outfile: SERVER_BUNDLE,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    sourcemap: 'linked',
    legalComments: 'none',
    // V8 holds the whole source text while the process lives: one character outside ASCII
    // (a comment's « § », a regular expression's « œ ») makes it a two-byte string, twice the
    // size. Without comments and indentation, and every other character escaped (here, then
    // asciiOnly below for regular expressions), it stays one byte per character: 20 MB → 7 MB
    // resident. Names are kept as they are (no mangling).
    minifyWhitespace: true,
    charset: 'ascii',
    logLevel: 'warning',
    write: false,
    // esbuild builds the widget at run time; dtrace-provider (restify's optional probes) loads a
    // native binding by a computed path; the recognizers and the official geography are
    // required by path at run time (createRequire), and shared with botbuilder-dialogs.
    external: ['esbuild', 'dtrace-provider', '@microsoft/recognizers-text*', '@etalab/decoupage-administratif'],
    plugins: [lazyModules()],
    // CommonJS dependencies call require() for Node's modules: give the ES module one.
    banner: { js: "import { createRequire as __aiguillageRequire } from 'node:module'; const require = __aiguillageRequire(import.meta.url);" },
  });
  let bytes = 0;
  for (const file of result.outputFiles) {
    mkdirSync(dirname(file.path), { recursive: true });
    // Two test processes may build at once: each writes its own temporary file, then renames.
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.path.endsWith('.mjs') ? asciiOnly(file.text) : file.contents);
    renameSync(temporary, file.path);
    if (file.path.endsWith('.mjs')) bytes = file.contents.byteLength;
  }
  return { ms: performance.now() - started, bytes };
}

let built: Promise<unknown> | null = null;
/** Builds the bundle once per process (tests and benchmarks that spawn the server). */
export function ensureServerBuilt(): Promise<unknown> {
  built ??= buildServer();
  return built;
}

/** The node arguments of `npm start` (package.json), so that harnesses run exactly what it runs. */
export function startArguments(): string[] {
  const manifest = JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { scripts: { start: string } };
  const [command, ...args] = manifest.scripts.start.trim().split(/\s+/);
  if (command !== 'node') throw new Error(`le script start doit lancer node : ${manifest.scripts.start}`);
  return args;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { ms, bytes } = await buildServer();
  console.log(`dist/server.mjs construit en ${Math.round(ms)} ms (${(bytes / 1e6).toFixed(1)} Mo)`);
}
