#!/usr/bin/env node
// The `microbench` executable (the package's `bin`): runs the CLI bundle with V8's code cache.
//
//   bin.cjs ──read──► bundle.cjs (all of the CLI, one CommonJS file: scripts/bundle-cli.mjs)
//           ──read──► bundle.cache (V8 code cache made at build time, tagged with the bundle's
//                      build id) ──► vm.Script(cachedData) ──► run as the module bundle.cjs
//
// A wrapper's start-up is paid on every run, and compiling the 270 KB bundle is a large part of
// it: with the cache V8 skips parsing and compiling what the build run already compiled (~10 ms
// of ~85 ms on the 2-core VM). Whatever goes wrong with the cache (missing, made by another Node
// or V8 version, from another build) only costs that time: V8 rejects a cache it cannot use,
// and a cache from another build is never offered. With MICROBENCH_CODE_CACHE_WRITE=1 (used by
// the build) the cache is written when the process exits; MICROBENCH_CODE_CACHE_REPORT=1 says on
// stderr whether a cache was offered and whether V8 took it.
import fs = require('node:fs');
import Module = require('node:module');
import path = require('node:path');
import vm = require('node:vm');

const BUNDLE = path.join(__dirname, 'bundle.cjs');
const CACHE = path.join(__dirname, 'bundle.cache');
// The bundle's second line: `// microbench-build <hex id>` (a hash of its content).
const BUILD_ID = /^[^\n]*\n\/\/ microbench-build ([0-9a-f]+)\n/;

function main(): void {
  let compiled: { run: () => void } | undefined;
  try {
    compiled = compile();
  } catch {
    // Left undefined: Node's loader below.
  }
  // Without a usable source (or on any surprise while compiling), Node's own loader runs the
  // bundle and reports any real problem with it.
  if (!compiled) require(BUNDLE);
  else compiled.run();
}

function compile(): { run: () => void } | undefined {
  const source = fs.readFileSync(BUNDLE, 'utf8');
  const id = BUILD_ID.exec(source)?.[1];
  if (id === undefined) return undefined;
  const tag = Buffer.from(`${id}\n`);
  let cachedData: Buffer | undefined;
  try {
    const data = fs.readFileSync(CACHE);
    if (data.subarray(0, tag.length).equals(tag)) cachedData = data.subarray(tag.length);
  } catch {
    cachedData = undefined;
  }
  // The shebang line is not JavaScript inside the module wrapper: keep it as a comment, so
  // lines and the source length stay the same.
  const body = source.startsWith('#!') ? `//${source.slice(2)}` : source;
  const script = new vm.Script(Module.wrap(body), {
    filename: BUNDLE,
    ...(cachedData && { cachedData }),
  });
  if (process.env.MICROBENCH_CODE_CACHE_REPORT === '1') {
    const state = !cachedData ? 'none' : script.cachedDataRejected ? 'rejected' : 'accepted';
    process.stderr.write(`microbench: code cache ${state}\n`);
  }
  if (process.env.MICROBENCH_CODE_CACHE_WRITE === '1') {
    // At exit, the cache also holds the functions this run compiled lazily.
    process.once('exit', () => {
      fs.writeFileSync(CACHE, Buffer.concat([tag, script.createCachedData()]));
    });
  }
  const wrapper = script.runInThisContext() as (
    exports: unknown,
    require: NodeJS.Require,
    module: Module,
    filename: string,
    dirname: string,
  ) => void;
  // The bundle resolves what it requires through its own require(), made for its path.
  const bundle = new Module(BUNDLE, module);
  bundle.filename = BUNDLE;
  const bundleRequire = Module.createRequire(BUNDLE);
  return {
    run: () =>
      wrapper.call(bundle.exports, bundle.exports, bundleRequire, bundle, BUNDLE, __dirname),
  };
}

main();
