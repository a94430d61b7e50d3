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

  test('the fields are constant: gathered once, the shared argv array frozen', () => {
    const mixin = nodeRuntime();
    assert.equal(mixin.capture, undefined, 'nothing to do per call');
    const a = runMixins([mixin]);
    const b = runMixins([mixin]);
    assert.deepEqual(a.node_exec_argv, b.node_exec_argv);
    assert.ok(Object.isFrozen(a.node_exec_argv));
  });

  test('takes no options', () => {
    assert.throws(
      () => nodeRuntime({ x: 1 } as never),
      /Unknown option `x` for nodeRuntime\(\): it takes no options/,
    );
  });
});
