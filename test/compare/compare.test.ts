import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  compare,
  compareWithin,
  findRegressions,
  iterationsForAnyVerdict,
  smallestPValue,
} from '../../src/compare/compare.js';
import { renderComparison, renderHeadline } from '../../src/compare/render.js';
import { OptionError } from '../../src/errors.js';
import { assertClose, REFERENCE } from '../stats/_reference.js';

const { baseline, slower, same } = REFERENCE.lognormal;

// Library records of one function, `perRecord` durations each.
function records(name: string, durations: readonly number[], extra: Record<string, unknown> = {}) {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < durations.length; i += 20) {
    out.push({ function_name: name, run_durations: durations.slice(i, i + 20), ...extra });
  }
  return out;
}

describe('compare: lognormal noise', () => {
  test('a 10 % slowdown is slower, the ratio CI around 1.10, the reference p-value', () => {
    const c = compare(records('parse', baseline), records('parse', slower));
    assert.equal(c.benchmarks.length, 1);
    const r = c.benchmarks[0]!;
    assert.equal(r.name, 'parse');
    assert.equal(r.verdict, 'slower');
    assertClose(r.ratio, REFERENCE.lognormal.slower_ratio, 1e-12, 'ratio');
    assert.ok(r.ratioCi[0] > 1.09 && r.ratioCi[0] < r.ratio, `low ${r.ratioCi[0]}`);
    assert.ok(r.ratioCi[1] < 1.12 && r.ratioCi[1] > r.ratio, `high ${r.ratioCi[1]}`);
    assertClose(r.pValue, REFERENCE.lognormal.slower_p, 1e-9, 'p');
    assert.equal(r.pMethod, 'asymptotic');
    assert.equal(r.baseline.n, 200);
    assertClose(r.baseline.mean, REFERENCE.lognormal.baseline_mean_ci.mean, 1e-13, 'mean');
    assertClose(r.baseline.ci[0], REFERENCE.lognormal.baseline_mean_ci.low, 1e-11, 'ci low');
    assertClose(r.baseline.ci[1], REFERENCE.lognormal.baseline_mean_ci.high, 1e-11, 'ci high');
    assert.deepEqual(c.warnings, []);
    assert.match(renderHeadline(r, c.threshold), /^parse: 1\.11 ± 0\.01 × slower \(p = 3e-48\)$/);
  });

  test('the same slowdown seen from the other side is faster', () => {
    const r = compare(records('parse', slower), records('parse', baseline)).benchmarks[0]!;
    assert.equal(r.verdict, 'faster');
    assert.match(renderHeadline(r, 0.02), /^parse: 1\.11 ± 0\.01 × faster \(p = 3e-48\)$/);
  });

  test('identical distributions are the same', () => {
    const r = compare(records('parse', baseline), records('parse', same)).benchmarks[0]!;
    assert.equal(r.verdict, 'same');
    assertClose(r.pValue, REFERENCE.lognormal.same_p, 1e-11, 'p');
    assert.ok(r.ratioCi[0] < 1 && r.ratioCi[1] > 1);
    assert.match(
      renderHeadline(r, 0.02),
      /^parse: same, 1\.00 ± 0\.0\d × \(p = 0\.56; within 2%\)$/,
    );
  });

  test('a significant difference under the threshold is the same; over it, slower', () => {
    const shifted = baseline.map((d) => d * 1.015);
    const small = compare(records('f', baseline), records('f', shifted)).benchmarks[0]!;
    assert.ok(small.pValue < 0.05, `p ${small.pValue}`);
    assert.equal(small.verdict, 'same');
    const strict = compare(records('f', baseline), records('f', shifted), { threshold: 0.01 });
    assert.equal(strict.benchmarks[0]!.verdict, 'slower');
  });

  test('the same input gives the same output (seeded bootstrap)', () => {
    const a = compare(records('f', baseline), records('f', slower));
    const b = compare(records('f', baseline), records('f', slower));
    assert.deepEqual(a, b);
    const other = compare(records('f', baseline), records('f', slower), { seed: 9 });
    assert.notDeepEqual(other.benchmarks[0]!.ratioCi, a.benchmarks[0]!.ratioCi);
  });
});

