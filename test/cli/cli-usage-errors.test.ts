// Usage mistakes: one clear line plus a hint, exit status 2, nothing run. Also the informational
// flags (--help, --version, --show-mixins, --dry-run) that exit 0 without running anything.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { makeTempDir, runCli } from '../helpers/cli.js';

describe('microbench usage mistakes', { concurrency: 2 }, () => {
  const tmp = makeTempDir();
  after(() => tmp.dispose());
  const marker = join(tmp.path, 'ran');
  const command = ['--', 'sh', '-c', `touch ${marker}`];

  const cases: { args: string[]; message: RegExp }[] = [
    {
      args: ['--iteratons', '3', ...command],
      message: /unknown option '--iteratons' \(did you mean --iterations\?\)/,
    },
    {
      // Two edits from --iterations: still close enough for a suggestion.
      args: ['--iteratoins', '3', ...command],
      message: /unknown option '--iteratoins' \(did you mean --iterations\?\)/,
    },
    {
      args: ['-n', '0', ...command],
      message: /--iterations: expected a whole number of at least 1, got '0'/,
    },
    {
      args: ['--warmup', 'x', ...command],
      message: /--warmup: expected a whole number of at least 0, got 'x'/,
    },
    {
      args: ['--timeout', '-1', ...command],
      message: /--timeout: expected a positive number of seconds/,
    },
    {
      // Past Node's longest timer (2^31 - 1 ms) setTimeout would fire after 1 ms.
      args: ['--timeout', '2147484', ...command],
      message:
        /--timeout: at most 2147483 seconds .*got '2147484'; for no limit leave --timeout out/,
    },
    {
      args: ['--timeout', '1', '--timeout-grace-period', '3e9', ...command],
      message: /--timeout-grace-period: at most 2147483 seconds/,
    },
    {
      args: ['--telemetry-interval', '0', ...command],
      message: /--telemetry-interval: expected a positive number/,
    },
    { args: ['--stdout=loud', ...command], message: /--stdout: invalid value 'loud'/ },
    {
      args: ['--field', 'novalue', ...command],
      message: /--field: expected KEY=VALUE, got 'novalue'/,
    },
    {
      args: ['--timeout-grace-period', '1', ...command],
      message: /--timeout-grace-period needs --timeout/,
    },
    {
      args: ['--telemetry-children', ...command],
      message: /--telemetry-children needs --telemetry-interval/,
    },
    {
      args: ['--all', '--no-mixin', ...command],
      message: /--all and --no-mixin cannot be used together/,
    },
    {
      args: ['--mixin', 'no-such-mixin', ...command],
      message: /--mixin: unknown mixin 'no-such-mixin'/,
    },
    { args: ['--mixin', 'sh', '-c', 'true'], message: /unknown option '-c'/ },
    {
      args: ['--git-repo', '.', ...command],
      message: /--git-repo: the 'git-info' mixin is not loaded/,
    },
    { args: ['--redis-port', '7000', ...command], message: /--redis-port needs --redis-output/ },
    { args: ['--outfile'], message: /--outfile needs a value \(FILE\)/ },
    { args: [], message: /no command given: put the command to run after '--'/ },
    {
      args: ['--field', 'command=x', ...command],
      message: /'command' is a field microbench records itself/,
    },
    {
      // A v2 record's namespaces are taken too (a v1 record may have a field named host).
      args: ['--record-format', 'v2', '--field', 'host=x', ...command],
      message: /--field host=\.\.\.: 'host' is a namespace of the v2 record layout/,
    },
    {
      args: ['--http-output', 'http://127.0.0.1:9/', '--http-output-header', 'nocolon', ...command],
      message: /--http-output-header: expected KEY:VALUE, got 'nocolon'/,
    },
    { args: ['diff', 'only-one.jsonl'], message: /diff needs exactly two results files/ },
    // A misspelt subcommand is not run as a command (exit 127): one or two edits away.
    {
      args: ['sumary', 'r.jsonl'],
      message: /unknown subcommand 'sumary' \(did you mean 'summary'\?\)/,
    },
    { args: ['comprae', 'a.jsonl'], message: /did you mean 'compare'/ },
    { args: ['summary', '--format', 'yaml', 'r.jsonl'], message: /--format/ },
  ];
  const subcommands = ['report', 'summary', 'compare', 'recover', 'diff', 'export'];

  for (const { args, message } of cases) {
    test(`microbench ${args.join(' ')}`, async () => {
      const result = await runCli(args);
      assert.equal(result.code, 2, result.stderr);
      assert.equal(result.stdout, '');
      const lines = result.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 2, result.stderr);
      assert.match(lines[0]!, /^microbench: error: /);
      assert.match(lines[0]!, message);
      // The hint fits: a subcommand's mistake points to that subcommand's help.
      const help = subcommands.includes(args[0]!)
        ? `microbench help ${args[0]}`
        : 'microbench --help';
      assert.equal(lines[1], `Try '${help}'.`);
      assert.equal(existsSync(marker), false, 'the command must not run');
    });
  }
});

