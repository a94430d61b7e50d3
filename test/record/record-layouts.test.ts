// The two layouts' writers: where v2 puts each flat field, the cached v2 encoder against the
// plain one, and the round trip back to the flat view.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MicroBench } from '../../src/bench/micro-bench.js';
import {
  detectRecordFormat,
  toFlatRecord,
  toLayout,
  toV2Record,
  validateRecordFormat,
} from '../../src/record/layout.js';
import { createRecordWriter, encodeRecord } from '../../src/record/write-record.js';

const BASE = Object.freeze({
  experiment: 'baseline',
  mb_run_id: 'ec678abd-6ea0-40af-a42b-1d011b162f27',
  mb_version: '0.1.0',
  mb_implementation: 'microbench-ts',
  timestamp_tz: 'UTC',
  duration_counter: 'performance.now',
  function_name: '',
  invocation: 'Node',
  node_version: '20.20.2',
  node_executable: '/usr/bin/node',
  v8_version: '11.3',
  node_exec_argv: Object.freeze(['--import', 'tsx']),
});

function makeRecord(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const record: Record<string, unknown> = Object.assign({}, BASE);
  record.function_name = name;
  Object.assign(record, {
    env_HOME: '/root',
    env_UNSET: null,
    hostname: 'vm',
    operating_system: 'linux',
    ram_total: 1024,
    git: { repo: '/r', commit: 'c', branch: 'main', dirty: false },
    telemetry: [{ timestamp: '2026-01-01T00:00:00.000000+00:00', rss: 5 }],
    telemetry_samples_total: 9,
    run_durations: [0.1, 0.2],
    start_time: '2026-01-01T00:00:00.000000+00:00',
    finish_time: '2026-01-01T00:00:01.000000+00:00',
    return_value: 15,
    ...extra,
  });
  return record;
}

describe('toV2Record: microbench v2.1 placements', () => {
  test('mb, call, host, node, env namespaces; blocks and user fields at the top', () => {
    const v2 = toV2Record(makeRecord('simulate', { exception: { type: 'E', message: 'm' } }));
    assert.deepEqual(v2, {
      experiment: 'baseline',
      mb: {
        run_id: 'ec678abd-6ea0-40af-a42b-1d011b162f27',
        version: '0.1.0',
        implementation: 'microbench-ts',
        timezone: 'UTC',
        duration_counter: 'performance.now',
      },
      call: {
        name: 'simulate',
        invocation: 'Node',
        monitor: [{ timestamp: '2026-01-01T00:00:00.000000+00:00', rss: 5 }],
        monitor_samples_total: 9,
        durations: [0.1, 0.2],
        start_time: '2026-01-01T00:00:00.000000+00:00',
        finish_time: '2026-01-01T00:00:01.000000+00:00',
        return_value: 15,
      },
      node: {
        version: '20.20.2',
        executable: '/usr/bin/node',
        v8_version: '11.3',
        exec_argv: ['--import', 'tsx'],
      },
      env: { HOME: '/root', UNSET: null },
      host: { hostname: 'vm', os: 'linux', ram_total: 1024 },
      git: { repo: '/r', commit: 'c', branch: 'main', dirty: false },
      exception: { type: 'E', message: 'm' },
    });
  });

  test('CLI fields go under call; mixin_errors become capture_errors {method, error}', () => {
    const v2 = toV2Record({
      function_name: 'sleep',
      invocation: 'CLI',
      command: ['sleep', '3'],
      returncode: [-15],
      timed_out: true,
      stdout: [''],
      resource_usage: [{ utime: 0 }],
      mixin_errors: [{ mixin: 'git-info', error: 'Error: no git' }],
      interrupted: 'SIGINT',
      file_hash_algorithm: 'sha256',
      file_hashes: {},
    });
    assert.deepEqual(v2, {
      call: {
        name: 'sleep',
        invocation: 'CLI',
        command: ['sleep', '3'],
        returncode: [-15],
        timed_out: true,
        stdout: [''],
        capture_errors: [{ method: 'git-info', error: 'Error: no git' }],
        interrupted: 'SIGINT',
      },
      resource_usage: [{ utime: 0 }],
      mb: { file_hash_algorithm: 'sha256' },
      file_hashes: {},
    });
  });

  test('a top-level field named like a namespace is merged into it, or kept as <name>_value', () => {
    assert.deepEqual(toV2Record({ function_name: 'f', call: { extra: 1, name: 'x' } }), {
      call: { extra: 1, name: 'f' },
    });
    assert.deepEqual(toV2Record({ function_name: 'f', call: 7 }), {
      call: { name: 'f' },
      call_value: 7,
    });
    assert.deepEqual(toV2Record({ host: { rack: 3 } }), { host: { rack: 3 } });
  });

  test('round trip: toFlatRecord(toV2Record(r)) has every field of r', () => {
    const flat = makeRecord('f', { mixin_errors: [{ mixin: 'm', error: 'e' }], interrupted: true });
    assert.deepEqual(toFlatRecord(toV2Record(flat)), flat);
    assert.equal(toFlatRecord(flat), flat, 'a v1 record is returned as it is');
  });

  test('detectRecordFormat and toLayout', () => {
    assert.equal(detectRecordFormat({ function_name: 'f' }), 'v1');
    assert.equal(detectRecordFormat({ call: { name: 'f' } }), 'v2');
    assert.equal(detectRecordFormat({ mb: { run_id: 'r' } }), 'v2');
    const flat = makeRecord('f');
    assert.equal(toLayout(flat, 'v1'), flat);
    assert.deepEqual(toLayout(flat, 'v2'), toV2Record(flat));
  });

  test('validateRecordFormat names the option and the choices', () => {
    assert.equal(validateRecordFormat('v2'), 'v2');
    assert.throws(() => validateRecordFormat('v3'), {
      code: 'ERR_MB_INVALID_OPTION',
      message: /`recordFormat` to be 'v1' .* or 'v2' .*, got "v3" \(string\)/,
    });
    assert.throws(
      () => validateRecordFormat(2, '--record-format'),
      /`--record-format`.*`2` \(number\)/,
    );
  });
});

