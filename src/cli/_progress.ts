// internal: the progress line of a multi-iteration CLI run, on stderr, only when it is a terminal.
//
// In place (`\r`, redrawn every second) when the command cannot write to that terminal
// (its stderr is suppressed and its stdout is not the terminal); otherwise one line per
// iteration, at most one a second, so the command's own output never lands in the middle of it.

/** A stream the progress line is written to. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/** Options of {@link createProgress}. */
export interface ProgressOptions {
  readonly stream: ProgressStream;
  readonly iterations: number;
  readonly warmup: number;
  /** Redraw one line in place; false writes a new line per update. */
  readonly inPlace: boolean;
  /** Clock in milliseconds (injected by tests). @default performance.now */
  readonly now?: () => number;
  /** Redraw period of the in-place line, milliseconds. @default 1000 */
  readonly tickMs?: number;
}

/** Tells the progress line where the run is. */
export interface Progress {
  /** A run is starting: warmup run `index` (1-based) or timed iteration `index`. */
  start(phase: 'warmup' | 'timed', index: number): void;
  /** The run that started last has finished (timed runs: after `durationS` seconds). */
  finish(durationS?: number): void;
  /** The whole run is over: clear the line. */
  done(): void;
}

/** Whether to show progress at all: a terminal (not `TERM=dumb`), and more than one run. */
export function shouldShowProgress(
  stream: ProgressStream,
  runs: number,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  return stream.isTTY === true && runs > 1 && env.TERM !== 'dumb';
}

/** Create the progress line. */
export function createProgress(options: ProgressOptions): Progress {
  const { stream, iterations, warmup, inPlace } = options;
  const now = options.now ?? (() => performance.now());
  const tickMs = options.tickMs ?? 1000;
  const durations: number[] = [];
  let phase: 'warmup' | 'timed' = 'warmup';
  let index = 0;
  let runStartMs = 0;
  let lastLineMs = Number.NEGATIVE_INFINITY;
  let ticker: NodeJS.Timeout | undefined;
  let drawn = false;

  // The text: where we are, the last and mean duration, and a rough time left.
  const render = (): string => {
    if (phase === 'warmup') return `microbench: warmup ${index}/${warmup}`;
    let text = `microbench: iteration ${index}/${iterations}`;
    const elapsedS = (now() - runStartMs) / 1000;
    if (inPlace) text += `, running ${formatSeconds(elapsedS)}`;
    if (durations.length > 0) {
      const mean = durations.reduce((a, b) => a + b, 0) / durations.length;
      text += `, last ${formatSeconds(durations.at(-1)!)}, mean ${formatSeconds(mean)}`;
      const left = Math.max(0, (iterations - index + 1) * mean - elapsedS);
      text += `, about ${formatSeconds(left)} left`;
    }
    return text;
  };
  const draw = (force: boolean) => {
    if (inPlace) {
      stream.write(`\r\x1b[K${render()}`);
      drawn = true;
      return;
    }
    const t = now();
    if (!force && t - lastLineMs < tickMs) return;
    lastLineMs = t;
    stream.write(`${render()}\n`);
  };

  return {
    start(nextPhase, nextIndex) {
      phase = nextPhase;
      index = nextIndex;
      runStartMs = now();
      const first = nextIndex === 1 && (nextPhase === 'warmup' || warmup === 0);
      draw(first);
      if (inPlace && ticker === undefined) {
        ticker = setInterval(() => draw(false), tickMs);
        ticker.unref();
      }
    },
    finish(durationS) {
      if (phase === 'timed' && durationS !== undefined) durations.push(durationS);
    },
    done() {
      if (ticker !== undefined) clearInterval(ticker);
      ticker = undefined;
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}

// 0.123s, 12.3s, 2m05s.
function formatSeconds(s: number): string {
  if (s < 10) return `${s.toFixed(3)}s`;
  if (s < 120) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - m * 60)).padStart(2, '0')}s`;
}
