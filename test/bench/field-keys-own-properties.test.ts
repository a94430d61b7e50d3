// `fields` and `--field` keys are own properties of the record: `__proto__`, `constructor` and
// the other names Object.prototype has are ordinary keys, never silently lost on the way to the
// encoded JSON (library: memory and file outputs, flattened results; CLI: --field).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { MicroBench } from '../../src/bench/micro-bench.js';
import { makeTempDir, readOnlyRecord, runCli } from '../helpers/cli.js';
import { watchWarnings } from '../helpers/warnings.js';

watchWarnings();
const tmp = makeTempDir('mb-field-keys-');
after(() => tmp.dispose());

// Keys that name something on Object.prototype, `__proto__` first (an accessor there).
const KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];
// Fields with those keys as own properties (JSON.parse makes `__proto__` an own key).
const fields = (): Record<string, unknown> =>
  JSON.parse(JSON.stringify(Object.fromEntries(KEYS.map((k) => [k, `v-${k}`])))) as Record<
    string,
    unknown
  >;

// Every key is an own, enumerable property with its value, and the prototype is untouched.
function assertOwnFields(record: Record<string, unknown>, where: string): void {
  for (const key of KEYS) {
    assert.ok(Object.hasOwn(record, key), `${where}: ${key} is an own property`);
    assert.equal(record[key], `v-${key}`, `${where}: ${key}`);
  }
  assert.equal(
    Object.getPrototypeOf(record),
    Object.prototype,
    `${where}: the prototype is Object.prototype`,
  );
}

test('library fields: own keys in memory results, flattened results and the file', async () => {
  assert.ok(Object.hasOwn(fields(), '__proto__'), 'the test fields really hold an own __proto__');
  const outfile = join(tmp.path, 'lib.jsonl');
  const inMemory = new MicroBench({ defaultMixins: false, fields: fields() });
  const inFile = new MicroBench({ defaultMixins: false, fields: fields(), outfile });
  for (const bench of [inMemory, inFile]) {
    bench.wrap(function call() {
      return 1;
    })();
    // A second function: another encoded head, and a record encoded whole after a change.
    bench.record('block', () => 2);
  }
  await inFile.close();
  for (const [i, record] of (await inMemory.getResults()).entries())
    assertOwnFields(record, `memory #${i}`);
  for (const [i, record] of (await inMemory.getResults({ flat: true })).entries())
    assertOwnFields(record, `flat #${i}`);
  const lines = readFileSync(outfile, 'utf8').trim().split('\n');
  assert.equal(lines.length, 2);
  for (const [i, line] of lines.entries()) {
    assert.match(line, /"__proto__":"v-__proto__"/);
    assertOwnFields(JSON.parse(line), `file line ${i + 1}`);
  }
  await inMemory.close();
});

test('a replacer (the copying encoder) keeps them too', async () => {
  const bench = new MicroBench({
    defaultMixins: false,
    fields: fields(),
    jsonReplacer: (_k, v) => v,
  });
  bench.record('replaced', () => 1);
  const [record] = await bench.getResults();
  assertOwnFields(record!, 'with a replacer');
});

test("recordFormat 'v2' keeps them as top-level keys too", async () => {
  const outfile = join(tmp.path, 'v2.jsonl');
  const bench = new MicroBench({
    defaultMixins: false,
    fields: fields(),
    outfile,
    recordFormat: 'v2',
  });
  bench.record('first', () => 1);
  bench.record('second', () => 2);
  await bench.close();
  const lines = readFileSync(outfile, 'utf8').trim().split('\n');
  assert.equal(lines.length, 2);
  for (const [i, line] of lines.entries()) assertOwnFields(JSON.parse(line), `v2 line ${i + 1}`);
});

test('--field __proto__=x and friends reach the CLI record', async () => {
  const outfile = join(tmp.path, 'cli.jsonl');
  const flags = KEYS.flatMap((key) => ['--field', `${key}=v-${key}`]);
  const result = await runCli(['--no-mixin', ...flags, '--outfile', outfile, '--', 'true']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(readFileSync(outfile, 'utf8'), /"__proto__":"v-__proto__"/);
  assertOwnFields(readOnlyRecord(outfile), 'CLI record');
});