describe('recordFormat as a MicroBench option', () => {
  test("'v1' by default; an unknown layout and a v2 namespace as a field are refused", () => {
    assert.equal(new MicroBench({ defaultMixins: false }).options.recordFormat, 'v1');
    class V2Bench extends MicroBench {
      static recordFormat = 'v2' as const;
    }
    assert.equal(new V2Bench().options.recordFormat, 'v2', 'a static member works too');
    assert.throws(
      () => new MicroBench({ recordFormat: 'v3' as 'v2' }),
      /`recordFormat` to be 'v1'/,
    );
    assert.throws(
      () => new MicroBench({ recordFormat: 'v2', fields: { call: 'x' } }),
      /`fields.call`: 'call' is a namespace of the v2 record layout/,
    );
    assert.doesNotThrow(() => new MicroBench({ recordFormat: 'v1', fields: { call: 'x' } }));
  });
});

describe('the v2 writer: cached namespace heads give what the plain encoder gives', () => {
  const cases: [string, () => Record<string, unknown>][] = [
    ['an ordinary record', () => makeRecord('simulate')],
    ['a second function name', () => makeRecord('other')],
    [
      'a record with mixin errors',
      () => makeRecord('f', { mixin_errors: [{ mixin: 'a', error: 'b' }] }),
    ],
    ['a changed leading field', () => ({ ...makeRecord('f'), mb_version: 'patched' })],
    ['a BigInt value', () => makeRecord('f', { return_value: 10n })],
    ['a namespace clash', () => makeRecord('f', { call: { extra: true } })],
    ['an undefined field', () => makeRecord('f', { return_value: undefined })],
    ['a __proto__ field', () => makeRecord('f', JSON.parse('{"__proto__": {"x": 1}}'))],
    [
      'a tail with no top-level field',
      () => {
        const r = makeRecord('f');
        delete r.git;
        return r;
      },
    ],
  ];
  for (const [what, make] of cases) {
    test(what, () => {
      const writer = createRecordWriter('v2', BASE, { warn: () => undefined });
      const first = writer.encode(make());
      const again = writer.encode(make());
      assert.equal(again, first, 'the cached head gives the same line twice');
      assert.deepEqual(
        JSON.parse(first),
        JSON.parse(encodeRecord(make(), 'v2', { warn: () => undefined })),
      );
    });
  }

  test('v1 writer: exactly encodeJson of the flat record', () => {
    const writer = createRecordWriter('v1', BASE);
    assert.equal(writer.encode(makeRecord('f')), encodeRecord(makeRecord('f'), 'v1'));
    assert.equal(writer.format, 'v1');
  });

  test('a replacer sees v2 keys', () => {
    const seen: string[] = [];
    const writer = createRecordWriter('v2', BASE, {
      replacer: (key, value) => {
        seen.push(key);
        return value;
      },
    });
    JSON.parse(writer.encode(makeRecord('f')));
    assert.ok(seen.includes('durations') && !seen.includes('run_durations'));
  });
});
