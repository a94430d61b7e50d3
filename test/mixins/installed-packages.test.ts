import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import { OptionError } from '../../src/errors.js';
import { installedPackages, readInstalledPackages } from '../../src/mixins/installed-packages.js';
import { makeTempDir, runMixins } from './_run-mixins.js';

const temp = makeTempDir('installed');

// Write `files` ({relative path: content or JSON value}) under a new project directory.
function project(name: string, files: Record<string, unknown>): string {
  const dir = join(temp.dir, name);
  mkdirSync(dir, { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

const LOCK_V3 = {
  name: 'app',
  lockfileVersion: 3,
  packages: {
    '': { name: 'app', version: '1.0.0' },
    'node_modules/a': { version: '1.2.3' },
    'node_modules/b': { version: '2.0.0' },
    'node_modules/b/node_modules/a': { version: '0.9.0' },
    'node_modules/@scope/c': { version: '3.1.4' },
    'node_modules/ws': { resolved: 'packages/ws', link: true },
    'packages/ws': { name: 'ws', version: '0.0.1' },
    'node_modules/@esbuild/darwin-arm64': { version: '0.25.0', optional: true, os: ['darwin'] },
  },
};

describe('installed-packages', () => {
  after(() => temp.remove());

  test('reads the lock file `packages` map: hoisted versions, scoped names, workspace links', () => {
    const dir = project('lock-v3', {
      'package-lock.json': LOCK_V3,
      'node_modules/a/package.json': { version: '1.2.3' },
    });
    const record = runMixins([installedPackages({ dir })]);
    assert.deepEqual(record.package_versions, {
      '@scope/c': '3.1.4',
      a: '1.2.3',
      b: '2.0.0',
      ws: '0.0.1',
    });
    assert.equal(record.installed_packages_source, join(dir, 'package-lock.json'));
    assert.equal('package_paths' in record, false);
  });

  test('an optional platform package is kept when no node_modules exists (nothing to check)', () => {
    const dir = project('lock-only', { 'package-lock.json': LOCK_V3 });
    const versions = runMixins([installedPackages({ dir })]).package_versions as object;
    assert.equal((versions as Record<string, string>)['@esbuild/darwin-arm64'], '0.25.0');
  });

  test('prefers node_modules/.package-lock.json, npm’s record of what is installed', () => {
    const dir = project('hidden-lock', {
      'package-lock.json': LOCK_V3,
      'node_modules/.package-lock.json': {
        lockfileVersion: 3,
        packages: { 'node_modules/a': { version: '1.2.4' } },
      },
    });
    const record = runMixins([installedPackages({ dir })]);
    assert.deepEqual(record.package_versions, { a: '1.2.4' });
    assert.equal(record.installed_packages_source, join(dir, 'node_modules', '.package-lock.json'));
  });

  test('without a lock file it walks node_modules/*/package.json (scoped too); capturePaths', () => {
    const dir = project('walk', {
      'node_modules/x/package.json': { name: 'x', version: '1.0.0' },
      'node_modules/@s/y/package.json': { name: '@s/y', version: '2.0.0' },
      'node_modules/broken/package.json': '{not json',
      'node_modules/.bin/x': '',
    });
    const record = runMixins([installedPackages({ dir, capturePaths: true })]);
    assert.deepEqual(record.package_versions, { '@s/y': '2.0.0', x: '1.0.0' });
    assert.deepEqual(record.package_paths, {
      '@s/y': join(dir, 'node_modules', '@s', 'y'),
      x: join(dir, 'node_modules', 'x'),
    });
  });

  test('a v1 lock file (no `packages` map) falls back to node_modules', () => {
    const dir = project('lock-v1', {
      'package-lock.json': { lockfileVersion: 1, dependencies: { q: { version: '9.9.9' } } },
      'node_modules/q/package.json': { version: '1.0.0' },
    });
    assert.deepEqual(runMixins([installedPackages({ dir })]).package_versions, { q: '1.0.0' });
  });

  test('looks in parent directories for the nearest project', () => {
    const dir = project('parent', { 'package-lock.json': LOCK_V3, 'src/deep/x.js': '' });
    const record = runMixins([installedPackages({ dir: join(dir, 'src', 'deep') })]);
    assert.equal((record.package_versions as Record<string, string>).a, '1.2.3');
  });

  test('versions already recorded by captureVersions win, and are not mutated', () => {
    const dir = project('merge', { 'package-lock.json': LOCK_V3 });
    const existing = { a: '7.7.7', other: '1.0.0' };
    const record = { package_versions: existing } as Record<string, unknown>;
    installedPackages({ dir }).capture?.(record as never, {} as never);
    assert.equal((record.package_versions as Record<string, string>).a, '7.7.7');
    assert.equal((record.package_versions as Record<string, string>).b, '2.0.0');
    assert.deepEqual(existing, { a: '7.7.7', other: '1.0.0' });
  });

  test('this project’s own packages are found from the working directory', () => {
    const record = runMixins([installedPackages({ dir: process.cwd() })]);
    const versions = record.package_versions as Record<string, string>;
    assert.match(versions.typescript ?? '', /^\d+\./);
  });

  test('without `dir`, the CLI reads the project of its working directory', () => {
    const record = runMixins([installedPackages()], { invocation: 'cli' });
    assert.equal(record.installed_packages_source, readInstalledPackages(process.cwd()).source);
  });

  test('options are validated at construction', () => {
    assert.throws(() => installedPackages({ dir: join(temp.dir, 'missing') }), OptionError);
    assert.throws(
      () => installedPackages({ capturePaths: 'yes' } as never),
      /Expected `capturePaths` to be true or false, got "yes" \(string\)/,
    );
  });
});
