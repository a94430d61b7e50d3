// README: "its records use microbench v1's flat field names, so
// `pandas.read_json('results.jsonl', lines=True)` loads them next to Python results."
// Checked with the real pandas where it is installed (Debian's python3-pandas in CI).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { MicroBench } from '../../src/bench/micro-bench.js';

const dir = mkdtempSync(join(tmpdir(), 'mb-pandas-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// The first Python 3 that imports pandas, or why none does.
function findPandasPython(): { python: string } | { why: string } {
  for (const python of ['python3', '/usr/bin/python3']) {
    const probe = spawnSync(python, ['-c', 'import pandas; print(pandas.__version__)'], {
      encoding: 'utf8',
    });
    if (probe.status === 0) return { python };
  }
  return { why: 'no Python 3 with pandas here (CI installs Debian python3-pandas)' };
}

describe('pandas reads our records', () => {
  test('read_json(lines=True): one row per record, the flat fields as columns, values intact', async (t) => {
    const found = findPandasPython();
    if ('why' in found) {
      t.skip(found.why);
      return;
    }
    const outfile = join(dir, 'results.jsonl');
    const bench = new MicroBench({
      outfile,
      iterations: 2,
      telemetryInterval: 0.02,
      telemetry: (p: { memory_info(): { rss: number } }) => ({ rss: p.memory_info().rss }),
      fields: { experiment: 'baseline' },
    });
    const work = bench.wrap(function work(n: number) {
      const end = performance.now() + n;
      while (performance.now() < end) {}
      return n;
    });
    work(30);
    work(10);
    await bench.close();

    const script = `
import json, sys
import pandas as pd
df = pd.read_json(sys.argv[1], lines=True)
print(json.dumps({
  "rows": len(df),
  "columns": sorted(df.columns.tolist()),
  "names": df["function_name"].tolist(),
  "experiment": df["experiment"].tolist(),
  "durations": [list(map(float, d)) for d in df["run_durations"]],
  "start_utc": [str(ts) for ts in pd.to_datetime(df["start_time"], utc=True)],
  "elapsed": [(pd.Timestamp(f) - pd.Timestamp(s)).total_seconds() for s, f in zip(df["start_time"], df["finish_time"])],
  "samples": [len(t) for t in df["telemetry"]],
  "rss_is_int": all(isinstance(s["rss"], int) for t in df["telemetry"] for s in t),
}))`;
    const run = spawnSync(found.python, ['-c', script, outfile], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const seen = JSON.parse(run.stdout) as {
      rows: number;
      columns: string[];
      names: string[];
      experiment: string[];
      durations: number[][];
      start_utc: string[];
      elapsed: number[];
      samples: number[];
      rss_is_int: boolean;
    };
    assert.equal(seen.rows, 2);
    for (const column of [
      'function_name',
      'run_durations',
      'start_time',
      'finish_time',
      'telemetry',
      'mb_run_id',
    ]) {
      assert.ok(seen.columns.includes(column), `column ${column} in ${seen.columns.join(', ')}`);
    }
    assert.deepEqual(seen.names, ['work', 'work']);
    assert.deepEqual(seen.experiment, ['baseline', 'baseline']);
    assert.equal(seen.durations[0]!.length, 2);
    assert.ok(
      seen.durations[0]!.every((d) => d >= 0.03),
      `durations ${seen.durations[0]}`,
    );
    assert.ok(
      seen.start_utc.every((s) => /\+00:00$/.test(s)),
      `start times ${seen.start_utc}`,
    );
    // Both timestamps parse to the microsecond: the span covers the two 30 ms iterations.
    assert.ok(seen.elapsed[0]! >= 0.06, `elapsed ${seen.elapsed[0]}`);
    assert.ok(
      seen.samples.every((n) => n >= 1),
      `samples per record ${seen.samples}`,
    );
    assert.equal(seen.rss_is_int, true);
  });
});
