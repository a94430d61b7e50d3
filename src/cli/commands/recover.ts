import type { CommandIO } from './_io.js';

/** Options of `microbench recover`. */
export interface RecoverCommandOptions {
  /** Outfiles whose journals to recover; empty = every journal under ./.microbench-journal/. */
  readonly outfiles: readonly string[];
  /** Only list what would be recovered. */
  readonly dryRun?: boolean;
}

/**
 * `microbench recover [--dry-run] [OUTFILE...]`: turn journals left by dead processes into
 * records marked `interrupted: true`, appended to their outfile. Prints one line per journal;
 * returns the exit status (1 when a journal could not be read or its record not written).
 */
export async function runRecover(options: RecoverCommandOptions, io: CommandIO): Promise<number> {
  const { recoverJournals } = await import('../../journal/recover.js');
  const dryRun = options.dryRun ?? false;
  const result = recoverJournals({ outfiles: options.outfiles, dryRun });
  const verb = dryRun ? 'would recover' : 'recovered';
  for (const r of result.recovered) {
    const what = r.finished ? 'finished, record not yet written' : 'interrupted';
    const samples = `${r.samples} sample${r.samples === 1 ? '' : 's'}`;
    io.stdout.write(`${verb} ${r.functionName} (${what}, ${samples}) -> ${r.outfile}\n`);
  }
  for (const d of result.discarded) {
    io.stdout.write(`${dryRun ? 'would discard' : 'discarded'} ${d.journal}: ${d.reason}\n`);
  }
  for (const live of result.live) {
    io.stderr.write(`microbench recover: left alone ${live.journal}: ${live.reason}\n`);
  }
  for (const skipped of result.skipped) {
    io.stderr.write(`microbench recover: skipped ${skipped.journal}: ${skipped.reason}\n`);
  }
  for (const e of result.errors) {
    io.stderr.write(`microbench recover: ${e.journal}: ${e.message}\n`);
  }
  if (result.recovered.length === 0 && result.errors.length === 0) {
    const live = result.live.length;
    io.stdout.write(
      live === 0
        ? 'No interrupted runs to recover.\n'
        : `Nothing to recover now: ${live} journal${live === 1 ? ' belongs' : 's belong'} to running processes.\n`,
    );
  }
  return result.errors.length > 0 ? 1 : 0;
}
