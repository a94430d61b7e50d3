import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { slurmInfo } from '../../src/mixins/slurm-info.js';
import { runMixins } from './_run-mixins.js';

const CAPTURE = join(import.meta.dirname, '..', 'fixtures', 'mixin-capture.ts');

// Environment without any SLURM_* variable the test runner itself may run under.
function envWithoutSlurm(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SLURM_')));
}

describe('slurm-info', () => {
  test('a child started with SLURM variables records them, prefix stripped, lower-cased', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', CAPTURE, 'slurm-info'], {
      env: {
        ...envWithoutSlurm(),
        SLURM_JOB_ID: '12345',
        SLURM_CPUS_ON_NODE: '8',
        SLURM_JOB_NODELIST: 'node[01-04]',
        SLURMD_NODENAME: 'node01',
        NOT_SLURM_X: '1',
      },
      encoding: 'utf8',
    });
    assert.deepEqual(JSON.parse(out), {
      slurm: { cpus_on_node: '8', job_id: '12345', job_nodelist: 'node[01-04]' },
    });
  });

  test('outside SLURM the field is an empty object', () => {
    assert.deepEqual(runMixins([slurmInfo({ env: { HOME: '/home/x' } })]).slurm, {});
  });

  test('each record gets its own object', () => {
    const mixin = slurmInfo({ env: { SLURM_JOB_ID: '1' } });
    const a = runMixins([mixin]).slurm;
    const b = runMixins([mixin]).slurm;
    assert.deepEqual(a, b);
    assert.notEqual(a, b);
  });

  test('a bad env option is rejected', () => {
    assert.throws(() => slurmInfo({ env: 'x' as never }), /`env` to be an object/);
  });
});
