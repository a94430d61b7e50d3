import { validateEnv, validateOptionKeys } from './_options.js';
import { once } from './_subprocess.js';
import { defineMixin, type Mixin } from './mixin.js';

/** Options of {@link slurmInfo}. */
export interface SlurmInfoOptions {
  /** Environment to read. @default process.env */
  env?: NodeJS.ProcessEnv;
}

/**
 * SLURM job context: `slurm`, every `SLURM_*` environment variable with the prefix stripped
 * and the rest lower-cased (`SLURM_JOB_ID` → `slurm.job_id`); `{}` outside SLURM. Read once per
 * mixin instance, at the first call (a job's variables do not change while it runs).
 */
export function slurmInfo(options?: SlurmInfoOptions): Mixin {
  const raw = validateOptionKeys(options, 'slurmInfo', ['env']);
  const env = validateEnv(raw.env, 'env');
  const read = once(() => readSlurmVariables(env));
  return defineMixin({
    name: 'slurm-info',
    description: 'SLURM job variables (SLURM_*)',
    capture(record) {
      record.slurm = { ...read() };
    },
  });
}

/** `{name: value}` of the `SLURM_*` variables in `env`, prefix stripped, lower-cased, sorted. */
export function readSlurmVariables(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const slurm: Record<string, string> = {};
  for (const key of Object.keys(env).sort()) {
    const value = env[key];
    if (key.startsWith('SLURM_') && value !== undefined) slurm[key.slice(6).toLowerCase()] = value;
  }
  return slurm;
}
