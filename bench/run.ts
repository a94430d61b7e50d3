/**
 * `npm run bench`: the performance harness. Measures what DESIGN §7 sets targets for, prints
 * the results and writes BENCHMARKS.md.
 *
 *   run.ts ──► for each group: fresh plain `node` process (bench/_child.ts) ──► Section
 *          ──► console tables + target verdicts ──► BENCHMARKS.md (full runs, or --write)
 *
 * Usage: npm run bench [-- --quick] [-- --write | --no-write] [-- --only overhead,cli]
 *   --quick     fewer rounds, shorter windows (under 30 s); does not write BENCHMARKS.md
 *   --write     write BENCHMARKS.md (the default for a full run)
 *   --no-write  do not write BENCHMARKS.md
 *   --only IDS  run only these groups (comma-separated ids, listed by --help)
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runInChild } from './_child.js';
import { measureHostSpeed, renderHostSpeed } from './_host-speed.js';
import { assertBuilt, REPO_ROOT } from './_lib.js';
import { detectMachine, loadAverage, renderMachine } from './_machine.js';
import {
  type BenchArgs,
  type Check,
  renderSectionMarkdown,
  renderSectionText,
  renderTableMarkdown,
  renderTableText,
  renderVerdict,
  type Section,
  type Table,
} from './_report.js';
import { formatNumber } from './_stats.js';

// A measurement group: a module's exported function, run in a fresh process when it measures
// in-process, or here when it only starts processes of its own (each fresh) and collects.
interface Group {
  readonly id: string;
  readonly file: string;
  readonly fn: string;
  readonly fresh: boolean;
  readonly timeoutMs: number;
}

const GROUPS: readonly Group[] = [
  { id: 'overhead', file: './overhead.ts', fn: 'measureWrapper', fresh: true, timeoutMs: 120_000 },
  {
    id: 'telemetry',
    file: './overhead.ts',
    fn: 'measureTelemetry',
    fresh: true,
    timeoutMs: 120_000,
  },
  { id: 'fidelity', file: './sampler-fidelity.ts', fn: 'measure', fresh: false, timeoutMs: 0 },
  { id: 'sampler-cost', file: './sampler-cost.ts', fn: 'measure', fresh: false, timeoutMs: 0 },
  { id: 'journal', file: './journal-and-records.ts', fn: 'measure', fresh: false, timeoutMs: 0 },
  { id: 'cli', file: './cli-startup.ts', fn: 'measure', fresh: false, timeoutMs: 0 },
  { id: 'cli-tree', file: './cli-tree-telemetry.ts', fn: 'measure', fresh: false, timeoutMs: 0 },
  {
    id: 'cli-short',
    file: './cli-short-command.ts',
    fn: 'measure',
    fresh: false,
    timeoutMs: 0,
  },
  { id: 'mixins', file: './mixins-cost.ts', fn: 'measure', fresh: true, timeoutMs: 120_000 },
  { id: 'compare', file: './compare-cost.ts', fn: 'measure', fresh: false, timeoutMs: 0 },
  { id: 'file', file: './file-output.ts', fn: 'measure', fresh: true, timeoutMs: 120_000 },
  { id: 'scale', file: './results-at-scale.ts', fn: 'measure', fresh: false, timeoutMs: 0 },
  { id: 'python', file: './python-microbench.ts', fn: 'measure', fresh: false, timeoutMs: 0 },
];

const BENCHMARKS_MD = fileURLToPath(new URL('../BENCHMARKS.md', import.meta.url));

interface CliArgs {
  readonly quick: boolean;
  readonly write: boolean;
  readonly only: readonly string[] | undefined;
}

// Parse this script's own flags (a tiny set: no dependency needed).
function parseArgs(argv: readonly string[]): CliArgs {
  let quick = false;
  let write: boolean | undefined;
  let only: string[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--quick') quick = true;
    else if (arg === '--write') write = true;
    else if (arg === '--no-write') write = false;
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const value = arg === '--only' ? argv[++i] : arg.slice('--only='.length);
      only = (value ?? '').split(',').filter(Boolean);
      const unknown = only.filter((id) => !GROUPS.some((g) => g.id === id));
      if (unknown.length > 0 || only.length === 0) {
        fail(`--only expects group ids from: ${GROUPS.map((g) => g.id).join(', ')}`);
      }
    } else if (arg === '--help' || arg === '-h') {
      process.stdout.write(
        `Usage: npm run bench [-- --quick] [-- --write | --no-write] [-- --only IDS]\nGroups: ${GROUPS.map((g) => g.id).join(', ')}\n`,
      );
      process.exit(0);
    } else {
      fail(`Unknown option ${JSON.stringify(arg)}; expected --quick, --write, --no-write, --only`);
    }
  }
  return { quick, write: write ?? (!quick && only === undefined), only };
}

// The commit measured, and whether the working tree had uncommitted changes (or undefined).
function detectRevision(): string | undefined {
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8', timeout: 5000 }).trim();
  try {
    const commit = git('rev-parse', '--short', 'HEAD');
    const dirty = git('status', '--porcelain', '--untracked-files=no', '--', 'src') !== '';
    return `commit ${commit}${dirty ? ' with uncommitted changes in src/' : ''}`;
  } catch {
    return undefined;
  }
}

function fail(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const cli = parseArgs(process.argv.slice(2));
  assertBuilt();
  const machine = detectMachine();
  const startedAt = new Date();
  const start = performance.now();
  const mode = cli.quick ? 'quick' : 'full';
  const revision = detectRevision();
  process.stdout.write(
    `microbench-ts benchmarks (${mode} mode${revision ? `, ${revision}` : ''})\n`,
  );
  // Stated with the machine: tells a faster or slower host apart from a change in the code.
  const hostSpeed = renderHostSpeed(measureHostSpeed());
  for (const line of [...renderMachine(machine), hostSpeed]) process.stdout.write(`  ${line}\n`);
  process.stdout.write('\n');

  const args: BenchArgs = { quick: cli.quick };
  const sections: Section[] = [];
  let failed = 0;
  for (const group of GROUPS) {
    if (cli.only && !cli.only.includes(group.id)) continue;
    const groupStart = performance.now();
    let section: Section;
    try {
      const url = new URL(group.file, import.meta.url).href;
      if (group.fresh) {
        section = runInChild<Section>(url, group.fn, args, { timeoutMs: group.timeoutMs });
      } else {
        const mod = (await import(url)) as Record<string, (a: BenchArgs) => Promise<Section>>;
        section = await mod[group.fn]!(args);
      }
    } catch (error) {
      failed++;
      process.stderr.write(`bench: group ${group.id} failed: ${(error as Error).stack}\n`);
      section = {
        title: `${group.id} (failed)`,
        method: `The measurement failed: ${(error as Error).message}`,
        tables: [],
        checks: [],
        notes: [],
      };
    }
    sections.push(section);
    const seconds = (performance.now() - groupStart) / 1000;
    process.stdout.write(`${renderSectionText(section)}\n  (${formatNumber(seconds, 2)} s)\n\n`);
  }

  const elapsedS = (performance.now() - start) / 1000;
  const loadEnd = loadAverage();
  const checks = sections.flatMap((s) => s.checks);
  const summary = renderSummary(checks);
  process.stdout.write(`== DESIGN §7 targets ==\n${renderTableText(summary)}\n`);
  process.stdout.write(
    `\nTook ${formatNumber(elapsedS, 3)} s (after the build). Load average at end: ${loadEnd.map((v) => v.toFixed(2)).join(' / ')}\n`,
  );

  if (cli.write) {
    const markdown = renderMarkdown({
      mode,
      revision,
      startedAt,
      machineLines: [...renderMachine(machine, loadEnd), hostSpeed],
      summary,
      sections,
      elapsedS,
      missed: checks.filter((c) => !c.pass).length,
    });
    writeFileSync(BENCHMARKS_MD, markdown);
    process.stdout.write(`Wrote ${BENCHMARKS_MD}\n`);
  }
  if (failed > 0) process.exitCode = 1;
}

// The table of every target with its measured value and verdict.
function renderSummary(checks: readonly Check[]): Table {
  return {
    head: ['target', 'measured', 'verdict'],
    rows: checks.map((c) => [c.target, c.measured, renderVerdict(c.pass)]),
  };
}

// BENCHMARKS.md: machine, verdicts, then every group's tables and notes.
function renderMarkdown(report: {
  mode: string;
  revision: string | undefined;
  startedAt: Date;
  machineLines: readonly string[];
  summary: Table;
  sections: readonly Section[];
  elapsedS: number;
  missed: number;
}): string {
  const when = `${report.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const verdict =
    report.missed === 0
      ? 'Every DESIGN §7 target is met in this run.'
      : `**${report.missed} of ${report.summary.rows.length} DESIGN §7 targets are missed in this run** (marked MISSED below, each with its known cause).`;
  return `${[
    '# Benchmarks',
    `Numbers from \`npm run bench\` (${report.mode} mode, ${when}${report.revision ? `, ${report.revision}` : ''}; the measurements took ${formatNumber(report.elapsedS, 3)} s after the build). They measure the built library (\`dist/\`) and CLI, each measurement in a fresh \`node\` process. Refresh this file with \`npm run bench\` whenever a change moves a number; \`npm run bench -- --quick\` is a faster check that writes nothing.`,
    verdict,
    '## Machine',
    report.machineLines.map((l) => `- ${l}`).join('\n'),
    'The machine is shared with other jobs (see the load average): absolute numbers are noisy, so each group interleaves what it compares and states ratios measured within the same run. The VM may also run on different hardware from one run to the next: the host speed line above tells a faster or slower host from a change in the code.',
    '## DESIGN §7 targets',
    renderTableMarkdown(report.summary),
    ...report.sections.map(renderSectionMarkdown),
  ].join('\n\n')}\n`;
}

await main();
