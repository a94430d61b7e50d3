// Bundle the `microbench` executable into one CommonJS file, and make its V8 code cache.
//
//   dist/cli/main.js (tsc's ESM output) ──esbuild──► dist/cli/bundle.cjs
//   dist/cli/bin.cjs (the package's bin) runs it once ──► dist/cli/bundle.cache
//
// Why: a command wrapper's start-up is paid on every run. Node 20 loading the CLI as ES modules
// initialises its ESM loader (~11 ms here) and then resolves, reads and compiles each module
// file in turn; one CommonJS file skips both, and the code cache skips most of compiling it.
// Measured on the 2-core VM (median of 15 runs of `microbench -- true`): ~125 ms from the ES
// modules, ~88 ms from the bundle, ~76 ms with the code cache; `node -e 0` takes ~47 ms.
// Modules the CLI imports on demand stay lazy: esbuild turns each `import()` of our own code
// into a function that evaluates that part of the bundle when first called. The library
// (dist/index.js) is not bundled.
//
// `import.meta.url` does not exist in CommonJS; it is replaced by the bundle's own file URL.
// Code that uses it to find files keeps working because it only looks upward from dist/ (for
// package.json, or node_modules through createRequire).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const root = new URL('../', import.meta.url);
const path = (relative) => new URL(relative, root).pathname;
const bundleFile = path('dist/cli/bundle.cjs');
const cacheFile = path('dist/cli/bundle.cache');
const binFile = path('dist/cli/bin.cjs');

const result = await build({
  entryPoints: [path('dist/cli/main.js')],
  outfile: bundleFile,
  write: false,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // Dependencies stay where npm installed them: the Redis client is loaded only for
  // --redis-output, uPlot's files are read by `report`.
  packages: 'external',
  // No `import()` is left in the bundle: each becomes a require() behind a promise. (A script
  // compiled from a code cache has no callback for `import()`, and every package the CLI loads
  // on demand, the Redis client included, can be required.)
  supported: { 'dynamic-import': false },
  define: { 'import.meta.url': 'importMetaUrl' },
  inject: [path('scripts/import-meta-url.mjs')],
  logLevel: 'warning',
});
const code = result.outputFiles[0].text;

// The build id, on the bundle's second line, tags the code cache: bin.cjs offers V8 only the
// cache made from this very bundle (V8's own check compares the source length, not its text).
const id = createHash('sha256').update(code).digest('hex').slice(0, 16);
const newline = code.indexOf('\n') + 1;
writeFileSync(
  bundleFile,
  `${code.slice(0, newline)}// microbench-build ${id}\n${code.slice(newline)}`,
);
// npm makes a package's bin executable when it installs it; this makes the built files runnable
// straight from a checkout too.
chmodSync(bundleFile, 0o755);
chmodSync(binFile, 0o755);

// One real run (the default mixins, no output kept) compiles what a run needs; the cache
// written at its exit holds all of it.
rmSync(cacheFile, { force: true });
const run = spawnSync(process.execPath, [binFile, '--', process.execPath, '-e', ''], {
  env: { ...process.env, MICROBENCH_CODE_CACHE_WRITE: '1' },
  encoding: 'utf8',
});
if (run.status !== 0) {
  throw new Error(`the code-cache run of the CLI failed (${run.status}): ${run.stderr}`);
}
