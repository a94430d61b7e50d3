// Python microbench v2.1 on the work the sampler-fidelity group gives us: a 2 s allocating
// CPU-bound call sampled every 50 ms, the samples taken, p95 |interval − 50 ms| and drift. Run
// when `python3` can import microbench and psutil; otherwise the section says how to get them.
import { spawnSync } from 'node:child_process';
import type { BenchArgs, Check, Section } from './_report.js';
import { formatMs, percentile } from './_stats.js';

// The same work as bench/sampler-fidelity.ts's allocating case, under Python microbench v2.1:
// it prints the sample timestamps (epoch seconds) of the call's `call.monitor` list.
const SCRIPT = `
import io, json, time
from datetime import datetime
from microbench import MicroBench

class Bench(MicroBench):
    monitor_interval = 0.05

    @staticmethod
    def monitor(process):
        return {'rss': process.memory_info().rss}

out = io.StringIO()
bench = Bench(outfile=out)

@bench
def work():
    kept = []
    end = time.perf_counter() + 2.0
    while time.perf_counter() < end:
        kept.append({'x': 1})

work()
record = json.loads(out.getvalue().strip().splitlines()[-1])
call = record.get('call', {})
samples = call.get('monitor') or record.get('monitor') or record.get('telemetry') or []
print(json.dumps({
    'version': record.get('mb', {}).get('version'),
    'times': [datetime.fromisoformat(s['timestamp']).timestamp() for s in samples],
    'duration': (call.get('durations') or record.get('run_durations') or [None])[0],
}))
`;

interface PythonRun {
  readonly version: string | null;
  readonly times: number[];
  readonly duration: number | null;
}

/** Whether `python3` can import microbench (and psutil): the version, or why not. */
function detect(): { ok: true; version: string } | { ok: false; why: string } {
  const probe = spawnSync(
    'python3',
    ['-c', 'import microbench, psutil; print(getattr(microbench, "__version__", "unknown"))'],
    { encoding: 'utf8' },
  );
  if (probe.error) return { ok: false, why: `python3 cannot be run (${probe.error.message})` };
  if (probe.status !== 0) {
    const last = probe.stderr.trim().split('\n').at(-1) ?? '';
    return { ok: false, why: `python3 cannot import microbench and psutil (${last})` };
  }
  return { ok: true, version: probe.stdout.trim() };
}

/** The python group of `npm run bench`. */
export async function measure(args: BenchArgs): Promise<Section> {
  const title = 'Python microbench v2.1 on the same work';
  const found = detect();
  if (!found.ok) {
    return {
      title,
      method:
        'When `python3` can import microbench 2.1 and psutil, this group runs the sampler-fidelity allocating workload (a 2 s CPU-bound call appending to a list, sampled every 50 ms) under Python microbench and reports the samples taken, p95 |interval − 50 ms| and drift, beside ours above.',
      tables: [],
      checks: [],
      notes: [
        `Not run here: ${found.why}. To include it: \`python3 -m pip install 'microbench==2.1.*' psutil\` (or a virtual environment on PATH), then \`npm run bench -- --only python\`.`,
      ],
    };
  }
  const rounds = args.quick ? 1 : 3;
  const rows: string[][] = [];
  const checks: Check[] = [];
  for (let i = 0; i < rounds; i++) {
    const child = spawnSync('python3', ['-c', SCRIPT], { encoding: 'utf8', timeout: 60_000 });
    if (child.status !== 0) {
      rows.push([
        String(i + 1),
        `failed: ${child.stderr.trim().split('\n').at(-1) ?? child.status}`,
      ]);
      continue;
    }
    const run = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as PythonRun;
    const intervals = run.times.slice(1).map((t, k) => (t - run.times[k]!) * 1000);
    const deviations = intervals.map((ms) => Math.abs(ms - 50));
    const drift =
      run.times.length > 1
        ? (run.times.at(-1)! - run.times[0]!) * 1000 - (run.times.length - 1) * 50
        : Number.NaN;
    rows.push([
      String(i + 1),
      `${run.times.length} of 41`,
      deviations.length > 0 ? formatMs(percentile(deviations, 95)) : '–',
      deviations.length > 0 ? formatMs(Math.max(...deviations)) : '–',
      Number.isFinite(drift) ? formatMs(drift) : '–',
    ]);
  }
  return {
    title,
    method: `Python microbench ${found.version} (python3 on PATH) running the allocating workload of the fidelity group: a 2 s call appending to a list, \`monitor_interval = 0.05\`, ${rounds} run(s). Drift: the last sample's time after the first, minus (samples − 1) × 50 ms.`,
    tables: [{ head: ['run', 'samples', 'p95 |Δ − 50 ms|', 'worst |Δ − 50 ms|', 'drift'], rows }],
    checks,
    notes: ['For comparison only: no target is set on another implementation.'],
  };
}
