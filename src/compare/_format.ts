// internal: numbers as the comparison's text and markdown show them.

const UNITS: readonly [number, string][] = [
  [1, 's'],
  [1e-3, 'ms'],
  [1e-6, 'µs'],
  [1e-9, 'ns'],
];

/** Seconds with a unit that keeps 4 significant digits readable: `1.204 s`, `10.02 ms`; `-` for NaN. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '-';
  const abs = Math.abs(seconds);
  const [scale, label] = UNITS.find(([s]) => abs >= s) ?? UNITS[UNITS.length - 1]!;
  return `${(seconds / scale).toPrecision(4)} ${label}`;
}

/** Bytes in KiB, MiB or GiB with one decimal; `-` for null. */
export function formatMemory(bytes: number | null): string {
  if (bytes === null || !Number.isFinite(bytes)) return '-';
  const units: [number, string][] = [
    [1024 ** 3, 'GiB'],
    [1024 ** 2, 'MiB'],
    [1024, 'KiB'],
  ];
  const unit = units.find(([s]) => Math.abs(bytes) >= s);
  return unit ? `${(bytes / unit[0]).toFixed(1)} ${unit[1]}` : `${bytes} B`;
}

/** A ratio with two decimals (`1.10`), `-` for NaN. */
export function formatRatio(ratio: number): string {
  return Number.isFinite(ratio) ? ratio.toFixed(2) : '-';
}
