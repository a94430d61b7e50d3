// `npm run demo` (examples/demo.ts): the record file it names at the end exists and holds the
// record it printed.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runTsChild } from '../helpers/node-child.js';

test('the demo prints its record and keeps the file it points to', async () => {
  const demo = fileURLToPath(new URL('../../examples/demo.ts', import.meta.url));
  const ran = await runTsChild(demo, [], { timeoutMs: 60_000 });
  assert.equal(ran.code, 0, ran.stderr);
  const kept = /record kept in (\S+results\.jsonl)/.exec(ran.stdout)?.[1];
  assert.ok(kept, `no "record kept in" line:\n${ran.stdout}`);
  try {
    assert.ok(existsSync(kept), `${kept} does not exist`);
    const inFile = JSON.parse(readFileSync(kept, 'utf8').trim()) as Record<string, unknown>;
    const printed = ran.stdout.slice(0, ran.stdout.indexOf('\n}\n') + 2);
    assert.deepEqual(JSON.parse(printed), inFile, 'the printed record is the kept one');
    assert.equal(inFile.function_name, 'sortNumbers');
    assert.equal((inFile.run_durations as unknown[]).length, 3);
  } finally {
    rmSync(dirname(kept), { recursive: true, force: true });
  }
});
