import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadedPackages } from '../../src/mixins/loaded-packages.js';
import { makeTempDir, runMixins } from './_run-mixins.js';

const temp = makeTempDir('loaded');

// Write a package.json with `version` into `dir`.
function pkg(dir: string, version: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ version }));
}

describe('loaded-packages', () => {
  after(() => temp.remove());

  test('names and versions of packages whose files are in the module cache', () => {
    const nm = join(temp.dir, 'app', 'node_modules');
    pkg(join(nm, 'a'), '1.0.0');
    pkg(join(nm, '@s', 'b'), '2.0.0');
    pkg(join(nm, 'b', 'node_modules', 'a'), '0.5.0');
    const cache: Record<string, unknown> = {
      [join(temp.dir, 'app', 'src', 'main.js')]: {},
      [join(nm, 'a', 'index.js')]: {},
      [join(nm, 'a', 'lib', 'more.js')]: {},
      [join(nm, '@s', 'b', 'dist', 'cjs', 'index.js')]: {},
      [join(nm, 'b', 'node_modules', 'a', 'index.js')]: {},
      [join(nm, 'no-manifest', 'index.js')]: {},
    };
    const mixin = loadedPackages({ moduleCache: cache });
    assert.deepEqual(runMixins([mixin]).loaded_packages, {
      '@s/b': '2.0.0',
      a: '1.0.0',
      'no-manifest': null,
    });
    // A module loaded between calls shows up in the next record.
    pkg(join(nm, 'late'), '3.0.0');
    cache[join(nm, 'late', 'index.js')] = {};
    assert.equal((runMixins([mixin]).loaded_packages as Record<string, unknown>).late, '3.0.0');
  });

  test('the real CommonJS cache: a package required by this process is listed', () => {
    const require = createRequire(import.meta.url);
    require('esbuild');
    const version = (
      JSON.parse(readFileSync(join('node_modules', 'esbuild', 'package.json'), 'utf8')) as {
        version: string;
      }
    ).version;
    const record = runMixins([loadedPackages()]);
    const loaded = record.loaded_packages as Record<string, string>;
    assert.equal(loaded.esbuild, version);
    assert.equal(loaded['not-a-package-anyone-loaded'], undefined);
  });

  test('unknown options are rejected', () => {
    assert.throws(() => loadedPackages({ cache: {} } as never), /Unknown option `cache`/);
  });
});
