import type { CommandIO } from './_io.js';

/** Options of `microbench recover`. */
export interface RecoverCommandOptions {
  /** Outfiles whose journals to recover; empty = every journal under ./.microbench-journal/. */
  readonly outfiles: readonly string[];
  /** Only list what would be recovered. */
  readonly dryRun?: boolean;
}

/**
 * `microbench recover [OUTFILE...]`: turn journals left by dead processes into records marked
 * `interrupted: true`. Returns the exit status (1 when a journal could not be recovered).
 */
export async function runRecover(options: RecoverCommandOptions, io: CommandIO): Promise<number> {
  const { recoverJournals } = await import('../../journal/recover.js');
  const result = recoverJournals({ outfiles: options.outfiles, dryRun: options.dryRun ?? false });
  const verb = options.dryRun ? 'would recover' : 'recovered';
  for (const r of result.recovered) {
    io.stdout.write(`${verb} ${r.functionName} (${r.samples} samples) -> ${r.outfile}\n`);
  }
  for (const live of result.live)
    io.stderr.write(`left alone (its process is still running): ${live}\n`);
  for (const e of result.errors)
    io.stderr.write(`microbench recover: ${e.journal}: ${e.message}\n`);
  if (result.recovered.length === 0 && result.errors.length === 0)
    io.stdout.write('No interrupted runs to recover.\n');
  return result.errors.length > 0 ? 1 : 0;
}