describe('microbench informational flags', { concurrency: 2 }, () => {
  test('--version prints the version', async () => {
    const result = await runCli(['--version']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^microbench \d+\.\d+\.\d+/);
  });

  test('--help lists the options, the subcommands and the mixin flags', async () => {
    const result = await runCli(['--help']);
    assert.equal(result.code, 0);
    for (const text of [
      'Usage: microbench [options] -- COMMAND [ARGS...]',
      '--telemetry-interval SECONDS',
      '--stdout[=suppress]',
      '--mixin NAME...',
      'microbench report',
      '--git-repo DIR',
    ]) {
      assert.ok(result.stdout.includes(text), `help lacks ${text}`);
    }
    assert.equal(
      result.stdout.includes('--monitor-interval SECONDS '),
      false,
      'the alias is not a line of its own',
    );
  });

  test('help SUBCOMMAND prints its usage', async () => {
    const result = await runCli(['help', 'report']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^Usage: microbench report FILE\.\.\./);
  });

  test('--show-mixins lists every mixin, marks the defaults, shows mixin flags', async () => {
    const result = await runCli(['--show-mixins']);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.split('\n');
    assert.equal(lines[0], 'Available mixins (* = included by default):');
    assert.equal(lines[1], '');
    assert.ok(lines.some((l) => /^ {2}\* host-info +\S/.test(l)));
    assert.ok(lines.some((l) => /^ {4}git-info +\S/.test(l)));
    assert.ok(lines.some((l) => /^ +--hash-file FILE \[FILE \.\.\.\]$/.test(l)));
  });

  test('--dry-run prints the plan and runs nothing', async () => {
    const tmp = makeTempDir();
    try {
      const marker = join(tmp.path, 'ran');
      const args = [
        '--dry-run',
        '-n',
        '3',
        '-w',
        '1',
        '-o',
        'out.jsonl',
        '--stdout',
        '--timeout',
        '10',
      ];
      const more = [
        '--telemetry-interval',
        '0.5',
        '--telemetry-children',
        '-f',
        'a=b',
        '--mixin',
        'host-info',
        'git-info',
        '--git-repo',
        '.',
      ];
      const result = await runCli([...args, ...more, '--', 'sh', '-c', `touch ${marker}`]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(existsSync(marker), false);
      assert.equal(
        result.stdout,
        [
          'Dry run — command will not be executed.',
          '',
          `  Command:    sh -c 'touch ${marker}'`,
          '  Output:     out.jsonl',
          '  Mixins:     host-info, git-info',
          '    --git-repo .',
          '  Iterations: 3 (+1 warmup)',
          '  Capture:    --stdout',
          '  Timeout:    10s (grace period: 5s)',
          '  Telemetry:  every 0.5s (process tree)',
          '  Fields:     a=b',
          '',
        ].join('\n'),
      );
    } finally {
      tmp.dispose();
    }
  });

  test('--dry-run with --no-mixin says none', async () => {
    const result = await runCli(['--dry-run', '--no-mixin', '--', 'true']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /Mixins: {5}none/);
    assert.match(result.stdout, /Output: {5}stdout/);
  });
});