describe('compare: failures, matching, small samples', () => {
  test('failed iterations are excluded and counted', () => {
    const failing = [
      ...records('f', slower),
      { function_name: 'f', run_durations: [1e-7], exception: { type: 'E', message: 'x' } },
      { command: ['g'], run_durations: [5, 0.01], returncode: [1, 0] },
    ];
    const c = compare(records('f', slower), failing);
    const r = c.benchmarks[0]!;
    assert.equal(r.candidate.n, 200);
    assert.equal(r.candidate.failed, 1);
    assert.equal(r.ratio, 1);
    assert.deepEqual(c.candidateOnly, ['g']);
    assert.match(c.warnings.join('\n'), /only in the candidate: g/);
  });

  test('a side with no successful iteration has no verdict, and says so', () => {
    const c = compare(records('f', baseline), [
      { function_name: 'f', run_durations: [0.1], exception: { type: 'E', message: 'x' } },
    ]);
    assert.equal(c.benchmarks[0]!.verdict, 'no-data');
    assert.match(c.warnings.join('\n'), /f: the candidate has no successful iteration/);
  });

  test('n too small for any verdict: a warning with the iterations needed', () => {
    const c = compare(records('f', [1, 1.1, 1.2]), records('f', [2, 2.1, 2.2]));
    const r = c.benchmarks[0]!;
    assert.equal(r.verdict, 'same');
    assert.equal(r.pMethod, 'exact');
    assertClose(r.pValue, 0.1, 1e-12, 'p');
    assert.equal(r.iterationsNeeded, 4);
    assert.match(
      c.warnings.join('\n'),
      /f: n = 3 vs 3 is too small for any verdict \(the smallest possible p-value is 0\.1, not below 0\.05\); run at least 4 successful iterations on each side/,
    );
    const enough = compare(records('f', [1, 1.1, 1.2, 1.3]), records('f', [2, 2.1, 2.2, 2.3]));
    assert.equal(enough.benchmarks[0]!.verdict, 'slower');
    assert.equal(enough.benchmarks[0]!.iterationsNeeded, null);
  });

  test('smallestPValue and iterationsForAnyVerdict', () => {
    assertClose(smallestPValue(4, 4), 2 / 70, 1e-12, '4 vs 4');
    assert.equal(smallestPValue(1, 1), 1);
    assert.equal(iterationsForAnyVerdict(0.05), 4);
    assert.equal(iterationsForAnyVerdict(0.01), 5);
  });

  test('--by matches by another field', () => {
    const a = records('x', baseline, { case: 'big' });
    const b = records('y', slower, { case: 'big' });
    assert.equal(compare(a, b).benchmarks.length, 0);
    const c = compare(a, b, { by: 'case' });
    assert.equal(c.benchmarks[0]!.name, 'case=big');
    assert.equal(c.benchmarks[0]!.verdict, 'slower');
  });

  test('bad options are OptionErrors naming the option', () => {
    assert.throws(() => compare([], [], { threshold: -1 }), OptionError);
    assert.throws(() => compare([], [], { alpha: 2 }), /Expected `alpha` to be a probability/);
  });
});

