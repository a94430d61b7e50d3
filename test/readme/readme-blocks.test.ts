/**
 * Every fenced code block of README.md runs, so the README cannot drift from the code.
 *
 * Each block is one test, named by its heading and line. ts blocks run with `node --import tsx`,
 * js blocks with plain `node`, from a folder inside the repository (test-output/), so
 * `import 'microbench-ts'` finds this package's built dist/ (run `npm run build` first; `npm test`
 * does). A block that prints JSON can be followed by a json block marked `output`: its keys must be
 * the ones the run printed.
 *
 * To add a block to the README:
 * - a complete ts/js program: nothing to do, it runs as it is;
 * - a fragment (undefined names, `...` for "your code"): put `<!-- readme-test: fixture NAME -->`
 *   on the line above the fence and write test/readme/fixtures/NAME.ts.tpl (or .mjs.tpl/.cjs.tpl
 *   for js): the imports and helpers the fragment needs, the line `// readme-block`, then checks
 *   of what it did; one `// readme-fill: CODE` line per `...`; `// readme-replace: A => B` for
 *   text to change first (a server URL);
 * - shell commands, paths, output: `<!-- readme-test: skip — why it is not run -->`.
 * The grammar is in test/readme/_blocks.ts; an unannotated non-code block fails this test.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  REDIS_SKIP_REASON,
  startRedisServer,
  type TestRedisServer,
} from '../helpers/redis-server.js';
import { fillFixture, type ReadmeBlock, readmeBlocks } from './_blocks.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const blocks = readmeBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'));

// Fixtures that need a service, and why they are skipped without it.
const NEEDS: Record<string, () => string | false> = {
  'redis-server': () => REDIS_SKIP_REASON,
};

let work: string;
let redis: TestRedisServer | undefined;

before(async () => {
  mkdirSync(join(ROOT, 'test-output'), { recursive: true });
  work = mkdtempSync(join(ROOT, 'test-output', 'readme-'));
  if (!REDIS_SKIP_REASON) redis = await startRedisServer();
});

after(async () => {
  await redis?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

// Run a program file from its own folder; resolves whatever the exit status.
function runFile(file: string, dir: string, tsx: boolean): Promise<Ran> {
  const args = tsx ? ['--import', 'tsx', file] : [file];
  const env = { ...process.env, ...(redis && { README_REDIS_URL: redis.url }) };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      args,
      { cwd: dir, env, timeout: 60_000, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        resolve({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          stdout,
          stderr,
        });
      },
    );
  });
}

// The program file a runnable block becomes: its extension, its text, what it needs.
function programOf(block: ReadmeBlock): { ext: string; text: string; needs: string[] } {
  const action = block.action;
  if (action.kind === 'run') {
    return {
      ext: block.lang === 'ts' ? 'ts' : action.commonjs ? 'cjs' : 'mjs',
      text: block.code,
      needs: [],
    };
  }
  assert.equal(action.kind, 'fixture');
  const name = (action as { name: string }).name;
  const exts = block.lang === 'ts' ? ['ts'] : ['mjs', 'cjs'];
  const ext = exts.find((e) => existsSync(join(FIXTURES, `${name}.${e}.tpl`)));
  assert.ok(
    ext,
    `README line ${block.line}: no fixture test/readme/fixtures/${name}.${exts.join('.tpl or .')}.tpl`,
  );
  const template = readFileSync(join(FIXTURES, `${name}.${ext}.tpl`), 'utf8');
  const needs = [...template.matchAll(/^\/\/ readme-needs: (.*)$/gm)].map((m) => m[1] ?? '');
  return { ext, text: fillFixture(template, block.code, name), needs };
}

let lastOutput: { line: number; stdout: string } | undefined;

for (const [index, block] of blocks.entries()) {
  const title = `README "${block.heading}", line ${block.line} (${block.lang || 'no language'})`;
  const action = block.action;
  if (action.kind === 'invalid') {
    test(title, () => assert.fail(action.message));
    continue;
  }
  if (action.kind === 'skip') {
    test(title, { skip: action.reason }, () => {});
    continue;
  }
  if (action.kind === 'output') {
    const source = lastOutput; // the block above, which has run by the time this test does
    test(`${title}: the output shown has the keys the block above printed, in order`, () => {
      const shown = JSON.parse(block.code) as Record<string, unknown>;
      assert.ok(source, 'an output block must follow a block that runs');
      assert.notEqual(source.stdout, '', `the block at line ${source.line} printed nothing`);
      const printed = JSON.parse(source.stdout) as Record<string, unknown>;
      assert.deepEqual(
        Object.keys(shown),
        Object.keys(printed),
        `README line ${block.line} shows other fields than the block at line ${source.line} prints: update the README`,
      );
    });
    continue;
  }
  const runAt = { line: block.line, stdout: '' };
  lastOutput = runAt;
  test(title, async (t) => {
    const program = programOf(block);
    for (const need of program.needs) {
      const reason = NEEDS[need]?.() ?? `unknown need "${need}"`;
      if (reason) return t.skip(reason);
    }
    const dir = join(work, `block-${index}`);
    mkdirSync(dir);
    const file = join(dir, `block.${program.ext}`);
    writeFileSync(file, program.text);
    const ran = await runFile(file, dir, program.ext === 'ts');
    assert.equal(
      ran.code,
      0,
      `README line ${block.line} failed (program: ${file}):\n${ran.stdout}\n${ran.stderr}`,
    );
    runAt.stdout = ran.stdout;
  });
}

test('the README has runnable blocks, and every one of them is accounted for', () => {
  assert.ok(blocks.filter((b) => b.action.kind !== 'skip').length >= 5);
});
