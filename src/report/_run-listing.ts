// internal: which runs the report lists when there are too many to list all: the first and the
// last few and the outliers, each kept while reading so memory does not grow with the runs.

import { quantileSorted } from '../stats/quantile.js';

/** What a listed row needs: its 1-based number among the group's runs. */
export interface NumberedRow {
  readonly number: number;
}

/** One line of the runs table: a run, or a count of runs not listed between two listed ones. */
export type ListingItem<Row> =
  | { readonly type: 'run'; readonly row: Row; readonly outlier: 'slow' | 'fast' | null }
  | { readonly type: 'gap'; readonly count: number };

/** Tukey's fences: a run whose score lies outside [low, high] is an outlier. */
export interface Fences {
  readonly low: number;
  readonly high: number;
}

/** Sizes of a listing. */
export interface ListingSizes {
  /** Up to this many runs, every run is listed. @default 30 */
  readonly listAllUpTo?: number;
  /** Runs listed at each end beyond that. @default 10 */
  readonly edge?: number;
  /** Most outliers listed on each side (slowest, fastest). @default 10 */
  readonly extremes?: number;
}

/** The first, last and most extreme rows of a stream of rows. */
export class RunListing<Row extends NumberedRow> {
  readonly #listAllUpTo: number;
  readonly #edge: number;
  readonly #extremes: number;
  readonly #first: Row[] = [];
  // The last `edge` rows, oldest first.
  #last: Row[] = [];
  // The highest and lowest scores seen, best first: [score, row].
  readonly #highest: [number, Row][] = [];
  readonly #lowest: [number, Row][] = [];
  #count = 0;

  constructor(sizes: ListingSizes = {}) {
    this.#listAllUpTo = sizes.listAllUpTo ?? 30;
    this.#edge = Math.min(sizes.edge ?? 10, this.#listAllUpTo);
    this.#extremes = sizes.extremes ?? 10;
  }

  /** Rows added so far. */
  get count(): number {
    return this.#count;
  }

  /** Add the next row; `score` (its typical duration; `NaN`: none) ranks it for outliers. */
  add(row: Row, score: number): void {
    this.#count++;
    if (this.#first.length < this.#listAllUpTo) this.#first.push(row);
    this.#last.push(row);
    if (this.#last.length > this.#edge * 2) this.#last = this.#last.slice(-this.#edge);
    if (!Number.isNaN(score)) {
      keepTop(this.#highest, score, row, this.#extremes, (a, b) => a > b);
      keepTop(this.#lowest, score, row, this.#extremes, (a, b) => a < b);
    }
  }

  /**
   * The rows to list, in run order, with gaps counted between them: every row when there are at
   * most `listAllUpTo`, else the first and last `edge` rows and the extreme rows outside `fences`.
   */
  finish(fences: Fences | null): ListingItem<Row>[] {
    const outlier = (score: number): 'slow' | 'fast' | null =>
      fences === null ? null : score > fences.high ? 'slow' : score < fences.low ? 'fast' : null;
    const chosen = new Map<number, { row: Row; outlier: 'slow' | 'fast' | null }>();
    for (const [score, row] of [...this.#highest, ...this.#lowest]) {
      const side = outlier(score);
      if (side !== null) chosen.set(row.number, { row, outlier: side });
    }
    const plain = (row: Row): void => {
      if (!chosen.has(row.number)) chosen.set(row.number, { row, outlier: null });
    };
    if (this.#count <= this.#listAllUpTo) {
      for (const row of this.#first) plain(row);
    } else {
      for (const row of this.#first.slice(0, this.#edge)) plain(row);
      for (const row of this.#last.slice(-this.#edge)) plain(row);
    }
    const rows = [...chosen.values()].sort((a, b) => a.row.number - b.row.number);
    const items: ListingItem<Row>[] = [];
    let next = 1;
    for (const { row, outlier: side } of rows) {
      if (row.number > next) items.push({ type: 'gap', count: row.number - next });
      items.push({ type: 'run', row, outlier: side });
      next = row.number + 1;
    }
    if (next <= this.#count) items.push({ type: 'gap', count: this.#count - next + 1 });
    return items;
  }
}

/** Tukey's fences (1.5 × IQR beyond the quartiles) of sorted scores; `null` below 4 scores. */
export function tukeyFences(sorted: ArrayLike<number>): Fences | null {
  if (sorted.length < 4) return null;
  const q1 = quantileSorted(sorted, 0.25);
  const q3 = quantileSorted(sorted, 0.75);
  const iqr = q3 - q1;
  return { low: q1 - 1.5 * iqr, high: q3 + 1.5 * iqr };
}

// Insert into a list of at most `size` best [score, row] pairs, best first.
function keepTop<Row>(
  list: [number, Row][],
  score: number,
  row: Row,
  size: number,
  better: (a: number, b: number) => boolean,
): void {
  if (size <= 0) return;
  if (list.length === size && !better(score, list[size - 1]![0])) return;
  let i = list.length;
  while (i > 0 && better(score, list[i - 1]![0])) i--;
  list.splice(i, 0, [score, row]);
  if (list.length > size) list.pop();
}
