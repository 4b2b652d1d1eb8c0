// Bundles the server (src/index.ts and its dependencies) into dist/server.mjs, which `npm start`
// runs. Why: loading ~900 small files of botbuilder, restify and co. through tsx cost about a
// second and 20 MB at every start; one pre-built file loads faster and lighter. Tests, the CLI
// and the benchmarks' in-process parts still run the TypeScript sources through tsx; the tests
// and benchmarks that start the real server process start this bundle, as `npm start` does.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const SERVER_BUNDLE = join(ROOT, 'dist', 'server.mjs');

/** Builds dist/server.mjs (and its source map), each file written whole then renamed into place. */
export async function buildServer(): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: ['src/index.ts'],
    outfile: SERVER_BUNDLE,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
    write: false,
    // esbuild builds the widget at run time; dtrace-provider (restify's optional probes) loads a
    // native binding by a computed path; the recognizers and the official geography are
    // required by path at run time (createRequire), and shared with botbuilder-dialogs.
    external: ['esbuild', 'dtrace-provider', '@microsoft/recognizers-text*', '@etalab/decoupage-administratif'],
    // CommonJS dependencies call require() for Node's modules: give the ES module one.
    banner: { js: "import { createRequire as __aiguillageRequire } from 'node:module'; const require = __aiguillageRequire(import.meta.url);" },
  });
  let bytes = 0;
  for (const file of result.outputFiles) {
    mkdirSync(dirname(file.path), { recursive: true });
    // Two test processes may build at once: each writes its own temporary file, then renames.
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
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
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const [command, ...args] = manifest.scripts.start.trim().split(/\s+/);
  if (command !== 'node') throw new Error(`le script start doit lancer node : ${manifest.scripts.start}`);
  return args;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { ms, bytes } = await buildServer();
  console.log(`dist/server.mjs construit en ${Math.round(ms)} ms (${(bytes / 1e6).toFixed(1)} Mo)`);
}
