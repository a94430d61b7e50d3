// internal: what a telemetry field measures (from its name), and number formatting for people.

/** What a numeric field measures, judged from its flattened name. */
export type FieldKind = 'bytes' | 'percent' | 'seconds' | 'plain';

/** A display unit: divide raw values by `divisor` and append `label`. */
export interface DisplayUnit {
  readonly label: string;
  readonly divisor: number;
}

const BYTE_SUFFIXES = ['rss', 'vms', 'uss', 'pss', 'swap'];
const KIB = 1024;
const MIB = KIB * 1024;
const GIB = MIB * 1024;
const TIB = GIB * 1024;

/**
 * Classify a flattened field path (`rss`, `memory_info.rss`, `gpus[0].utilization`) by unit:
 * names containing `percent` are percentages; names ending in rss/vms/uss/pss/swap or containing
 * `bytes`/`memory` are bytes; names ending in `_s`/`seconds` are seconds.
 */
export function classifyField(path: string): FieldKind {
  const name = path.toLowerCase();
  if (name.includes('percent')) return 'percent';
  if (
    BYTE_SUFFIXES.some((s) => name.endsWith(s)) ||
    name.includes('bytes') ||
    name.includes('memory')
  ) {
    return 'bytes';
  }
  if (name.endsWith('_s') || name.endsWith('seconds')) return 'seconds';
  return 'plain';
}

/** True for fields that hold a resident set size (`rss`, `rss_bytes`, `memory_info.rss`, `peak_rss`). */
export function isRssField(path: string): boolean {
  return /(^|[._\]])rss(_bytes)?$/i.test(path);
}

/** MiB below 1 GiB, GiB below 1 TiB, then TiB: the unit a chart of byte values is drawn in. */
export function chooseByteUnit(maxAbsBytes: number): DisplayUnit {
  if (maxAbsBytes >= TIB) return { label: 'TiB', divisor: TIB };
  if (maxAbsBytes >= GIB) return { label: 'GiB', divisor: GIB };
  return { label: 'MiB', divisor: MIB };
}

/** s, ms, µs or ns: the unit a chart of durations (seconds) is drawn in. */
export function chooseSecondsUnit(maxAbsSeconds: number): DisplayUnit {
  if (maxAbsSeconds >= 1 || maxAbsSeconds === 0) return { label: 's', divisor: 1 };
  if (maxAbsSeconds >= 1e-3) return { label: 'ms', divisor: 1e-3 };
  if (maxAbsSeconds >= 1e-6) return { label: 'µs', divisor: 1e-6 };
  return { label: 'ns', divisor: 1e-9 };
}

/** The unit for a chart of `kind` values whose largest magnitude is `maxAbs`. */
export function chooseUnit(kind: FieldKind, maxAbs: number): DisplayUnit {
  switch (kind) {
    case 'bytes':
      return chooseByteUnit(maxAbs);
    case 'seconds':
      return chooseSecondsUnit(maxAbs);
    case 'percent':
      return { label: '%', divisor: 1 };
    case 'plain':
      return { label: '', divisor: 1 };
  }
}

/** A number with 4 significant digits, without exponent for everyday magnitudes (`1.204`, `512.3`). */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value) && Math.abs(value) < 1e7) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1e7 || (abs < 1e-4 && abs !== 0)) return value.toPrecision(4);
  return value
    .toPrecision(4)
    .replace(/(\.\d*?)0+$/, '$1')
    .replace(/\.$/, '');
}

/** A duration in seconds with an adaptive unit: `1.204 s`, `106.0 ms`, `12.00 µs`, `2m 05s`. */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return String(seconds);
  const abs = Math.abs(seconds);
  if (abs >= 3600) {
    const h = Math.floor(abs / 3600);
    const m = Math.floor((abs % 3600) / 60);
    return `${seconds < 0 ? '-' : ''}${h}h ${String(m).padStart(2, '0')}m`;
  }
  if (abs >= 60) {
    const m = Math.floor(abs / 60);
    const s = Math.floor(abs % 60);
    return `${seconds < 0 ? '-' : ''}${m}m ${String(s).padStart(2, '0')}s`;
  }
  const unit = chooseSecondsUnit(abs);
  return `${(seconds / unit.divisor).toPrecision(4)} ${unit.label}`;
}

/** A byte count in B, KiB, MiB, GiB or TiB with one decimal: `512.3 MiB`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  const abs = Math.abs(bytes);
  if (abs < KIB) return `${bytes} B`;
  const unit =
    abs >= TIB
      ? { label: 'TiB', divisor: TIB }
      : abs >= GIB
        ? { label: 'GiB', divisor: GIB }
        : abs >= MIB
          ? { label: 'MiB', divisor: MIB }
          : { label: 'KiB', divisor: KIB };
  return `${(bytes / unit.divisor).toFixed(1)} ${unit.label}`;
}

/**
 * Round every value so it keeps about `digits` significant digits relative to the largest
 * magnitude in the array: shrinks the embedded JSON without visible loss.
 */
export function roundRelative<T extends number | null>(values: T[], digits = 6): T[] {
  let maxAbs = 0;
  for (const v of values) if (v !== null && Math.abs(v) > maxAbs) maxAbs = Math.abs(v);
  if (maxAbs === 0) return values;
  const decimals = digits - Math.ceil(Math.log10(maxAbs));
  if (decimals > 15) return values;
  if (decimals < 0) {
    const step = 10 ** -decimals;
    return values.map((v) => (v === null ? v : Math.round(v / step) * step)) as T[];
  }
  const factor = 10 ** decimals;
  return values.map((v) => (v === null ? v : Math.round(v * factor) / factor)) as T[];
}
