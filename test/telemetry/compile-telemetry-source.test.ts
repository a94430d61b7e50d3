// compileTelemetrySource rebuilds a telemetry function from its source text on the sampler thread
// (the forms toolchains print, with esbuild's helpers supplied), and explainTelemetryError says
// what to do about a closure variable that does not exist there.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  compileTelemetrySource,
  explainTelemetryError,
  HELPER_NAMES,
} from '../../src/telemetry/_compile.js';

test('every printed form compiles: function, arrow, method', () => {
  const forms = [
    'function sample(p) { return { v: p * 2 }; }',
    '(p) => ({ v: p * 2 })',
    'telemetry(p) { return { v: p * 2 }; }',
  ];
  for (const source of forms) {
    assert.deepEqual(compileTelemetrySource(source, 'sample')(21), { v: 42 }, source);
  }
});

test("esbuild's helpers work as esbuild means them", () => {
  const named = compileTelemetrySource(
    '(p) => { const f = __name(() => p, "inner"); return { name: f.name, value: f() }; }',
    'x',
  );
  assert.deepEqual(named(7), { name: 'inner', value: 7 });

  const fields = compileTelemetrySource(
    `(p) => {
      const o = {};
      const returned = __publicField(o, 'a', p);
      __defNormalProp(o, 'b', p + 1);
      __defProp(o, 'hidden', { value: 0, enumerable: false });
      return { returned, o, keys: Object.keys(o), writable: Object.getOwnPropertyDescriptor(o, 'a').writable };
    }`,
    'x',
  );
  assert.deepEqual(fields(1), {
    returned: 1,
    o: { a: 1, b: 2 },
    keys: ['a', 'b'],
    writable: true,
  });

  const symbols = compileTelemetrySource(
    '() => ({ known: __knownSymbol("asyncIterator", Symbol.asyncIterator) === Symbol.asyncIterator, made: __knownSymbol("custom") === Symbol.for("Symbol.custom") })',
    'x',
  );
  assert.deepEqual(symbols(null), { known: true, made: true });
  assert.deepEqual(HELPER_NAMES, [
    '__name',
    '__defProp',
    '__publicField',
    '__defNormalProp',
    '__knownSymbol',
  ]);
});

test('the rebuilt function runs in strict mode and sees no closure', () => {
  const strict = compileTelemetrySource('function () { return this; }', 'x');
  assert.equal(strict.call(undefined, null), undefined);
  assert.throws(() => compileTelemetrySource('(p) => outsideVariable', 'x')(1), ReferenceError);
});

test('text that is no function: an error naming it, the parser detail and the cure', () => {
  for (const [source, name] of [
    ['not a function at all', 'broken'],
    ['42', 'broken'],
  ] as const) {
    assert.throws(
      () => compileTelemetrySource(source, name),
      (error: Error) => {
        assert.match(error.message, /^The telemetry function `broken` cannot be rebuilt/);
        assert.match(error.message, /on the sampler thread \(.+\)\./);
        assert.match(error.message, /use a plain function, arrow function or static method/);
        assert.match(
          error.message,
          /telemetryModule: new URL\('\.\/sampler\.js', import\.meta\.url\)/,
        );
        return true;
      },
    );
  }
  assert.throws(
    () => compileTelemetrySource('{', ''),
    /^Error: The telemetry function cannot be rebuilt/,
  );
});

test('explainTelemetryError: a closure variable is named, with the cure; other errors as they are', () => {
  const closure = explainTelemetryError(new ReferenceError('limit is not defined'), false);
  assert.match(
    closure,
    /^telemetry function uses `limit`, which is not available on the sampler thread/,
  );
  assert.match(closure, /Move `limit` inside the function/);
  assert.match(closure, /telemetryModule: new URL/);
  // From a module the variable exists where it is defined: nothing to explain.
  assert.equal(
    explainTelemetryError(new ReferenceError('limit is not defined'), true),
    'ReferenceError: limit is not defined',
  );
  assert.equal(
    explainTelemetryError(new ReferenceError('odd message'), false),
    'ReferenceError: odd message',
  );
  assert.equal(explainTelemetryError(new TypeError('x is null'), false), 'TypeError: x is null');
  assert.equal(explainTelemetryError('a string', false), 'a string');
});
