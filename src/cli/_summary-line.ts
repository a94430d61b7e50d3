// internal: the one line microbench prints on stderr when a run ends (`--quiet` turns it off).
//
//   microbench: sleep: 1.002 s ± 1.31 ms (min 1.001 s … max 1.004 s), n=3; record → results.jsonl
//   microbench: sh: 8.600 s (n=1); 3 failed (exit 1 ×3); record → stdout
//
// The figures are `microbench summary`'s: successful iterations only (splitIterations, the one
// rule every reader uses), sample standard deviation (n − 1), failures counted per iteration.
import { splitIterations } from '../record/iterations.js';
import { formatSeconds } from '../report/_units.js';

/**
 * The end-of-run line for `record` (with its newline): mean ± σ and the range of the successful
 * iterations, n, the failed / timed-out / interrupted iterations with their exit codes, and the
 * outputs the record went to (their names, e.g. `file:results.jsonl`), noting a failed delivery.
 */
export function renderRunSummary(
  record: Readonly<Record<string, unknown>>,
  outputNames: readonly string[],
  deliveryFailed = false,
): string {
  const outcomes = splitIterations(record);
  const durations = outcomes.successfulDurationsS;
  const n = durations.length;
  const parts: string[] = [];
  if (n === 0) {
    parts.push('no successful iteration');
  } else {
    const mean = durations.reduce((a, b) => a + b, 0) / n;
    if (n === 1) {
      parts.push(`${formatSeconds(mean)} (n=1)`);
    } else {
      const variance = durations.reduce((a, d) => a + (d - mean) ** 2, 0) / (n - 1);
      const min = Math.min(...durations);
      const max = Math.max(...durations);
      parts.push(
        `${formatSeconds(mean)} ± ${formatSeconds(Math.sqrt(variance))} ` +
          `(min ${formatSeconds(min)} … max ${formatSeconds(max)}), n=${n}`,
      );
    }
  }
  const problems: string[] = [];
  if (outcomes.failed > 0) problems.push(`${outcomes.failed} failed`);
  if (outcomes.timedOut > 0) problems.push(`${outcomes.timedOut} timed out`);
  if (outcomes.interrupted > 0) {
    const by = typeof record.interrupted === 'string' ? ` by ${record.interrupted}` : '';
    problems.push(`${outcomes.interrupted} interrupted${by}`);
  }
  let failures = problems.join(', ');
  if (outcomes.failedReturnCodes.length > 0)
    failures += ` (${renderCodes(outcomes.failedReturnCodes)})`;
  if (failures !== '') parts.push(failures);
  const where = outputNames.map((name) => name.replace(/^file:/, '')).join(', ');
  if (where !== '')
    parts.push(`record → ${where}${deliveryFailed ? ' (delivery failed, see above)' : ''}`);
  const name = typeof record.function_name === 'string' ? record.function_name : 'command';
  return `microbench: ${name}: ${parts.join('; ')}\n`;
}

// `exit 1 ×3, signal 15`: each code once, in order of first appearance, with its count.
function renderCodes(codes: readonly number[]): string {
  const counts = new Map<number, number>();
  for (const code of codes) counts.set(code, (counts.get(code) ?? 0) + 1);
  return [...counts]
    .map(([code, count]) => {
      const text = code < 0 ? `signal ${-code}` : `exit ${code}`;
      return count > 1 ? `${text} ×${count}` : text;
    })
    .join(', ');
}