describe('compare: environment and memory', () => {
  test('a differing runtime version is reported as not the same environment', () => {
    const a = records('f', baseline, { node_version: '20.20.2', hostname: 'ci-1' });
    const b = records('f', slower, { node_version: '22.1.0', hostname: 'ci-1' });
    const c = compare(a, b);
    assert.deepEqual(c.environmentDifferences, [
      { field: 'node_version', baseline: ['"20.20.2"'], candidate: ['"22.1.0"'] },
    ]);
    assert.match(c.warnings[0]!, /^not the same environment: node_version 20\.20\.2 → 22\.1\.0$/);
  });

  test('v2 fields, cgroup limits and git dirty state are compared too', () => {
    const a = [
      {
        call: { name: 'f', durations: baseline },
        host: { hostname: 'a', cpu_cores_logical: 2 },
        cgroups: { cpu_cores_limit: null },
        git: { dirty: false },
      },
    ];
    const b = [
      {
        call: { name: 'f', durations: slower },
        host: { hostname: 'a', cpu_cores_logical: 8 },
        cgroups: { cpu_cores_limit: 1.5 },
        git: { dirty: true },
      },
    ];
    const fields = compare(a, b).environmentDifferences.map((d) => d.field);
    assert.deepEqual(fields, ['cpu_cores_logical', 'cgroups.cpu_cores_limit', 'git.dirty']);
  });

  test('peak RSS per benchmark is compared where records carry it', () => {
    const a = records('f', baseline, { peak_rss_bytes: 100 * 1024 * 1024 });
    const b = records('f', slower, {
      telemetry: [{ timestamp: 't', rss_bytes: 150 * 1024 * 1024 }],
    });
    const r = compare(a, b).benchmarks[0]!;
    assert.equal(r.peakRssRatio, 1.5);
    assert.match(
      renderComparison(compare(a, b), 'text'),
      /peak rss {3}100\.0 MiB → 150\.0 MiB \(× 1\.50\)/,
    );
  });
});

describe('compareWithin: one set of records', () => {
  const mixed = [
    ...records('fast', baseline),
    ...records('slow', slower),
    ...records('twin', same),
  ];

  test('against the first benchmark by default', () => {
    const c = compareWithin(mixed);
    assert.deepEqual(
      c.benchmarks.map((r) => [r.name, r.verdict]),
      [
        ['slow vs fast', 'slower'],
        ['twin vs fast', 'same'],
      ],
    );
  });

  test('against --baseline NAME; an unknown name is an OptionError listing the names', () => {
    const c = compareWithin(mixed, { baselineName: 'slow' });
    assert.deepEqual(
      c.benchmarks.map((r) => [r.name, r.verdict]),
      [
        ['fast vs slow', 'faster'],
        ['twin vs slow', 'faster'],
      ],
    );
    assert.throws(() => compareWithin(mixed, { baselineName: 'nope' }), /"fast", "slow", "twin"/);
  });
});

describe('renderComparison shapes', () => {
  const c = compare(
    [...records('parse', baseline), ...records('a|b', baseline)],
    [...records('parse', slower), ...records('a|b', same)],
  );

  test('json: {benchmarks: [{name, baseline, candidate, ratio, ratio_ci, p_value, verdict}]}', () => {
    const json = JSON.parse(renderComparison(c, 'json')) as {
      benchmarks: Record<string, unknown>[];
    };
    const first = json.benchmarks[0]!;
    assert.equal(first.name, 'parse');
    assert.equal(first.verdict, 'slower');
    assert.ok(Array.isArray(first.ratio_ci) && first.ratio_ci.length === 2);
    assert.equal(typeof first.p_value, 'number');
    const side = first.baseline as Record<string, unknown>;
    for (const key of ['n', 'median', 'mean', 'ci']) assert.ok(key in side, key);
    assert.equal(side.n, 200);
  });

  test('markdown: a table with a header, an alignment row and one row per benchmark', () => {
    const lines = renderComparison(c, 'markdown').trimEnd().split('\n');
    assert.equal(
      lines[0],
      '| Benchmark | Baseline median | Candidate median | Ratio (95% CI) | p-value | Verdict |',
    );
    assert.equal(lines[1], '| :-- | --: | --: | --: | --: | :-- |');
    assert.match(
      lines[2]!,
      /^\| parse \| 9\.9\d+ ms \(n=200\) \| 11\.\d+ ms \(n=200\) \| 1\.11 \(1\.\d\d–1\.\d\d\) \| 3e-48 \| \*\*slower\*\* \|$/,
    );
    assert.match(lines[3]!, /^\| a\\\|b \| .* \| same \|$/);
    assert.equal(lines.length, 4);
  });

  test('csv: a header and one row per benchmark, names quoted when they must be', () => {
    const rows = renderComparison(c, 'csv').split('\r\n');
    assert.equal(rows[0]!.split(',').length, 20);
    assert.match(rows[0]!, /^name,baseline_n,baseline_failed,baseline_median_s,/);
    assert.match(rows[0]!, /,ratio,ratio_ci_low,ratio_ci_high,p_value,verdict,/);
    const cells = rows[1]!.split(',');
    assert.equal(cells[0], 'parse');
    assert.equal(cells[1], '200');
    assert.equal(cells[17], 'slower');
    assert.equal(rows[3], '');
    assert.equal(rows.length, 4);
  });
});

