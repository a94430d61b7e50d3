/**
 * Timestamps in microbench's format: ISO 8601 with microseconds and an explicit offset
 * (`2024-01-01T00:01:30.123456+00:00`), readable by Python's `datetime.fromisoformat`.
 */

/** A resolved timezone: its display name and how to find its UTC offset at an instant. */
export interface Timezone {
  /** As given: `UTC`, `Europe/Paris`, `+10:00`. Recorded as `timestamp_tz`. */
  readonly name: string;
  /** Offset from UTC in minutes at the given epoch milliseconds. */
  offsetMinutes(epochMs: number): number;
}

const OFFSET_RE = /^(?:UTC)?([+-])(\d{2}):?(\d{2})$/;

// One Timezone per name, for the life of the process: a bench's timestamps are formatted on
// the hot path, and a fresh object per bench (a new offsetMinutes closure each time) made V8
// recompile the formatting code for each new bench ("wrong call target").
const resolved = new Map<string, Timezone>();

/**
 * Resolve `UTC`, a fixed offset (`+05:30`, `UTC-03:00`) or an IANA zone (`Europe/Paris`); the
 * same name gives the same object.
 */
export function resolveTimezone(name: string): Timezone {
  let zone = resolved.get(name);
  if (zone === undefined) {
    zone = createTimezone(name);
    resolved.set(name, zone);
  }
  return zone;
}

function createTimezone(name: string): Timezone {
  if (name === 'UTC' || name === 'Z' || name === 'Etc/UTC') return { name, offsetMinutes: () => 0 };
  const fixed = OFFSET_RE.exec(name);
  if (fixed) {
    const minutes = (Number(fixed[2]) * 60 + Number(fixed[3])) * (fixed[1] === '-' ? -1 : 1);
    return { name, offsetMinutes: () => minutes };
  }
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', { timeZone: name, timeZoneName: 'longOffset' });
  } catch (cause) {
    throw new RangeError(
      `Expected \`timezone\` to be "UTC", a fixed offset like "+05:30" or an IANA zone like "Europe/Paris", got ${JSON.stringify(name)}`,
      { cause },
    );
  }
  const cache = new Map<number, number>();
  return {
    name,
    offsetMinutes(epochMs) {
      // Offsets change at most at whole quarter-hours; cache per 15 minutes.
      const bucket = Math.floor(epochMs / 900_000);
      let minutes = cache.get(bucket);
      if (minutes === undefined) {
        const part =
          format.formatToParts(epochMs).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
        const m = /GMT([+-])(\d{2}):(\d{2})/.exec(part);
        minutes = m ? (Number(m[2]) * 60 + Number(m[3])) * (m[1] === '-' ? -1 : 1) : 0;
        if (cache.size > 64) cache.clear();
        cache.set(bucket, minutes);
      }
      return minutes;
    },
  };
}

/** The UTC timezone. */
export const UTC: Timezone = resolveTimezone('UTC');

// Fixed for the life of a thread (each worker has its own), and the getter costs ~20 ns.
const TIME_ORIGIN_MS = performance.timeOrigin;

/** Milliseconds since the epoch with sub-millisecond precision (same clock in every thread). */
export function nowEpochMs(): number {
  return TIME_ORIGIN_MS + performance.now();
}

/** Format epoch milliseconds as ISO 8601 with microseconds and the zone's offset. */
export function formatTimestamp(epochMs: number, tz: Timezone = UTC): string {
  const offset = tz.offsetMinutes(epochMs);
  const second = Math.floor(epochMs / 1000);
  const micros = Math.max(0, Math.floor((epochMs - second * 1000) * 1000));
  // Records are stamped many times a second: the date-time part is built once per second.
  if (second !== cache.second || offset !== cache.offset) {
    const sign = offset < 0 ? '-' : '+';
    const abs = Math.abs(offset);
    cache.second = second;
    cache.offset = offset;
    cache.head = new Date(second * 1000 + offset * 60_000).toISOString().slice(0, 19);
    cache.tail = `${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
  }
  const text = `${cache.head}.${String(micros).padStart(6, '0')}${cache.tail}`;
  // Flatten the concatenation now (reading a character does it): a record kept in memory holds
  // its timestamps for good, ~50 bytes each as one string against ~100 as the rope of pieces.
  text.charCodeAt(0);
  return text;
}

// The date-time (`YYYY-MM-DDTHH:MM:SS`) and offset (`+HH:MM`) of the last second formatted:
// every call stamps two timestamps, and `Date#toISOString()` costs ~1.5 µs (BENCHMARKS.md).
const cache = { second: Number.NaN, offset: 0, head: '', tail: '' };

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
