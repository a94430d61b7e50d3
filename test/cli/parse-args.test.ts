// The CLI's argument parser, in-process: option forms, the command boundary, subcommands,
// mixin names and flags.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_CLI_MIXIN_NAMES } from '../../src/cli/commands/run.js';
import {
  type CliInvocation,
  type MixinFlagSpec,
  mayUseMixinFlags,
  parseCliArgs,
  type RunCliOptions,
  refuseMisspeltSubcommand,
  resolveMixinNames,
} from '../../src/cli/parse-args.js';
import { UsageError } from '../../src/errors.js';
import { CLI_DEFAULT_MIXINS, MIXIN_REGISTRY, resolveMixinName } from '../../src/mixins/index.js';

// The run options of argv (fails the test for anything else).
function run(argv: string[], flags: MixinFlagSpec[] = []): RunCliOptions {
  const parsed: CliInvocation = parseCliArgs(argv, flags);
  assert.equal(parsed.type, 'run');
  return (parsed as Extract<CliInvocation, { type: 'run' }>).options;
}

const REGISTRY = {
  names: Object.keys(MIXIN_REGISTRY),
  defaults: CLI_DEFAULT_MIXINS,
  resolve: resolveMixinName,
};

describe('parseCliArgs', () => {
  test('defaults', () => {
    const options = run(['--', 'sleep', '1']);
    assert.deepEqual(options.command, ['sleep', '1']);
    assert.equal(options.iterations, 1);
    assert.equal(options.warmup, 0);
    assert.equal(options.timeoutGracePeriodS, 5);
    assert.equal(options.telemetryScope, 'tree');
    assert.deepEqual(options.fields, {});
    assert.equal(options.mixins, undefined);
    for (const key of ['outfile', 'stdout', 'stderr', 'timeoutS', 'telemetryIntervalS']) {
      assert.equal(key in options, false, key);
    }
  });

  test('--timeout up to the longest Node timer (2147483 s) is accepted, not beyond', () => {
    assert.equal(run(['--timeout', '2147483', '--', 'true']).timeoutS, 2147483);
    assert.throws(() => run(['--timeout', '2147483.5', '--', 'true']), /at most 2147483 seconds/);
  });

  test('--telemetry-scope: tree by default, direct on request, --telemetry-children means tree', () => {
    const interval = ['--telemetry-interval', '1'];
    assert.equal(run([...interval, '--', 'true']).telemetryScope, 'tree');
    const direct = run([...interval, '--telemetry-scope', 'direct', '--', 'true']);
    assert.equal(direct.telemetryScope, 'direct');
    const children = run([...interval, '--telemetry-children', '--', 'true']);
    assert.equal(children.telemetryScope, 'tree');
    assert.throws(
      () => run(['--telemetry-scope', 'direct', '--', 'true']),
      /--telemetry-scope needs --telemetry-interval/,
    );
  });

  test('a first word one or two edits from a subcommand is refused with "did you mean"', () => {
    const nowhere = () => false;
    assert.throws(
      () => refuseMisspeltSubcommand('sumary', nowhere),
      /unknown subcommand 'sumary' \(did you mean 'summary'\?\)\. To run a program named 'sumary', put '--' before it/,
    );
    // Two edits (a transposition) still count: the threshold is not one edit.
    assert.throws(() => refuseMisspeltSubcommand('summray', nowhere), /did you mean 'summary'/);
    assert.throws(() => refuseMisspeltSubcommand('reprot', nowhere), /did you mean 'report'/);
    // A program of that name on PATH runs as before; far words and paths are commands.
    assert.doesNotThrow(() => refuseMisspeltSubcommand('sumary', (name) => name === 'sumary'));
    assert.doesNotThrow(() => refuseMisspeltSubcommand('sleep', nowhere));
    assert.doesNotThrow(() => refuseMisspeltSubcommand('./sumary', nowhere));
    // The default PATH check: `diff` is a subcommand, `dif` is close, and no `dif` is installed.
    assert.throws(() => run(['dif', 'a', 'b']), /did you mean 'diff'/);
    assert.deepEqual(run(['--', 'sumary', 'x']).command, ['sumary', 'x']);
  });

  test('long, long=value, short, short-attached forms', () => {
    const options = run([
      '--iterations=3',
      '-w2',
      '-o',
      'x.jsonl',
      '--timeout',
      '1.5',
      '--',
      'true',
    ]);
    assert.equal(options.iterations, 3);
    assert.equal(options.warmup, 2);
    assert.equal(options.outfile, 'x.jsonl');
    assert.equal(options.timeoutS, 1.5);
  });

  test('the first word ends the options: the command keeps its own flags', () => {
    assert.deepEqual(run(['-n', '2', 'ls', '-l', '--all']).command, ['ls', '-l', '--all']);
    assert.deepEqual(run(['--', '--weird-name', '-x']).command, ['--weird-name', '-x']);
  });

  test('--stdout alone captures, =suppress suppresses; a bare word after it is the command', () => {
    const options = run(['--stdout', '--stderr=suppress', 'suppress']);
    assert.equal(options.stdout, 'capture');
    assert.equal(options.stderr, 'suppress');
    assert.deepEqual(options.command, ['suppress']);
  });

  test('--mixin takes several names up to the next option, and repeats', () => {
    const options = run(['--mixin', 'host-info', 'git-info', '-m', 'MBSlurmInfo', '--', 'true']);
    assert.deepEqual(options.mixins, ['host-info', 'git-info', 'MBSlurmInfo']);
  });

  test('--field splits at the first =, keeps strings, last one wins', () => {
    const options = run(['-f', 'url=a=b', '-f', 'n=1', '--field', 'n=2', '--', 'true']);
    assert.deepEqual(options.fields, { url: 'a=b', n: '2' });
  });

  test('fractional telemetry interval, and the v2 alias', () => {
    assert.equal(run(['--telemetry-interval', '0.25', '--', 'true']).telemetryIntervalS, 0.25);
    assert.equal(run(['--monitor-interval', '2', '--', 'true']).telemetryIntervalS, 2);
    assert.equal(
      run(['--telemetry-interval', '2', '--monitor-interval', '2', '--', 'true'])
        .telemetryIntervalS,
      2,
    );
    assert.throws(
      () => parseCliArgs(['--telemetry-interval', '1', '--monitor-interval', '2', '--', 'true']),
      /disagree/,
    );
  });

  test('--capture-limit takes bytes with an optional K/M/G suffix, and needs a capture', () => {
    const limit = (value: string) =>
      run(['--stdout', '--capture-limit', value, '--', 'true']).captureLimitBytes;
    assert.equal(limit('65536'), 65536);
    assert.equal(limit('512K'), 512 * 1024);
    assert.equal(limit('64M'), 64 * 1024 ** 2);
    assert.equal(limit('2GiB'), 2 * 1024 ** 3);
    assert.equal(run(['--stdout', '--', 'true']).captureLimitBytes, undefined);
    for (const bad of ['0', '1', 'lots', '1.5M', '-5', '10T']) {
      assert.throws(
        () => parseCliArgs(['--stdout', '--capture-limit', bad, '--', 'true']),
        (error: unknown) =>
          error instanceof UsageError &&
          error.message.includes(`--capture-limit: expected a number of bytes`) &&
          error.message.includes(`got '${bad}'`),
        bad,
      );
    }
    assert.throws(
      () => parseCliArgs(['--capture-limit', '1M', '--', 'true']),
      /--capture-limit needs --stdout or --stderr/,
    );
  });

  test('--show-mixins needs no command', () => {
    assert.equal(run(['--show-mixins']).showMixins, true);
  });

  test('help, version and subcommands', () => {
    assert.deepEqual(parseCliArgs(['--help']), { type: 'help' });
    assert.deepEqual(parseCliArgs(['-h', '--', 'x']), { type: 'help' });
    assert.deepEqual(parseCliArgs(['--version']), { type: 'version' });
    assert.deepEqual(parseCliArgs(['help', 'diff']), { type: 'help', topic: 'diff' });
    assert.deepEqual(parseCliArgs(['report', 'a.jsonl', 'b.jsonl', '-o', 'r.html']), {
      type: 'report',
      options: { files: ['a.jsonl', 'b.jsonl'], output: 'r.html' },
    });
    assert.deepEqual(parseCliArgs(['summary', 'a.jsonl']), {
      type: 'summary',
      options: { files: ['a.jsonl'], format: 'text' },
    });
    assert.deepEqual(parseCliArgs(['summary', 'a.jsonl', '--format', 'csv']), {
      type: 'summary',
      options: { files: ['a.jsonl'], format: 'csv' },
    });
    assert.deepEqual(
      parseCliArgs(['compare', 'a.jsonl', 'b.jsonl', '--threshold', '5%', '--by', 'case']),
      {
        type: 'compare',
        options: {
          baseline: ['a.jsonl'],
          candidate: ['b.jsonl'],
          filters: [],
          baselineFilters: [],
          candidateFilters: [],
          format: 'text',
          by: 'case',
          threshold: 0.05,
        },
      },
    );
    assert.deepEqual(
      compareOptions(['compare', 'a1', 'a2', 'vs', 'b1', '--fail-on-regression', '10']),
      {
        baseline: ['a1', 'a2'],
        candidate: ['b1'],
        filters: [],
        baselineFilters: [],
        candidateFilters: [],
        format: 'text',
        failOnRegression: 0.1,
      },
    );
    assert.deepEqual(
      compareOptions(['compare', 'one.jsonl', '--baseline', 'parse', '--filter', 'k=v=w']),
      {
        baseline: ['one.jsonl'],
        filters: [{ key: 'k', value: 'v=w' }],
        baselineFilters: [],
        candidateFilters: [],
        format: 'text',
        baselineName: 'parse',
      },
    );
    assert.deepEqual(parseCliArgs(['diff', 'a.jsonl', 'b.jsonl:2', '--field', 'git']), {
      type: 'diff',
      options: { a: 'a.jsonl', b: 'b.jsonl:2', fields: ['git'] },
    });
    assert.deepEqual(parseCliArgs(['recover', '--dry-run', 'out.jsonl']), {
      type: 'recover',
      options: { outfiles: ['out.jsonl'], dryRun: true },
    });
    assert.deepEqual(parseCliArgs(['recover']), {
      type: 'recover',
      options: { outfiles: [], dryRun: false },
    });
    assert.deepEqual(parseCliArgs(['report', '--help']), { type: 'help', topic: 'report' });
    // Only the first word is a subcommand; after `--` or an option it is a command.
    assert.deepEqual(run(['--', 'report', 'x']).command, ['report', 'x']);
    assert.deepEqual(run(['-n', '1', 'summary']).command, ['summary']);
  });

  test('mixin flags are known once the registry gives them', () => {
    const flags: MixinFlagSpec[] = [
      {
        mixin: 'git-info',
        option: 'repo',
        flag: '--git-repo',
        metavar: 'DIR',
        variadic: false,
        help: '',
      },
      {
        mixin: 'file-hash',
        option: 'files',
        flag: '--hash-file',
        metavar: 'FILE',
        variadic: true,
        help: '',
      },
    ];
    assert.equal(mayUseMixinFlags(['--git-repo', '.', '--', 'true']), true);
    assert.equal(mayUseMixinFlags(['-n', '2', '--', '--git-repo']), false);
    assert.throws(() => parseCliArgs(['--git-repo', '.', '--', 'true']), UsageError);
    const options = run(
      ['--git-repo', 'a', '--git-repo', 'b', '--hash-file', 'x', 'y', '--', 'true'],
      flags,
    );
    assert.deepEqual(
      options.mixinFlags.map((f) => [f.spec.flag, f.value]),
      [
        ['--git-repo', 'b'],
        ['--hash-file', ['x', 'y']],
      ],
    );
  });
});

