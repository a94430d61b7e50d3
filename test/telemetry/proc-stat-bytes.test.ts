import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  LinuxProcess,
  newStatCounters,
  parseStat,
  parseStatCounters,
} from '../../src/telemetry/_proc.js';

const linux = process.platform === 'linux';

// The byte parser's view of a stat line, for comparing with parseStat's.
function countersOf(line: string) {
  const bytes = Buffer.from(line, 'latin1');
  const out = newStatCounters();
  return parseStatCounters(bytes, bytes.length, out) ? out : undefined;
}

// A stat line with the given name and fields 3.. (state first), as the kernel writes it.
function statLine(name: string, fields: (string | number)[]): string {
  return `4242 (${name}) ${fields.join(' ')}\n`;
}

// Fields 3..52 with recognisable values: field n holds n * 1000 + 7 (state R).
const numbered = ['R', ...Array.from({ length: 49 }, (_, i) => (i + 4) * 1000 + 7)];

describe('stat lines parsed as bytes', () => {
  test('agrees with parseStat on every process in /proc', { skip: !linux && 'needs /proc' }, () => {
    let compared = 0;
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      let line: string;
      try {
        line = readFileSync(`/proc/${entry}/stat`, 'latin1');
      } catch {
        continue; // Exited meanwhile.
      }
      const text = parseStat(line);
      const bytes = countersOf(line);
      assert.ok(bytes, `parsed ${line}`);
      assert.deepEqual(bytes, {
        state: text.state.charCodeAt(0),
        utimeTicks: text.utimeTicks,
        stimeTicks: text.stimeTicks,
        numThreads: text.numThreads,
        startTicks: text.startTicks,
        vsizeBytes: text.vsizeBytes,
        rssPages: text.rssPages,
      });
      compared += 1;
    }
    assert.ok(compared >= 2, `compared ${compared} processes`);
  });

  test('each field is taken by its number: 14, 15, 20, 22, 23 and 24', () => {
    assert.deepEqual(countersOf(statLine('x', numbered)), {
      state: 'R'.charCodeAt(0),
      utimeTicks: 14007,
      stimeTicks: 15007,
      numThreads: 20007,
      startTicks: 22007,
      vsizeBytes: 23007,
      rssPages: 24007,
    });
  });

  test('a name holding spaces, parentheses and digits is skipped up to the last )', () => {
    const counters = countersOf(statLine('a b) Z 1 (c 9', numbered));
    assert.equal(counters?.state, 'R'.charCodeAt(0));
    assert.equal(counters?.utimeTicks, 14007);
    assert.equal(counters?.rssPages, 24007);
  });

  test('negative fields (priority, nice) parse; a line cut before field 24 is refused', () => {
    const fields = [...numbered];
    fields[18 - 3] = -2; // priority
    fields[19 - 3] = -20; // nice
    assert.equal(countersOf(statLine('x', fields))?.rssPages, 24007);
    assert.equal(countersOf(statLine('x', fields.slice(0, 24 - 3))), undefined);
    // Exactly 24 fields without a newline still parses (the last field ends the buffer).
    const exact = `4242 (x) ${numbered.slice(0, 24 - 2).join(' ')}`;
    assert.equal(countersOf(exact)?.rssPages, 24007);
  });

  test('text that is not a stat line is refused', () => {
    assert.equal(countersOf(''), undefined);
    assert.equal(countersOf('no parenthesis at all\n'), undefined);
    assert.equal(countersOf('4242 (x)'), undefined);
    const letters = [...numbered];
    letters[14 - 3] = '12a';
    assert.equal(countersOf(statLine('x', letters)), undefined);
    const doubleSpace = statLine('x', numbered).replace(' 14007 ', '  14007 ');
    assert.equal(countersOf(doubleSpace), undefined);
  });

  test('only the bytes up to length count, not what the buffer holds after them', () => {
    const line = statLine('x', numbered);
    const cut = line.indexOf(' 24007');
    const bytes = Buffer.from(`${line.slice(0, cut)} 99 ${line.slice(cut)}`, 'latin1');
    const out = newStatCounters();
    // Only fields up to 23 lie inside `cut` bytes: the line is too short.
    assert.equal(parseStatCounters(bytes, cut, out), false);
  });

  test('LinuxProcess.readStatCounters reads the own process', {
    skip: !linux && 'needs /proc',
  }, () => {
    const proc = new LinuxProcess(process.pid);
    try {
      const out = newStatCounters();
      proc.readStatCounters(out);
      const text = proc.stat();
      assert.equal(out.startTicks, proc.startTicks);
      assert.equal(out.state, text.state.charCodeAt(0));
      assert.ok(out.numThreads >= 1 && out.numThreads === text.numThreads);
      assert.ok(out.rssPages > 0);
      // Read before the text: CPU time only grows.
      assert.ok(out.utimeTicks <= text.utimeTicks && out.stimeTicks <= text.stimeTicks);
    } finally {
      proc.close();
    }
  });
});
