import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { nodeRuntime } from '../../src/mixins/node-runtime.js';
import { runMixins } from './_run-mixins.js';

describe('node-runtime', () => {
  test('records the Node version, executable, V8 version and Node flags', () => {
    const record = runMixins([nodeRuntime()]);
    assert.equal(record.node_version, process.versions.node);
    assert.match(String(record.node_version), /^\d+\.\d+\.\d+/);
    assert.equal(record.node_executable, process.execPath);
    assert.equal(record.v8_version, process.versions.v8);
    assert.deepEqual(record.node_exec_argv, process.execArgv);
  });

  test('each record gets its own exec argv array', () => {
    const mixin = nodeRuntime();
    const a = runMixins([mixin]);
    const b = runMixins([mixin]);
    assert.notEqual(a.node_exec_argv, b.node_exec_argv);
  });

  test('takes no options', () => {
    assert.throws(
      () => nodeRuntime({ x: 1 } as never),
      /Unknown option `x` for nodeRuntime\(\): it takes no options/,
    );
  });
});