describe('resolveMixinNames', () => {
  test('defaults, --all, --no-mixin', () => {
    const base = { allMixins: false, noMixin: false };
    assert.deepEqual(resolveMixinNames(base, REGISTRY), [...CLI_DEFAULT_MIXINS]);
    assert.deepEqual(
      resolveMixinNames({ ...base, allMixins: true }, REGISTRY),
      [...REGISTRY.names].sort(),
    );
    assert.deepEqual(
      resolveMixinNames({ ...base, noMixin: true, mixins: ['host-info'] }, REGISTRY),
      [],
    );
  });

  test('defaults expands in place, names are deduplicated, microbench names work', () => {
    const names = resolveMixinNames(
      {
        allMixins: false,
        noMixin: false,
        mixins: ['git-info', 'defaults', 'MBHostInfo', 'defaults'],
      },
      REGISTRY,
    );
    assert.deepEqual(names, ['git-info', ...CLI_DEFAULT_MIXINS]);
    assert.deepEqual(
      resolveMixinNames({ allMixins: false, noMixin: false, mixins: ['MBPythonInfo'] }, REGISTRY),
      ['node-runtime'],
    );
  });

  test('an unknown name is a usage error with a suggestion', () => {
    assert.throws(
      () => resolveMixinNames({ allMixins: false, noMixin: false, mixins: ['host-inf'] }, REGISTRY),
      (error: Error) =>
        error instanceof UsageError &&
        /unknown mixin 'host-inf' \(did you mean 'host-info'\?\)/.test(error.message),
    );
  });

  test("the CLI's lean default list matches the registry's", () => {
    assert.deepEqual([...DEFAULT_CLI_MIXIN_NAMES], [...CLI_DEFAULT_MIXINS]);
  });
});

// The options of a `compare` command line.
function compareOptions(argv: readonly string[]): unknown {
  const invocation = parseCliArgs(argv);
  assert.equal(invocation.type, 'compare');
  return invocation.type === 'compare' ? invocation.options : undefined;
}
