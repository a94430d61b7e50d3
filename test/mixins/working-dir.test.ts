import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { workingDir } from '../../src/mixins/working-dir.js';
import { runMixins } from './_run-mixins.js';

describe('working-dir', () => {
  test('records the working directory for library and CLI calls', () => {
    assert.equal(runMixins([workingDir()]).working_dir, process.cwd());
    assert.equal(runMixins([workingDir()], { invocation: 'cli' }).working_dir, process.cwd());
  });
});
