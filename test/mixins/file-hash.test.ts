import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { detectCommandFiles, fileHash } from '../../src/mixins/file-hash.js';
import { makeTempDir, runMixins } from './_run-mixins.js';

const temp = makeTempDir('hash');

// The hex digest of `content` with `algorithm`.
function digest(content: string | Buffer, algorithm = 'sha256'): string {
  return createHash(algorithm).update(content).digest('hex');
}

describe('file-hash', () => {
  after(() => temp.remove());

  test('SHA-256 of each named file, keyed by the path as given, plus the algorithm', () => {
    const a = join(temp.dir, 'a.txt');
    const big = join(temp.dir, 'big.bin');
    writeFileSync(a, 'hello\n');
    const bigContent = Buffer.alloc(200 * 1024 + 7, 0x5a);
    writeFileSync(big, bigContent);
    const record = runMixins([fileHash({ files: [a, big] })]);
    assert.deepEqual(record.file_hashes, { [a]: digest('hello\n'), [big]: digest(bigContent) });
    assert.equal(record.file_hash_algorithm, 'sha256');
  });

  test('the algorithm is selectable (case-insensitive) and validated', () => {
    const a = join(temp.dir, 'alg.txt');
    writeFileSync(a, 'x');
    const record = runMixins([fileHash({ files: [a], algorithm: 'SHA512' })]);
    assert.deepEqual(record.file_hashes, { [a]: digest('x', 'sha512') });
    assert.equal(record.file_hash_algorithm, 'sha512');
    assert.throws(() => fileHash({ files: [a], algorithm: 'sha999' }), {
      name: 'OptionError',
      message: /`algorithm`.*crypto\.getHashes\(\).*got "sha999" \(string\)/,
    });
  });

  test('a changed file is hashed again; an unchanged one is not re-read', () => {
    const a = join(temp.dir, 'changing.txt');
    writeFileSync(a, 'one');
    const mixin = fileHash({ files: [a] });
    assert.equal((runMixins([mixin]).file_hashes as Record<string, string>)[a], digest('one'));
    writeFileSync(a, 'two, longer');
    assert.equal(
      (runMixins([mixin]).file_hashes as Record<string, string>)[a],
      digest('two, longer'),
    );
  });

  test('defaults to the main script (process.argv[1])', () => {
    const script = process.argv[1] ?? '';
    const record = runMixins([fileHash()]);
    assert.deepEqual(record.file_hashes, { [script]: digest(readFileSync(script)) });
  });

  test('for the CLI it hashes the command’s executable and its file arguments', () => {
    const input = join(temp.dir, 'input.txt');
    writeFileSync(input, 'data');
    const sh = execFileSync('sh', ['-c', 'command -v sh'], { encoding: 'utf8' }).trim();
    const record = runMixins([fileHash()], {
      invocation: 'cli',
      command: ['sh', input, '--flag', temp.dir, join(temp.dir, 'missing'), input],
    });
    assert.deepEqual(Object.keys(record.file_hashes as object), [sh, input]);
    assert.equal((record.file_hashes as Record<string, string>)[input], digest('data'));
    assert.deepEqual(detectCommandFiles([input]), [input], 'a path is used as given');
  });

  test('no files: an empty object and no algorithm field (microbench rule)', () => {
    const record = runMixins([fileHash({ files: [] })]);
    assert.deepEqual(record.file_hashes, {});
    assert.equal('file_hash_algorithm' in record, false);
  });

  test('missing files and directories are rejected at construction', () => {
    assert.throws(
      () => fileHash({ files: [join(temp.dir, 'nope')] }),
      /`files\[0\]`.*does not exist/,
    );
    assert.throws(() => fileHash({ files: [temp.dir] }), /`files\[0\]`.*regular file/);
    assert.throws(() => fileHash({ files: 'a.txt' } as never), /`files` to be an array/);
  });

  test('a file deleted after construction makes capture throw (the bench records it)', () => {
    const gone = join(temp.dir, 'gone.txt');
    writeFileSync(gone, 'x');
    const mixin = fileHash({ files: [gone] });
    unlinkSync(gone);
    assert.throws(() => runMixins([mixin]), /ENOENT/);
  });
});
