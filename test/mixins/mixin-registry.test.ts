import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OptionError } from '../../src/errors.js';
import {
  CLI_DEFAULT_MIXINS,
  createMixin,
  defaultMixins,
  listMixins,
  MIXIN_REGISTRY,
  resolveMixinName,
} from '../../src/mixins/index.js';

describe('mixin registry', () => {
  test('listMixins: every mixin, sorted, with a one-line description', () => {
    const list = listMixins();
    const names = list.map((m) => m.name);
    assert.deepEqual(names, [...names].sort());
    assert.deepEqual(names, Object.keys(MIXIN_REGISTRY).sort());
    assert.ok(names.length >= 15);
    for (const info of list) {
      assert.match(info.name, /^[a-z]+(-[a-z]+)*$/);
      assert.ok(info.description.length > 10 && !info.description.includes('\n'), info.name);
      assert.equal(createMixin(info.name).name, info.name, 'instance name matches registry name');
    }
    assert.deepEqual(
      list.filter((m) => m.isDefault).map((m) => m.name),
      ['node-runtime'],
    );
    assert.deepEqual(
      list
        .filter((m) => m.isCliDefault)
        .map((m) => m.name)
        .sort(),
      [...CLI_DEFAULT_MIXINS].sort(),
    );
  });

  test('createMixin accepts kebab names, microbench class names and factory names', () => {
    assert.equal(createMixin('host-info').name, 'host-info');
    assert.equal(createMixin('MBHostInfo').name, 'host-info');
    assert.equal(createMixin('MBNvidiaSmi').name, 'nvidia-smi');
    assert.equal(createMixin('MBPythonInfo').name, 'node-runtime');
    assert.equal(createMixin('MBGlobalPackages').name, 'loaded-packages');
    assert.equal(createMixin('gitInfo').name, 'git-info');
    assert.equal(resolveMixinName('MBCgroupLimits'), 'cgroup-limits');
    assert.equal(resolveMixinName('nope'), undefined);
  });

  test('createMixin passes options to the factory, which validates them', () => {
    const mixin = createMixin('loaded-modules', { env: { LOADEDMODULES: 'A/1' } });
    const record: Record<string, unknown> = {};
    mixin.capture?.(record as never, {} as never);
    assert.deepEqual(record.loaded_modules, { A: '1' });
    assert.throws(
      () => createMixin('git-info', { bogus: 1 }),
      /Unknown option `bogus` for gitInfo\(\)/,
    );
  });

  test('every factory rejects unknown options with an OptionError', () => {
    for (const name of Object.keys(MIXIN_REGISTRY)) {
      assert.throws(() => createMixin(name, { zzz: true }), OptionError, name);
      assert.throws(() => createMixin(name, 'x' as never), OptionError, name);
    }
  });

  test('unknown and Python-only names get clear errors', () => {
    assert.throws(() => createMixin('hots-info'), {
      name: 'OptionError',
      message: /Unknown mixin `hots-info`: expected one of cgroup-limits, .*host-info/,
    });
    assert.throws(() => createMixin('MBCondaPackages'), /no Node\.js counterpart: conda/);
  });

  test('defaultMixins returns fresh node-runtime instances', () => {
    const a = defaultMixins();
    const b = defaultMixins();
    assert.deepEqual(
      a.map((m) => m.name),
      ['node-runtime'],
    );
    assert.notEqual(a[0], b[0]);
  });

  test('CLI flags are described for the mixins that take CLI options', () => {
    const flags = listMixins().flatMap((m) => m.cliOptions.map((o) => `${m.name} ${o.flag}`));
    assert.deepEqual(flags, [
      'file-hash --hash-file',
      'file-hash --hash-algorithm',
      'git-info --git-repo',
      'nvidia-smi --nvidia-attributes',
      'nvidia-smi --nvidia-gpus',
    ]);
  });
});
