// `npm run mutate [-- [--concurrency N] [--only FILE:START-END] GROUP...]`: mutation testing of the core modules with StrykerJS.
//
//   for each group ──► stryker run (command runner) ──► reports/mutation/<group>.json
//     mutate: the group's source files          │
//     command: node --test per test file, &&  └─► a table of scores and surviving mutants
//
// Stryker's command runner has no per-test coverage, so every mutant runs the whole command:
// each group maps its modules to the few test files that exercise them, which keeps a group to
// minutes on a 2-core machine. Mutants are switched at run time (Stryker's mutation switching),
// so a group whose tests run the built CLI builds once (`build: true`) and every mutant reuses
// that build. Not part of CI: it is slow. docs/mutation-testing.md records the last scores and
// the survivors accepted, with why.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../', import.meta.url).pathname;

/** Each group: the modules to mutate, the tests that must catch the mutants, and whether they need dist/. */
export const GROUPS = {
  json: {
    mutate: ['src/json/encode.ts', 'src/json/_plain-json.ts'],
    tests: ['test/json/json-encoding.test.ts', 'test/json/encode-json-fast-path.test.ts'],
  },
  reservoir: {
    mutate: ['src/telemetry/_reservoir.ts'],
    tests: ['test/telemetry/sample-reservoir.test.ts'],
  },
  compile: {
    mutate: ['src/telemetry/_compile.ts'],
    tests: [
      'test/telemetry/compile-telemetry-source.test.ts',
      'test/telemetry/telemetry-function-failures.test.ts',
    ],
  },
  'did-you-mean': {
    mutate: ['src/bench/_did-you-mean.ts'],
    tests: [
      'test/bench/did-you-mean.test.ts',
      'test/bench/options-and-bad-input.test.ts',
      'test/cli/parse-args.test.ts',
    ],
  },
  'read-jsonl': {
    mutate: ['src/record/read-jsonl.ts', 'src/record/inputs.ts'],
    tests: ['test/record/read-jsonl.test.ts'],
  },
  recover: {
    mutate: ['src/journal/recover.ts'],
    tests: [
      'test/journal/recover-journals.test.ts',
      'test/journal/journal-trust.test.ts',
      'test/journal/killed-run-recovery.test.ts',
    ],
    build: true,
  },
  pending: {
    mutate: ['src/journal/pending.ts'],
    tests: [
      'test/journal/pending-journal.test.ts',
      'test/journal/journal-lifecycle.test.ts',
      'test/journal/journal-trust.test.ts',
    ],
    build: true,
  },
  'file-output': {
    mutate: ['src/outputs/_write-line.ts', 'src/outputs/_append-files.ts'],
    tests: [
      'test/outputs/file-append.test.ts',
      'test/outputs/file-short-write.test.ts',
      'test/outputs/file-follows-path.test.ts',
    ],
  },
  'cli-exit': {
    mutate: ['src/cli/main.ts'],
    tests: [
      'test/cli/cli-exit-status.test.ts',
      'test/cli/cli-signal-forwarding.test.ts',
      'test/cli/cli-signal-reaches-once.test.ts',
      'test/cli/cli-usage-errors.test.ts',
    ],
    build: true,
  },
  // main.ts's dispatch and the run's option checks (lines ~38-146): each subcommand reached, and
  // the usage errors raised there. Cheap: no signals, no long runs.
  'cli-dispatch': {
    mutate: ['src/cli/main.ts'],
    tests: ['test/cli/cli-usage-errors.test.ts', 'test/cli/cli-dispatch.test.ts'],
    build: true,
  },
};

// `--concurrency N`: mutants tested at once (default 2, one per core here; 1 leaves a core free).
const argv = process.argv.slice(2);
let concurrency = 2;
const at = argv.indexOf('--concurrency');
if (at !== -1) {
  concurrency = Number(argv[at + 1]);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    console.error('mutate: --concurrency needs a whole number of at least 1, e.g. --concurrency 1');
    process.exit(2);
  }
  argv.splice(at, 2);
}
// `--only FILE:START-END`: mutate just those lines (Stryker's pattern) instead of the group's
// modules, e.g. one rule of a module whose whole group takes hours.
let only;
const onlyAt = argv.indexOf('--only');
if (onlyAt !== -1) {
  const pattern = argv[onlyAt + 1] ?? '';
  if (!/^[\w./-]+\.ts:\d+-\d+$/.test(pattern)) {
    console.error(
      'mutate: --only needs FILE:START-END, e.g. --only src/journal/recover.ts:120-160',
    );
    process.exit(2);
  }
  only = [pattern];
  argv.splice(onlyAt, 2);
}
const wanted = argv;
for (const name of wanted) {
  if (!(name in GROUPS)) {
    console.error(
      `mutate: no group ${JSON.stringify(name)}; groups: ${Object.keys(GROUPS).join(', ')}`,
    );
    process.exit(2);
  }
}
const names = wanted.length > 0 ? wanted : Object.keys(GROUPS);
const reportDir = join(root, 'reports', 'mutation');
mkdirSync(reportDir, { recursive: true });