describe('formatP', () => {
  test('two significant digits, exponents below 0.001, a bound for an underflow', async () => {
    const { formatP } = await import('../../src/compare/compare.js');
    assert.equal(formatP(0.4321), '0.43');
    assert.equal(formatP(0.012), '0.012');
    assert.equal(formatP(0.0042), '0.004');
    assert.equal(formatP(3.2e-8), '3e-8');
    assert.equal(formatP(0), '< 1e-300');
    assert.equal(formatP(Number.NaN), '-');
  });
});

describe('environment values', () => {
  test('alternating values are all kept (up to four), a fifth is dropped', () => {
    const hosts = ['a', 'b', 'a', 'c', 'd', 'e'];
    const base = hosts.map((h) => ({ function_name: 'f', run_durations: [1], hostname: h }));
    const c = compare(base, [{ function_name: 'f', run_durations: [1], hostname: 'a' }]);
    assert.deepEqual(c.environmentDifferences, [
      { field: 'hostname', baseline: ['"a"', '"b"', '"c"', '"d"'], candidate: ['"a"'] },
    ]);
    assert.match(c.warnings[0]!, /hostname a \/ b \/ c \/ d → a/);
  });

  test('a field recorded on one side only reads (not recorded)', () => {
    const c = compare(
      [{ function_name: 'f', run_durations: [1], cpu_model: 'EPYC' }],
      [{ function_name: 'f', run_durations: [1] }],
    );
    assert.match(c.warnings[0]!, /cpu_model EPYC → \(not recorded\)/);
  });
});

describe('renderHeadline edge cases', () => {
  test('a zero baseline median has no ratio; a side without data no verdict', () => {
    const zero = compare(records('f', [0, 0, 0, 0, 0]), records('f', [1, 1, 1, 1, 1]));
    assert.match(
      renderHeadline(zero.benchmarks[0]!, 0.02),
      /^f: slower, no ratio: the baseline's median is 0 \(p = 0\.0\d+\)$/,
    );
    const none = compare(records('f', [1]), [
      { function_name: 'f', run_durations: [1], exception: { type: 'E', message: 'x' } },
    ]);
    assert.equal(
      renderHeadline(none.benchmarks[0]!, 0.02),
      'f: no verdict (a side has no successful iteration)',
    );
    assert.match(
      renderComparison(none, 'csv').split('\r\n')[1]!,
      /^f,1,0,1,1,,,0,1,,,,,,,,,no-data,,$/,
    );
  });
});

describe('findRegressions (the --fail-on-regression rule)', () => {
  const c = compare(
    [...records('a', baseline), ...records('b', baseline), ...records('z', [0, 0, 0, 0, 0])],
    [...records('a', slower), ...records('b', same), ...records('z', [1, 1, 1, 1, 1])],
  );
  test('slower by more than the limit, and slower from a zero median', () => {
    assert.deepEqual(
      findRegressions(c, 0.05).map((r) => r.name),
      ['a', 'z'],
    );
    assert.deepEqual(
      findRegressions(c, 0.2).map((r) => r.name),
      ['z'],
    );
  });
  test('a faster candidate is no regression at any limit', () => {
    const faster = compare(records('a', slower), records('a', baseline));
    assert.deepEqual(findRegressions(faster, 0), []);
  });
});
