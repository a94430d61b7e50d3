// The CommonJS entry (`require('microbench-ts')`): the very same ES modules as `import`, loaded
// through Node's require() of ES modules (Node >= 20.19 and >= 22.12), so a program that both
// imports and requires the package gets one copy of it — one sampler worker, one set of error
// classes. The package is not built twice: a second, bundled CommonJS copy would give such a
// program two samplers and errors that fail `instanceof`.
//
// Where Node cannot require ES modules (Node 20 before 20.19, or --no-experimental-require-module),
// the error says how to load the package instead.
const canRequireEsm = (process.features as { require_module?: boolean }).require_module === true;
if (!canRequireEsm) {
  throw Object.assign(
    new Error(
      `microbench-ts is an ES module, and this Node.js (${process.version}) cannot require() ES modules. ` +
        "From CommonJS, load it with `const { MicroBench } = await import('microbench-ts')` " +
        '(inside an async function), or use Node.js >= 20.19 where require() works.',
    ),
    { code: 'ERR_REQUIRE_ESM' },
  );
}

export * from './index.js';
