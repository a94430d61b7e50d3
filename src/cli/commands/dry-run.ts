/** `microbench --dry-run ...`: print what would run, where the record would go, run nothing. */
import type { MixinFlagValue, RunCliOptions } from '../parse-args.js';

/**
 * The text of `--dry-run` (microbench v2's layout). Lines for capture, timeout, telemetry and
 * fields appear only when those options are given.
 *
 * ```
 * Dry run — command will not be executed.
 *
 *   Command:    ./x.sh arg
 *   Output:     out.jsonl
 *   Mixins:     node-runtime, host-info, slurm-info, loaded-modules, working-dir, resource-usage
 *   Iterations: 3 (+1 warmup)
 *   Timeout:    10s (grace period: 5s)
 *   Telemetry:  every 0.5s (process tree)
 *   Fields:     experiment=baseline
 * ```
 */
export function renderDryRun(options: RunCliOptions, mixins: readonly string[]): string {
  const lines = ['Dry run — command will not be executed.', ''];
  const row = (label: string, value: string) => lines.push(`  ${`${label}:`.padEnd(12)}${value}`);
  row('Command', options.command.map(quoteForShell).join(' '));
  const outputs = [
    ...(options.outfile !== undefined ? [options.outfile] : []),
    ...(options.httpOutput !== undefined
      ? [`${options.httpOutputMethod?.toUpperCase() ?? 'POST'} ${options.httpOutput}`]
      : []),
    ...(options.redisOutput !== undefined ? [`redis:${options.redisOutput}`] : []),
  ];
  row('Output', outputs.length > 0 ? outputs.join(', ') : 'stdout');
  row('Mixins', mixins.length > 0 ? mixins.join(', ') : 'none');
  for (const given of options.mixinFlags) lines.push(`    ${renderFlag(given)}`);
  row(
    'Iterations',
    `${options.iterations}${options.warmup > 0 ? ` (+${options.warmup} warmup)` : ''}`,
  );
  const capture = [
    ...(options.stdout ? [options.stdout === 'suppress' ? '--stdout=suppress' : '--stdout'] : []),
    ...(options.stderr ? [options.stderr === 'suppress' ? '--stderr=suppress' : '--stderr'] : []),
    ...(options.captureLimitBytes !== undefined
      ? [`--capture-limit ${options.captureLimitBytes}`]
      : []),
  ];
  if (capture.length > 0) row('Capture', capture.join(' '));
  if (options.timeoutS !== undefined) {
    row('Timeout', `${options.timeoutS}s (grace period: ${options.timeoutGracePeriodS}s)`);
  }
  if (options.telemetryIntervalS !== undefined) {
    row(
      'Telemetry',
      `every ${options.telemetryIntervalS}s (${options.telemetryScope === 'tree' ? 'process tree' : 'the command alone'})`,
    );
  }
  const fields = Object.entries(options.fields);
  if (fields.length > 0) row('Fields', fields.map(([k, v]) => `${k}=${v}`).join(', '));
  return `${lines.join('\n')}\n`;
}

// `--hash-file a b` / `--git-repo .`
function renderFlag(given: MixinFlagValue): string {
  const values = typeof given.value === 'string' ? [given.value] : given.value;
  return [given.spec.flag, ...values.map(quoteForShell)].join(' ');
}

// A word as a POSIX shell would need it to be written: bare when safe, else single-quoted.
function quoteForShell(word: string): string {
  if (/^[\w@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