const rows = [];
for (const name of names) {
  const group = GROUPS[name];
  const missing = [...group.mutate, ...group.tests].filter((f) => !existsSync(join(root, f)));
  if (missing.length > 0) {
    console.error(
      `mutate: group ${name}: missing ${missing.join(', ')} (update scripts/mutate.mjs)`,
    );
    process.exit(2);
  }
  const config = {
    testRunner: 'command',
    commandRunner: {
      // One `node --test` per file, chained with &&: a mutant is killed by the first failing
      // file without running the rest (node 20's test runner has no --test-bail), so the
      // files go cheapest and most telling first; a survivor still runs them all.
      command: group.tests
        .map((file) => `node --import tsx --test --test-concurrency=1 ${file}`)
        .join(' && '),
    },
    ...(group.build && { buildCommand: 'npm run build --silent' }),
    mutate: only ?? group.mutate,
    coverageAnalysis: 'off',
    concurrency,
    timeoutMS: 60_000,
    reporters: ['clear-text', 'progress', 'json'],
    jsonReporter: { fileName: join(reportDir, `${name}.json`) },
    clearTextReporter: { allowColor: false, logTests: false },
    tempDirName: '.stryker-tmp',
    cleanTempDir: 'always',
    ignorePatterns: ['dist', 'reports', '.stryker-tmp', 'scratch', 'test-output'],
  };
  const configFile = join(root, '.stryker-tmp-config.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const started = Date.now();
  const run = spawnSync(join(root, 'node_modules', '.bin', 'stryker'), ['run', configFile], {
    cwd: root,
    stdio: 'inherit',
  });
  rmSync(configFile, { force: true });
  const seconds = Math.round((Date.now() - started) / 1000);
  if (run.status !== 0) {
    rows.push({ name, seconds, error: `stryker exited ${run.status ?? run.signal}` });
    continue;
  }
  rows.push({
    name,
    seconds,
    ...scoreOf(JSON.parse(readFileSync(join(reportDir, `${name}.json`), 'utf8'))),
  });
}

console.log('\ngroup          killed  survived  timeout  no-cov  score   time');
for (const row of rows) {
  if (row.error) {
    console.log(`${row.name.padEnd(14)} ${row.error}`);
    continue;
  }
  console.log(
    `${row.name.padEnd(14)} ${String(row.killed).padStart(6)}  ${String(row.survived).padStart(8)}  ${String(row.timeout).padStart(7)}  ${String(row.noCoverage).padStart(6)}  ${row.score.toFixed(1).padStart(5)}%  ${row.seconds} s`,
  );
  for (const s of row.survivors) console.log(`    survived: ${s}`);
}
process.exit(rows.some((r) => r.error) ? 1 : 0);

// Counts and survivors from a mutation-testing-report-schema JSON report.
function scoreOf(report) {
  const counts = { killed: 0, survived: 0, timeout: 0, noCoverage: 0 };
  const survivors = [];
  for (const [file, { mutants }] of Object.entries(report.files)) {
    for (const m of mutants) {
      if (m.status === 'Killed') counts.killed++;
      else if (m.status === 'Timeout') counts.timeout++;
      else if (m.status === 'NoCoverage') counts.noCoverage++;
      else if (m.status === 'Survived') {
        counts.survived++;
        survivors.push(
          `${file}:${m.location.start.line} ${m.mutatorName}: ${m.replacement ?? ''}`.trim(),
        );
      }
    }
  }
  const detected = counts.killed + counts.timeout;
  const total = detected + counts.survived + counts.noCoverage;
  return { ...counts, score: total === 0 ? 100 : (100 * detected) / total, survivors };
}
