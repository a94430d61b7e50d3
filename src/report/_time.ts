// internal: parsing record timestamps (ISO 8601 with microseconds and an offset) to epoch seconds.

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

// The last minute parsed on the fast path: samples of one run share it most of the time.
let minuteKey = '';
let minuteBaseS = 0;

/**
 * Epoch seconds of an ISO 8601 timestamp such as `2024-01-01T00:01:30.123456+00:00`, keeping the
 * microseconds that `Date.parse` drops. No offset means UTC. Anything else gives `NaN`.
 */
export function parseTimestampSeconds(value: unknown): number {
  if (typeof value !== 'string') return Number.NaN;
  // Fast path (a report may parse millions): reuse the minute, read seconds and fraction by hand.
  const n = value.length;
  if (n >= 19 && value.charCodeAt(16) === 58 && isDigit(value, 17) && isDigit(value, 18)) {
    let i = 19;
    let fraction = 0;
    const sep = value.charCodeAt(19);
    if (sep === 46 || sep === 44) {
      i = 20;
      let scale = 0.1;
      while (i < n && isDigit(value, i)) {
        fraction += (value.charCodeAt(i) - 48) * scale;
        scale /= 10;
        i++;
      }
      if (i === 20 || i > 29) return parseSlow(value);
    }
    const key = `${value.slice(0, 16)}${value.slice(i)}`;
    if (key !== minuteKey) {
      const base = parseSlow(`${value.slice(0, 16)}:00${value.slice(i)}`);
      if (Number.isNaN(base)) return Number.NaN;
      minuteKey = key;
      minuteBaseS = base;
    }
    const seconds = (value.charCodeAt(17) - 48) * 10 + (value.charCodeAt(18) - 48);
    return minuteBaseS + seconds + fraction;
  }
  return parseSlow(value);
}

// Whether the character at `i` is 0-9.
function isDigit(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c >= 48 && c <= 57;
}

// The full regular-expression parse.
function parseSlow(value: string): number {
  const m = ISO.exec(value);
  if (m === null) return Number.NaN;
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  const fraction = m[7] === undefined ? 0 : Number(`0.${m[7]}`);
  let offsetS = 0;
  const zone = m[8];
  if (zone !== undefined && zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offsetS = sign * (Number(digits.slice(0, 2)) * 3600 + Number(digits.slice(2) || '0') * 60);
  }
  return ms / 1000 + fraction - offsetS;
}
