/**
 * `microbench compare BASELINE CANDIDATE [options]`, or `microbench compare FILE` to compare the
 * benchmarks of one set of records against the first (or `--baseline NAME`). Each side is one or
 * more files, folders or globs (several: `A1 A2 vs B1 B2`), optionally `FILE:N` for one record.
 */

import {
  type CompareOptions,
  type Comparison,
  compareSamples,
  compareSamplesWithin,
  findRegressions,
} from '../../compare/compare.js';
import { type CompareFormat, renderComparison } from '../../compare/render.js';
import { type RecordFilter, readSamples } from '../../compare/samples.js';
import { InputError, OptionError, UsageError } from '../../errors.js';
import { type CommandIO, handleCommandError, printWarnings } from './_io.js';

/** Arguments of `microbench compare`, parsed. */
export interface CompareCommandOptions {
  /** Inputs of the baseline side (or of the one set compared within). */
  readonly baseline: readonly string[];
  /** Inputs of the candidate side; absent: compare within `baseline`. */
  readonly candidate?: readonly string[];
  /** `--baseline NAME`: the benchmark the others are compared against (one set only). */
  readonly baselineName?: string;
  /** `--by FIELD`: match benchmarks by this field. */
  readonly by?: string;
  /** `--filter`: both sides. */
  readonly filters: readonly RecordFilter[];
  readonly baselineFilters: readonly RecordFilter[];
  readonly candidateFilters: readonly RecordFilter[];
  /** `--threshold PCT` as a fraction. */
  readonly threshold?: number;
  /** `--fail-on-regression PCT` as a fraction. */
  readonly failOnRegression?: number;
  readonly format: CompareFormat;
}

/**
 * Print the comparison to stdout and the warnings to stderr. Returns 0, or 1 when
 * `--fail-on-regression` is given and a benchmark is slower by more than it (or on bad input:
 * a missing file, no records), 2 on usage errors.
 */
export async function runCompare(opts: CompareCommandOptions, io: CommandIO): Promise<number> {
  try {
    const options: CompareOptions = {
      ...(opts.by !== undefined && { by: opts.by }),
      ...(opts.threshold !== undefined && { threshold: opts.threshold }),
    };
    const baseline = await readSide(
      opts.baseline,
      [...opts.filters, ...opts.baselineFilters],
      opts,
      io,
    );
    let comparison: Comparison;
    if (opts.candidate === undefined) {
      if (baseline.length < 2) {
        throw new InputError(
          `${describeInputs(opts.baseline)} holds ${baseline.length === 0 ? 'no benchmark' : `one benchmark only (${baseline[0]!.name})`}: ` +
            'compare within one set needs two or more, or give a CANDIDATE to compare against',
        );
      }
      comparison = compareSamplesWithin(baseline, {
        ...options,
        ...(opts.baselineName !== undefined && { baselineName: opts.baselineName }),
      });
    } else {
      const candidate = await readSide(
        opts.candidate,
        [...opts.filters, ...opts.candidateFilters],
        opts,
        io,
      );
      comparison = compareSamples(baseline, candidate, options);
    }
    io.stdout.write(renderComparison(comparison, opts.format));
    printWarnings('compare', comparison.warnings, io);
    const limit = opts.failOnRegression;
    if (limit !== undefined) {
      const regressed = findRegressions(comparison, limit);
      if (regressed.length > 0) {
        io.stderr.write(
          `microbench compare: regression beyond ${toPercent(limit)}: ${regressed
            .map(
              (r) =>
                `${r.name} (${Number.isNaN(r.ratio) ? 'from 0' : `+${toPercent(r.ratio - 1)}`})`,
            )
            .join(', ')}\n`,
        );
        return 1;
      }
    }
    return 0;
  } catch (error) {
    if (error instanceof OptionError)
      return handleCommandError('compare', new UsageError(error.message), io);
    return handleCommandError('compare', error, io);
  }
}

// Read one side's inputs into benchmarks; skipped lines are warned about.
async function readSide(
  inputs: readonly string[],
  filters: readonly RecordFilter[],
  opts: CompareCommandOptions,
  io: CommandIO,
) {
  const result = await readSamples(inputs, {
    filters,
    ...(opts.by !== undefined && { by: opts.by }),
  });
  printWarnings(
    'compare',
    result.problems.map((p) => `${p.file}:${p.line}: skipped: ${p.message}`),
    io,
  );
  if (result.records === 0) {
    throw new InputError(
      `No records in ${describeInputs(inputs)}. Pass results files written by microbench (JSON Lines, one record per line).`,
    );
  }
  if (result.benchmarks.length === 0) {
    throw new InputError(
      `No record in ${describeInputs(inputs)} passes the filters (${filters.map((f) => `${f.key}=${f.value}`).join(', ')}).`,
    );
  }
  return result.benchmarks;
}

// `"a.jsonl", "b.jsonl"`.
function describeInputs(inputs: readonly string[]): string {
  return inputs.map((i) => JSON.stringify(i)).join(', ');
}

// 0.1 → `10%`, 0.0234 → `2.34%`.
function toPercent(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(3))}%`;
}
