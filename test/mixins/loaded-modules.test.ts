import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadedModules, parseLoadedModules } from '../../src/mixins/loaded-modules.js';
import { runMixins } from './_run-mixins.js';

describe('loaded-modules', () => {
  test('LOADEDMODULES entries split on the first slash', () => {
    const env = { LOADEDMODULES: 'GCC/12.2.0-GCCcore-12.2.0:OpenMPI/4.1.4/debug: :cuda::' };
    assert.deepEqual(runMixins([loadedModules({ env })]).loaded_modules, {
      GCC: '12.2.0-GCCcore-12.2.0',
      OpenMPI: '4.1.4/debug',
      cuda: '',
    });
  });

  test('unset or empty gives {}', () => {
    assert.deepEqual(runMixins([loadedModules({ env: {} })]).loaded_modules, {});
    assert.deepEqual(parseLoadedModules(''), {});
  });
});
