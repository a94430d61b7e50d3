// The README test's block grammar (test/readme/_blocks.ts): what runs by default, what must be
// annotated, and how fixtures fill a fragment's `...`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fillFixture, readmeBlocks } from './_blocks.js';

const fence = '```';

test('ts and js blocks run by default; an annotation on the line above (blank lines between) decides otherwise', () => {
  const blocks = readmeBlocks(
    [
      '## One',
      `${fence}ts`,
      'const a = 1;',
      fence,
      '<!-- readme-test: run as commonjs -->',
      '',
      `${fence}js`,
      'require("x");',
      fence,
      '### Two',
      '<!-- readme-test: skip — shell commands -->',
      `${fence}sh`,
      'npm ci',
      fence,
      '<!-- readme-test: fixture some-name -->',
      `${fence}ts`,
      'f(...args); g({ ... });',
      fence,
      '<!-- readme-test: output -->',
      `${fence}json`,
      '{}',
      fence,
    ].join('\n'),
  );
  assert.deepEqual(
    blocks.map((b) => [b.heading, b.line, b.lang, b.action]),
    [
      ['One', 2, 'ts', { kind: 'run', commonjs: false }],
      ['One', 7, 'js', { kind: 'run', commonjs: true }],
      ['Two', 12, 'sh', { kind: 'skip', reason: 'shell commands' }],
      ['Two', 16, 'ts', { kind: 'fixture', name: 'some-name' }],
      ['Two', 20, 'json', { kind: 'output' }],
    ],
  );
  assert.equal(blocks[0]?.code, 'const a = 1;');
});

// The message of the one block's `invalid` action (its test fails with it).
function invalid(text: string): string {
  const action = readmeBlocks(text)[0]?.action;
  assert.equal(
    action?.kind,
    'invalid',
    `expected an invalid annotation, got ${JSON.stringify(action)}`,
  );
  return (action as { message: string }).message;
}

test('a block that cannot run needs an annotation, and its test says where and how', () => {
  assert.match(
    invalid(['## Usage', '', `${fence}sh`, 'microbench -- true', fence].join('\n')),
    /README line 3 \(under "Usage"\): a ```sh block needs a comment .*readme-test: skip/,
  );
  assert.match(invalid(['```', 'x', '```'].join('\n')), /\(no language\) block needs/);
  // An annotation further up (separated by text) does not count.
  assert.match(
    invalid(['<!-- readme-test: skip — x -->', 'text', `${fence}sh`, 'ls', fence].join('\n')),
    /needs a comment/,
  );
  // One bad block does not hide the others.
  const both = readmeBlocks([`${fence}sh`, 'ls', fence, `${fence}ts`, 'f();', fence].join('\n'));
  assert.deepEqual(
    both.map((b) => b.action.kind),
    ['invalid', 'run'],
  );
});

test('bad annotations are errors: skip without a reason, unknown words, run on a shell block', () => {
  const one = (annotation: string, lang = 'ts') =>
    invalid([`<!-- readme-test: ${annotation} -->`, `${fence}${lang}`, 'x', fence].join('\n'));
  assert.match(one('skip'), /needs a reason/);
  assert.match(one('skip —'), /needs a reason/);
  assert.match(one('runn'), /unknown annotation "readme-test: runn"/);
  assert.match(one('run', 'sh'), /only ts and js blocks can run/);
  assert.match(one('run as commonjs', 'ts'), /for js blocks/);
  assert.match(one('output', 'ts'), /for json blocks/);
  assert.match(one('fixture x', 'sh'), /only ts and js blocks/);
  assert.throws(() => readmeBlocks(`${fence}ts\nnever closed`), /never closes/);
});

test('fillFixture puts the block at `// readme-block`, fills each `...` in order, replaces first', () => {
  const template = [
    '// readme-fill: return 1;',
    '// readme-fill: return 2;',
    "// readme-replace: 'http://x' => url",
    'const url = "u";',
    '// readme-block',
    'check();',
  ].join('\n');
  const block = "a(() => { ... }, 'http://x');\nb(...rest, [...xs], { ...o }, () => { ... });";
  assert.equal(
    fillFixture(template, block, 't'),
    [
      'const url = "u";',
      'a(() => { return 1; }, url);',
      'b(...rest, [...xs], { ...o }, () => { return 2; });',
      'check();',
    ].join('\n'),
  );
});

test('fillFixture refuses a template that no longer fits its block', () => {
  assert.throws(
    () => fillFixture('// readme-block', 'f(() => { ... })', 'short'),
    /fixture short: the block has 1 `...` placeholder\(s\) but the fixture has 0/,
  );
  assert.throws(
    () => fillFixture('// readme-fill: 1\n// readme-fill: 2\n// readme-block', '{ ... }', 'long'),
    /has 1 `...` placeholder\(s\) but the fixture has 2/,
  );
  assert.throws(
    () => fillFixture("// readme-replace: 'gone' => x\n// readme-block", 'f()', 'stale'),
    /no longer contains 'gone'/,
  );
  assert.throws(() => fillFixture('nothing', 'f()', 'nowhere'), /no "\/\/ readme-block" line/);
});
