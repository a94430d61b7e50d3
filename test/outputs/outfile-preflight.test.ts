// An outfile that cannot be written is found before any work: the CLI exits 1 with one line
// before it spawns the command (whose side effect is then absent), and the library throws an
// OptionError naming the path and the OS error when the bench or output is made.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  watch,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { MicroBench } from '../../src/bench/micro-bench.js';
import { OptionError, UsageError } from '../../src/errors.js';
import { fileOutput } from '../../src/outputs/file.js';
import { preflightOutputs } from '../../src/outputs/preflight.js';
import { CLI_PATH, ensureBuilt, makeTempDir, runCli } from '../helpers/cli.js';
import { whyNobodyCannotRead } from '../helpers/second-user.js';
import { watchWarnings } from '../helpers/warnings.js';

watchWarnings();
const tmp = makeTempDir('mb-preflight-');
after(() => tmp.dispose());

// procfs refuses new entries: unwritable even for root.
const UNWRITABLE = '/proc/nope/r.jsonl';

describe('at construction (library)', () => {
  test('new MicroBench({ outfile }) throws an OptionError naming the path and the OS error', () => {
    assert.throws(
      () => new MicroBench({ outfile: UNWRITABLE, defaultMixins: false }),
      (error: unknown) => {
        assert.ok(error instanceof OptionError);
        assert.match(
          error.message,
          /^`outfile` "\/proc\/nope\/r\.jsonl": cannot open it for appending \(/,
        );
        assert.match(error.message, /ENOENT|EACCES|EROFS|ENOTDIR/);
        assert.ok((error.cause as NodeJS.ErrnoException).code, 'the OS error is the cause');
        return true;
      },
    );
  });

  test('fileOutput(path) does the same', () => {
    assert.throws(() => fileOutput(UNWRITABLE), OptionError);
    assert.throws(
      () => fileOutput(join('/dev/null', 'under-a-file.jsonl')),
      /ENOTDIR|ENOENT|EEXIST/,
    );
  });

  test('a writable path passes, and the check leaves no empty file behind', async () => {
    const outfile = join(tmp.path, 'lib', 'new.jsonl');
    const bench = new MicroBench({ outfile, defaultMixins: false });
    assert.equal(existsSync(outfile), false, 'no record yet, no file');
    bench.record('one', () => 1);
    await bench.close();
    assert.equal(JSON.parse(readFileSync(outfile, 'utf8')).function_name, 'one');
  });

  test('the check never creates the outfile, not even for a moment', async () => {
    // A file the check made and removed again took with it whatever another process appended
    // in between (test/outputs/file-concurrent-processes.test.ts races real processes).
    const folder = join(tmp.path, 'watched');
    mkdirSync(folder);
    const seen: string[] = [];
    const watcher = watch(folder, (_event, name) => seen.push(String(name)));
    try {
      for (let i = 0; i < 5; i++) fileOutput(join(folder, 'out.jsonl'));
      new MicroBench({ outfile: join(folder, 'out.jsonl'), defaultMixins: false });
      // inotify reports in order: once the marker is seen, every earlier event has been.
      writeFileSync(join(folder, 'marker'), '');
      while (!seen.includes('marker')) await sleep(10);
    } finally {
      watcher.close();
    }
    assert.ok(seen.length > 1, 'the check is seen probing the folder');
    assert.equal(seen.includes('out.jsonl'), false, seen.join(' '));
    assert.deepEqual(readdirSync(folder), ['marker'], 'and leaves nothing behind');
  });

  test('a link to a file not made yet: its folder is checked, and the first record creates it', async () => {
    const target = join(tmp.path, 'link-target', 'results.jsonl');
    mkdirSync(dirname(target));
    const link = join(tmp.path, 'link.jsonl');
    symlinkSync(target, link);
    const bench = new MicroBench({ outfile: link, defaultMixins: false });
    assert.equal(existsSync(target), false);
    bench.record('linked', () => 1);
    await bench.close();
    assert.equal(JSON.parse(readFileSync(target, 'utf8')).function_name, 'linked');

    symlinkSync('/proc/nope/results.jsonl', join(tmp.path, 'bad-link.jsonl'));
    assert.throws(
      () => fileOutput(join(tmp.path, 'bad-link.jsonl')),
      (error: unknown) => {
        assert.ok(error instanceof OptionError);
        assert.match(error.message, /bad-link\.jsonl": cannot open it for appending \(/);
        assert.doesNotMatch(error.message, /mb-probe/, 'the probe is not what the user sees');
        return true;
      },
    );
  });

  test('an existing file is opened, not replaced', async () => {
    const outfile = join(tmp.path, 'lib', 'new.jsonl');
    const bench = new MicroBench({ outfile, defaultMixins: false });
    bench.record('two', () => 2);
    await bench.close();
    const names = readFileSync(outfile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).function_name);
    assert.deepEqual(names, ['one', 'two']);
  });
});

describe('preflightOutputs (CLI)', () => {
  test('an unwritable file: a one-line ERR_MB_OUTPUT error, not a usage error', () => {
    assert.throws(
      () => preflightOutputs({ outfile: UNWRITABLE }),
      (error: unknown) => {
        assert.equal((error as { code?: string }).code, 'ERR_MB_OUTPUT');
        assert.ok(!(error instanceof UsageError) && !(error instanceof OptionError));
        assert.match(
          (error as Error).message,
          /^--outfile "\/proc\/nope\/r\.jsonl": cannot open it/,
        );
        assert.doesNotMatch((error as Error).message, /\n/);
        return true;
      },
    );
  });

  test('flag values that cannot be right are usage errors', () => {
    assert.throws(() => preflightOutputs({ outfile: 'r-{host}.jsonl' }), UsageError);
    assert.throws(() => preflightOutputs({ outfile: '' }), UsageError);
    assert.throws(
      () => preflightOutputs({ httpOutput: 'not a url' }),
      /--http-output: expected a URL/,
    );
    assert.throws(
      () => preflightOutputs({ httpOutput: 'ftp://host/x' }),
      /http:\/\/ or https:\/\//,
    );
  });

  test('good destinations pass and leave nothing behind', () => {
    const outfile = join(tmp.path, 'pre', 'ok.jsonl');
    preflightOutputs({ outfile, httpOutput: 'http://127.0.0.1:9/records' });
    assert.equal(existsSync(outfile), false);
  });
});

describe('microbench --outfile (CLI)', () => {
  test('an unwritable outfile: exit 1, one line, and the command never ran', async () => {
    const marker = join(tmp.path, 'ran-proc');
    const result = await runCli(['--outfile', UNWRITABLE, '--', 'sh', '-c', `touch ${marker}`]);
    assert.equal(result.code, 1, result.stderr);
    assert.equal(existsSync(marker), false, 'the command was not spawned');
    assert.match(
      result.stderr,
      /^microbench: error: --outfile "\/proc\/nope\/r\.jsonl": cannot open it for appending/,
    );
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  });

  test('a folder another user cannot write to: EACCES before the command runs', (t) => {
    if (process.getuid?.() !== 0)
      return t.skip('needs root to run the CLI as a second user (setpriv)');
    ensureBuilt();
    const unreadable = whyNobodyCannotRead(CLI_PATH);
    if (unreadable) return t.skip(unreadable);
    const closed = join(tmp.path, 'root-only');
    mkdirSync(closed, { mode: 0o755 });
    const open = join(tmp.path, 'anyone');
    mkdirSync(open);
    chmodSync(open, 0o777);
    chmodSync(tmp.path, 0o755);
    const marker = join(open, 'ran');
    const result = spawnSync(
      'setpriv',
      [
        '--reuid=65534',
        '--regid=65534',
        '--clear-groups',
        process.execPath,
        CLI_PATH,
        '--no-mixin',
        '--outfile',
        join(closed, 'r.jsonl'),
        '--',
        'sh',
        '-c',
        `touch ${marker}`,
      ],
      { encoding: 'utf8', cwd: open },
    );
    if (result.error) return t.skip(`setpriv unavailable: ${result.error.message}`);
    assert.equal(result.status, 1, result.stderr);
    assert.match(
      result.stderr,
      /--outfile ".*root-only\/r\.jsonl": cannot open it for appending \(EACCES/,
    );
    assert.equal(existsSync(marker), false, 'the command was not spawned');
    assert.equal(existsSync(join(closed, 'r.jsonl')), false);
    assert.doesNotMatch(result.stderr, /mb-probe/, 'the error names the outfile, not the probe');
  });
});
