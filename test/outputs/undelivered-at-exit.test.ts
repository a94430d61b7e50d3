// A process that exits with records not delivered (no close()) writes them to stderr as JSON
// lines, after a warning naming each output, so nothing is lost.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { makeTempDir, parseRecords } from '../helpers/cli.js';
import { fixturePath, runTsChild } from '../helpers/node-child.js';

const tmp = makeTempDir('mb-undelivered-');
after(() => tmp.dispose());

const fixture = fixturePath('undelivered-at-exit.ts');

test('records that failed and were never flushed: the warning names the output, the records follow', {
  skip: !existsSync('/dev/full') && 'needs /dev/full',
}, async () => {
  const { code, stderr } = await runTsChild(fixture, ['failed']);
  assert.equal(code, 0, stderr);
  assert.match(
    stderr,
    /exiting with records not delivered:\n {2}- file:\/dev\/full: 2 failed \(not yet reported by flush\(\)\)\nThe 2 undelivered record\(s\) follow, one JSON line each/,
  );
  const records = parseRecords(stderr);
  assert.deepEqual(
    records.map((r) => [r.function_name, r.marker]),
    [
      ['first', 'undelivered-test'],
      ['second', 'undelivered-test'],
    ],
  );
});

test('records still in flight at process.exit(): printed whole on stderr', async () => {
  const { code, stderr } = await runTsChild(fixture, ['in-flight']);
  assert.equal(code, 0, stderr);
  assert.match(stderr, /- http:\/\/127\.0\.0\.1:\d+\/records: 2 still in flight/);
  const records = parseRecords(stderr);
  assert.deepEqual(
    records.map((r) => r.function_name),
    ['first', 'second'],
  );
  assert.ok(Array.isArray(records[0]!.run_durations), 'the whole record, not a summary');
});

test('a recordOnExit() record written at process.exit() is printed too', async () => {
  const { code, stderr } = await runTsChild(fixture, ['on-exit']);
  assert.equal(code, 0, stderr);
  assert.match(stderr, /1 still in flight/);
  assert.deepEqual(
    parseRecords(stderr).map((r) => r.function_name),
    ['at-exit'],
  );
});

test('every record delivered: nothing on stderr', async () => {
  const { code, stderr } = await runTsChild(fixture, ['delivered', join(tmp.path, 'ok.jsonl')]);
  assert.equal(code, 0, stderr);
  assert.equal(stderr, '');
});
