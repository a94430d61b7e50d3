// Where the CLI's record goes: HTTP alongside a file, and a failing output that never loses it.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeTempDir, parseRecords, readOnlyRecord, runCli } from '../helpers/cli.js';
import { startHttpServer, type TestHttpServer } from '../helpers/http-server.js';

describe('microbench outputs', () => {
  const tmp = makeTempDir();
  let server: TestHttpServer;
  before(async () => {
    server = await startHttpServer();
  });
  after(async () => {
    await server.close();
    tmp.dispose();
  });

  test('--http-output POSTs the record (with headers) and prints nothing on stdout', async () => {
    const args = ['--no-mixin', '--http-output', `${server.origin}/records`];
    const header = ['--http-output-header', 'X-Token: abc'];
    const result = await runCli([...args, ...header, '--', 'sh', '-c', 'exit 0']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '');
    const request = server.requests.at(-1)!;
    assert.equal(request.method, 'POST');
    assert.equal(request.path, '/records');
    assert.equal(request.headers['x-token'], 'abc');
    const record = JSON.parse(request.body);
    assert.deepEqual(record.command, ['sh', '-c', 'exit 0']);
    assert.equal(record.invocation, 'CLI');
  });

  test('a failing output: the others still get the record, the error and the record go to stderr, exit 1', async () => {
    server.script({ status: 400, body: 'no' });
    const outfile = join(tmp.path, 'kept.jsonl');
    const args = ['--no-mixin', '-o', outfile, '--http-output', server.origin];
    const result = await runCli([...args, '--', 'true']);
    assert.equal(result.code, 1);
    assert.equal(readOnlyRecord(outfile).function_name, 'true');
    assert.match(result.stderr, /^microbench: error: 1 record delivery failed/);
    const [fallback] = parseRecords(result.stderr);
    assert.equal(fallback?.function_name, 'true');
  });

  test('a bad header is a usage error before anything runs', async () => {
    const marker = join(tmp.path, 'ran');
    const args = ['--http-output', server.origin, '--http-output-header', 'no-colon'];
    const result = await runCli([...args, '--', 'sh', '-c', `touch ${marker}`]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--http-output-header: expected KEY:VALUE/);
    assert.equal(existsSync(marker), false);
  });

  test('an unwritable outfile keeps the command status when it failed, and loses nothing', {
    skip: !existsSync('/dev/full') && 'needs /dev/full',
  }, async () => {
    const result = await runCli(['--no-mixin', '-o', '/dev/full', '--', 'sh', '-c', 'exit 3']);
    assert.equal(result.code, 3);
    assert.match(result.stderr, /ENOSPC/);
    assert.deepEqual(parseRecords(result.stderr)[0]?.returncode, [3]);
  });
});
