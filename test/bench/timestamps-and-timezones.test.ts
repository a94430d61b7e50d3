import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MicroBench } from '../../src/bench/micro-bench.js';
import { OptionError } from '../../src/errors.js';
import { formatTimestamp, resolveTimezone } from '../../src/record/timestamp.js';
import { watchWarnings } from '../helpers/warnings.js';

watchWarnings();

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d$/;

// One record from a bench in `timezone` (undefined: the default).
async function recordIn(timezone?: string) {
  const bench = new MicroBench({
    defaultMixins: false,
    ...(timezone === undefined ? {} : { timezone }),
  });
  bench.record('tz', () => undefined);
  const [record] = await bench.getResults();
  assert.ok(record);
  return record;
}

// The UTC offset written at the end of a timestamp, e.g. `+02:00`.
function offsetOf(timestamp: string): string {
  return timestamp.slice(-6);
}

describe('timezone', () => {
  test('UTC by default: +00:00, microseconds, finish >= start', async () => {
    const record = await recordIn();
    assert.equal(record.timestamp_tz, 'UTC');
    for (const ts of [record.start_time, record.finish_time]) {
      assert.match(ts, TIMESTAMP);
      assert.equal(offsetOf(ts), '+00:00');
    }
    assert.ok(Date.parse(record.finish_time) >= Date.parse(record.start_time));
    assert.ok(record.finish_time >= record.start_time, 'also as strings (same offset)');
  });

  test('a fixed offset: +10:00', async () => {
    const record = await recordIn('+10:00');
    assert.equal(record.timestamp_tz, '+10:00');
    assert.equal(offsetOf(record.start_time), '+10:00');
    assert.equal(offsetOf(record.finish_time), '+10:00');
    // The wall-clock part is shifted: parsing with the offset gives the same instant as now.
    assert.ok(Math.abs(Date.parse(record.start_time) - Date.now()) < 60_000);
  });

  test('an IANA zone: Europe/Paris is +01:00 in winter and +02:00 in summer', async () => {
    const paris = resolveTimezone('Europe/Paris');
    assert.equal(offsetOf(formatTimestamp(Date.UTC(2024, 0, 15, 12), paris)), '+01:00');
    assert.equal(offsetOf(formatTimestamp(Date.UTC(2024, 6, 15, 12), paris)), '+02:00');
    assert.equal(
      formatTimestamp(Date.UTC(2024, 6, 15, 12, 0, 0, 250) + 0.5, paris),
      '2024-07-15T14:00:00.250500+02:00',
    );
    const record = await recordIn('Europe/Paris');
    assert.equal(record.timestamp_tz, 'Europe/Paris');
    assert.match(record.start_time, TIMESTAMP);
    assert.match(offsetOf(record.start_time), /^\+0[12]:00$/);
    assert.ok(Math.abs(Date.parse(record.start_time) - Date.now()) < 60_000);
  });

  test('negative and half-hour offsets', () => {
    const instant = Date.UTC(2024, 0, 1, 0, 0, 0, 0);
    assert.equal(
      formatTimestamp(instant, resolveTimezone('-03:30')),
      '2023-12-31T20:30:00.000000-03:30',
    );
    assert.equal(
      formatTimestamp(instant, resolveTimezone('Asia/Kolkata')),
      '2024-01-01T05:30:00.000000+05:30',
    );
    assert.equal(
      formatTimestamp(instant, resolveTimezone('America/New_York')),
      '2023-12-31T19:00:00.000000-05:00',
    );
  });

  test('an unknown zone is an OptionError at construction naming the value', () => {
    assert.throws(
      () => new MicroBench({ timezone: 'Mars/Olympus' }),
      (error: unknown) =>
        error instanceof OptionError &&
        /timezone/.test(error.message) &&
        /Mars\/Olympus/.test(error.message),
    );
  });
});
