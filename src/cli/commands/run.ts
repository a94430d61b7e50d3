/**
 * `microbench [options] -- COMMAND [ARGS...]`: run a command, time it, record it. The record is
 * assembled by the library's run engine (BenchCall, src/bench/call.ts: mixin hooks, start and
 * finish, exception, interrupted); this file adds what only a command has.
 *
 *   warmup runs (not timed, not sampled, not recorded)
 *      └─► mixin capture() ──► start_time
 *            └─► per timed iteration: beforeIteration ─► spawn ─► telemetry / timeout / capture
 *                 ─► exit (duration) ─► afterIteration
 *      └─► finish_time ──► mixin capturePost() ──► returncode, stdout, telemetry, ... ──► outputs
 *
 * The command runs in its own process group (a new session), so a signal reaches its whole tree:
 * `--timeout` and signals sent to microbench (SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2)
 * go to the group, and to descendants that left it. SIGINT, SIGTERM, SIGHUP and SIGQUIT also stop
 * further iterations, and the record is written all the same (with `interrupted: '<signal>'`).
 * When microbench runs in the foreground of a terminal the command stays in microbench's group
 * instead, so it keeps the terminal (reads it without SIGTTIN, gets Ctrl-Z); the terminal's
 * Ctrl-C then reaches it directly and is not passed on a second time (docs/choices.md).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { constants } from 'node:os';
import { basename } from 'node:path';
import { randomUuid } from '../../_random-uuid.js';
import type { CaptureMethods } from '../../bench/_captures.js';
import { BenchCall } from '../../bench/call.js';
import { OptionError, type OutputDeliveryError } from '../../errors.js';
import { toJsonValue } from '../../json/encode.js';
import { CLI_DEFAULT_MIXIN_NAMES } from '../../mixins/_cli-defaults.js';
import type { Mixin } from '../../mixins/mixin.js';
import { OutputFanOut } from '../../outputs/fan-out.js';
import type { Output } from '../../outputs/output.js';
import { IMPLEMENTATION, type RecordFormat } from '../../record/layout.js';
import type { BenchRecord, RecordedException, TelemetrySample } from '../../record/record.js';
import { type Timezone, UTC } from '../../record/timestamp.js';
import { encodeRecord } from '../../record/write-record.js';
import { accountListFields, type SampleAccount } from '../../telemetry/sample-account.js';
import { VERSION } from '../../version.js';
import { CaptureBuffer, type CapturedText } from '../_capture-buffer.js';
import type { ChildTelemetryResult, ChildTelemetryRun } from '../_child-telemetry.js';
import { CommandTree, isTerminalForeground } from '../_command-tree.js';
import type { Progress } from '../_progress.js';
import {
  type CommandResourceUsage,
  readChildrenUsage,
  toCommandUsage,
} from '../_resource-usage.js';
import type { RunJournal } from '../_run-journal.js';
import type { CaptureMode } from '../parse-args.js';
import type { CommandIO } from './_io.js';

/** Record fields the CLI writes itself; `--field` cannot use these names. */
export const CLI_RECORD_FIELDS: readonly string[] = [
  'mb_run_id',
  'mb_version',
  'mb_implementation',
  'timestamp_tz',
  'duration_counter',
  'function_name',
  'invocation',
  'command',
  'run_durations',
  'start_time',
  'finish_time',
  'returncode',
  'timed_out',
  'stdout',
  'stderr',
  'stdout_dropped_bytes',
  'stderr_dropped_bytes',
  'telemetry',
  'telemetry_scope',
  'telemetry_samples_due',
  'telemetry_samples_taken',
  'telemetry_samples_missed',
  'telemetry_lateness_p95_ms',
  'telemetry_lateness_max_ms',
  'resource_usage',
  'exception',
  'interrupted',
  'mixin_errors',
];

/** Options of {@link runCommandBench}. */
export interface CommandBenchOptions {
  /** The command and its arguments; run directly, without a shell. */
  readonly command: readonly string[];
  /** Timed iterations. @default 1 */
  readonly iterations?: number;
  /** Untimed runs first. @default 0 */
  readonly warmup?: number;
  /** Per-iteration limit in seconds: SIGTERM, then SIGKILL after the grace period. */
  readonly timeoutS?: number;
  /** Seconds between SIGTERM and SIGKILL. @default 5 */
  readonly timeoutGracePeriodS?: number;
  /** Record stdout (`capture` also shows it, `suppress` does not). */
  readonly stdout?: CaptureMode;
  /** Record stderr (`capture` also shows it, `suppress` does not). */
  readonly stderr?: CaptureMode;
  /**
   * The most bytes of each captured stream one run keeps: its first and last halves, with a
   * line in between saying how much was left out (and `stdout_dropped_bytes` /
   * `stderr_dropped_bytes` in the record). The echo is never cut.
   * @default 67108864 (64 MiB)
   */
  readonly captureLimitBytes?: number;
  /** Sample `cpu_percent`/`rss_bytes` every this many seconds. */
  readonly telemetryIntervalS?: number;
  /**
   * What telemetry samples: the command's whole process tree (`tree`) or its own process
   * (`direct`); the record's `telemetry_scope` says which. @default 'tree'
   */
  readonly telemetryScope?: 'tree' | 'direct';
  /** Static string fields, first in the record. */
  readonly fields?: Readonly<Record<string, string>>;
  /** Metadata collectors; `resource-usage` among them turns on `resource_usage`. */
  readonly mixins?: readonly Mixin[];
  /** Where the record goes. */
  readonly outputs: readonly Output[];
  /** @default UTC */
  readonly timezone?: Timezone;
  /** Show the progress line; by default when stderr is a terminal and there is more than one run. */
  readonly progress?: boolean;
  /**
   * Journal the run next to this outfile (`<folder>/.microbench-journal/`), so a kill of
   * microbench leaves what `microbench recover` turns into a record marked `interrupted`.
   */
  readonly journalOutfile?: string;
  /** The record's layout (docs/record-format.md). @default 'v1' */
  readonly recordFormat?: RecordFormat;
}

/** What {@link runCommandBench} did. */
export interface CommandBenchResult {
  /** The record, as handed to the outputs. */
  readonly record: BenchRecord;
  /**
   * The exit status microbench should end with: the first non-zero return code of a timed
   * iteration (128+N for signal N), 127 / 126 when the command could not be started, 128+N when a
   * forwarded signal N stopped the run before any timed iteration failed, else 0.
   */
  readonly exitCode: number;
  /** The signal that stopped the run, if one did. */
  readonly interruptedBy?: NodeJS.Signals;
  /** Set when an output failed to deliver the record. */
  readonly deliveryError?: OutputDeliveryError;
}

// The CLI's `mb_run_id`: one per process, like the library's RUN_ID (bench/run-id.ts), but made
// without loading Web Crypto (see _random-uuid.ts).
const RUN_ID = randomUuid();

// Signals passed on to the command; the first four also end the run after the current iteration.
const FORWARDED: readonly NodeJS.Signals[] = [
  'SIGINT',
  'SIGTERM',
  'SIGHUP',
  'SIGQUIT',
  'SIGUSR1',
  'SIGUSR2',
];
const STOPPING: ReadonlySet<NodeJS.Signals> = new Set(['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT']);
// Signals a terminal sends to its whole foreground group (Ctrl-C, Ctrl-\).
const FROM_TERMINAL: ReadonlySet<NodeJS.Signals> = new Set(['SIGINT', 'SIGQUIT']);

// What one run of the command gave.
interface RunOutcome {
  /** Exit code, or minus the signal number; undefined when it could not be started. */
  readonly returncode?: number;
  readonly durationS: number;
  readonly timedOut: boolean;
  readonly stdout?: CapturedText;
  readonly stderr?: CapturedText;
  readonly telemetry?: ChildTelemetryResult;
  readonly usage?: CommandResourceUsage;
  readonly spawnError?: NodeJS.ErrnoException;
}

// The state shared by every run of one benchmark.
interface RunState {
  current: CommandTree | undefined;
  interruptedBy: NodeJS.Signals | undefined;
  /** Spawn commands in their own process group (false in the foreground of a terminal). */
  readonly ownGroup: boolean;
}

/**
 * Run the command `warmup + iterations` times, build the record and hand it to the outputs.
 * Never throws for the command's own failures: a command that cannot be started still gets a
 * record (`exception`, `returncode: []`).
 *
 * @throws OptionError for a `--field` named like a field the CLI writes.
 */
export async function runCommandBench(
  options: CommandBenchOptions,
  io: CommandIO,
): Promise<CommandBenchResult> {
  const command = [...options.command];
  if (command.length === 0 || command[0] === '') {
    throw new OptionError('Expected `command` to name a program to run, got an empty command');
  }
  const fields = options.fields ?? {};
  for (const key of Object.keys(fields)) {
    if (CLI_RECORD_FIELDS.includes(key)) {
      throw new OptionError(
        `--field ${key}=...: '${key}' is a field microbench records itself; choose another name`,
      );
    }
  }
  const iterations = options.iterations ?? 1;
  const warmup = options.warmup ?? 0;
  const timezone = options.timezone ?? UTC;
  const mixins = options.mixins ?? [];
  const functionName = basename(command[0]!);
  const telemetryScope = options.telemetryScope ?? 'tree';
  const wantUsage = process.platform === 'linux' && mixins.some((m) => m.name === 'resource-usage');
  const loadTelemetry =
    options.telemetryIntervalS !== undefined ? import('../_child-telemetry.js') : undefined;
  const loadJournal =
    options.journalOutfile !== undefined ? import('../_run-journal.js') : undefined;
  // The journal of the run once it is open, and the timed iteration (0-based) now running.
  let journal: RunJournal | undefined;
  let iterationIndex = 0;

  const progress = await startProgress(options, io, iterations, warmup);
  const state: RunState = {
    current: undefined,
    interruptedBy: undefined,
    ownGroup: !isTerminalForeground(),
  };
  const removeSignalHandlers = forwardSignals(state);
  try {
    const telemetryModule = await loadTelemetry;
    telemetryModule?.warmChildTelemetry(telemetryScope, timezone);
    const runOnce = (timed: boolean) =>
      runCommandOnce(command, {
        state,
        io,
        timed,
        ...(options.stdout && { stdout: options.stdout }),
        ...(options.stderr && { stderr: options.stderr }),
        captureLimitBytes: options.captureLimitBytes ?? DEFAULT_CAPTURE_LIMIT_BYTES,
        ...(options.timeoutS !== undefined && { timeoutMs: options.timeoutS * 1000 }),
        graceMs: (options.timeoutGracePeriodS ?? 5) * 1000,
        usage: timed && wantUsage,
        startTelemetry:
          timed && telemetryModule && options.telemetryIntervalS !== undefined
            ? (pid: number) =>
                telemetryModule.startChildTelemetry(pid, {
                  intervalS: options.telemetryIntervalS!,
                  scope: telemetryScope,
                  timezone,
                  onSample: (epochMs, fields) => journal?.sample(iterationIndex, epochMs, fields),
                })
            : undefined,
      });

    let spawnError: NodeJS.ErrnoException | undefined;
    for (let i = 1; i <= warmup && !state.interruptedBy; i++) {
      progress?.start('warmup', i);
      const outcome = await runOnce(false);
      progress?.finish();
      spawnError = outcome.spawnError;
      if (spawnError) break;
    }

    // The record's constant fields, then the run engine the library's calls use (BenchCall:
    // mixin hooks and their failures, start and finish, exception, interrupted); the CLI adds
    // what only a command has (spawning, its tree's telemetry, capture, return codes).
    const base: Record<string, unknown> = {
      ...fields,
      mb_run_id: RUN_ID,
      mb_version: VERSION,
      mb_implementation: IMPLEMENTATION,
      timestamp_tz: timezone.name,
      duration_counter: 'performance.now',
      function_name: functionName,
      invocation: 'CLI',
      command,
    };
    for (const mixin of mixins) {
      if (mixin.constantFields)
        guard(base, mixin.name, () => Object.assign(base, mixin.constantFields!()));
    }
    let finished: BenchRecord | undefined;
    const call = new BenchCall(
      {
        baseRecord: base,
        envVars: [],
        mixins,
        captureMethods: NO_CAPTURE_METHODS,
        instance: {},
        timezone,
        counter: () => performance.now(),
        toJsonValue: (value, what) => toJsonValue(value, what),
        startTelemetry: undefined,
        deliver: (done) => {
          finished = done;
        },
        describeException: (error) => toSpawnException(command[0]!, error as NodeJS.ErrnoException),
      },
      functionName,
      [],
      command,
    );
    call.begin();
    const { record, context } = call;
    // finish_time follows start_time, as in every record (end() sets its value).
    record.finish_time = record.start_time;
    const journalModule = await loadJournal;
    if (journalModule && options.journalOutfile !== undefined) {
      journal = journalModule.openRunJournal(
        {
          outfile: options.journalOutfile,
          timezone: timezone.name,
          recordFormat: options.recordFormat ?? 'v1',
          intervalMs: (options.telemetryIntervalS ?? 0) * 1000,
          // The keys the finished record will have, in its order, for a recovered one.
          record: {
            ...record,
            finish_time: record.start_time,
            returncode: [],
            ...(options.telemetryIntervalS !== undefined && {
              telemetry: [],
              telemetry_scope: telemetryScope,
            }),
          },
        },
        (message) => io.stderr.write(`microbench: warning: ${message}\n`),
      );
    }
    const returncodes: number[] = [];
    const captured = { stdout: [] as CapturedText[], stderr: [] as CapturedText[] };
    const telemetry: TelemetrySample[][] = [];
    const accounts: SampleAccount[] = [];
    // Per timed iteration: whether its command exited before its initial sample could be read.
    const exitedUnsampled: boolean[] = [];
    // One entry per started iteration; null for one whose command could not be started.
    const usage: (CommandResourceUsage | null)[] = [];
    let timedOut = false;
    for (let i = 1; i <= iterations && !spawnError && !state.interruptedBy; i++) {
      iterationIndex = i - 1;
      journal?.started(i - 1);
      call.beforeIteration();
      progress?.start('timed', i);
      const outcome = await runOnce(true);
      progress?.finish(outcome.durationS);
      // Every per-iteration list gets one entry per started iteration, whatever its outcome.
      const durationS = outcome.durationS;
      telemetry.push(outcome.telemetry?.samples ?? []);
      accounts.push(outcome.telemetry?.account ?? NOTHING_DUE);
      exitedUnsampled.push(outcome.telemetry?.exitedBeforeFirstSample === true);
      if (outcome.spawnError) {
        spawnError = outcome.spawnError;
        // The shell's codes for a command that cannot be run: 127 not found, 126 not runnable.
        returncodes.push(toExitCode([], spawnError, undefined));
        if (wantUsage) usage.push(null);
        call.afterIteration(durationS);
        break;
      }
      returncodes.push(outcome.returncode!);
      journal?.iteration(i - 1, outcome.durationS, outcome.returncode!);
      timedOut ||= outcome.timedOut;
      if (outcome.stdout) captured.stdout.push(outcome.stdout);
      if (outcome.stderr) captured.stderr.push(outcome.stderr);
      if (outcome.usage) usage.push(outcome.usage);
      call.afterIteration(durationS);
    }
    progress?.done();

    // The command's own fields, then BenchCall.end(): finish_time, capturePost hooks (which
    // read them: resource usage), exception, interrupted, and the record handed over.
    if (spawnError) context.error = spawnError;
    record.returncode = returncodes;
    if (timedOut) record.timed_out = true;
    if (options.stdout) record.stdout = captured.stdout.map((c) => c.text);
    if (options.stderr) record.stderr = captured.stderr.map((c) => c.text);
    if (captured.stdout.some((c) => c.droppedBytes > 0))
      record.stdout_dropped_bytes = captured.stdout.map((c) => c.droppedBytes);
    if (captured.stderr.some((c) => c.droppedBytes > 0))
      record.stderr_dropped_bytes = captured.stderr.map((c) => c.droppedBytes);
    if (options.telemetryIntervalS !== undefined) {
      record.telemetry = telemetry;
      record.telemetry_scope = telemetryScope;
      // One entry per started iteration, as `telemetry` (the library's one call has one number).
      Object.assign(record, accountListFields(accounts));
      const warning = missedSamplesWarning(accounts, exitedUnsampled);
      if (warning !== undefined) io.stderr.write(warning);
    }
    if (wantUsage) record.resource_usage = usage;
    call.end(state.interruptedBy ? { interrupted: state.interruptedBy } : {});
    if (finished !== record) throw new Error('the run engine did not hand over the record');

    journal?.end(record);
    const deliveryError = await deliver(record, options.outputs, options.recordFormat ?? 'v1');
    // Undelivered, the journal stays for `microbench recover` to deliver later.
    if (!deliveryError) journal?.remove();
    return {
      record,
      exitCode: toExitCode(returncodes, spawnError, state.interruptedBy),
      ...(state.interruptedBy && { interruptedBy: state.interruptedBy }),
      ...(deliveryError && { deliveryError }),
    };
  } finally {
    progress?.done();
    removeSignalHandlers();
  }
}

/**
 * The names of the CLI's default mixins (microbench's CLI set, with node-runtime in place of
 * python-info), in order. Equal to the registry's `CLI_DEFAULT_MIXINS`.
 */
export const DEFAULT_CLI_MIXIN_NAMES: readonly string[] = CLI_DEFAULT_MIXIN_NAMES;

/**
 * The message microbench prints when the command cannot be started: names the command and says
 * what to check.
 */
export function describeSpawnError(program: string, error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ENOENT':
      return program.includes('/')
        ? `cannot run '${program}': no such file`
        : `cannot run '${program}': command not found on PATH; check the name or give its path`;
    case 'EACCES':
      return `cannot run '${program}': permission denied; is it an executable file (chmod +x)?`;
    default:
      return `cannot run '${program}': ${error.message}`;
  }
}

// ---------------------------------------------------------------------------------------------
// internal

// Options of one run of the command.
interface RunOnceOptions {
  readonly state: RunState;
  readonly io: CommandIO;
  readonly timed: boolean;
  readonly stdout?: CaptureMode;
  readonly stderr?: CaptureMode;
  readonly captureLimitBytes: number;
  readonly timeoutMs?: number;
  readonly graceMs: number;
  readonly usage: boolean;
  readonly startTelemetry: ((pid: number) => ChildTelemetryRun) | undefined;
}

// Spawn the command once and wait for it to exit (and its captured output to end).
function runCommandOnce(command: readonly string[], options: RunOnceOptions): Promise<RunOutcome> {
  const { state, io } = options;
  return new Promise<RunOutcome>((resolve) => {
    const usageBefore = options.usage ? readChildrenUsage() : undefined;
    const startMs = performance.now();
    let child: ChildProcess;
    try {
      child = spawn(command[0]!, command.slice(1), {
        stdio: [
          'inherit',
          options.stdout ? 'pipe' : 'inherit',
          options.stderr ? 'pipe' : 'inherit',
        ],
        // Its own session and process group, so signals reach the whole tree (run.ts header).
        detached: state.ownGroup,
      });
    } catch (error) {
      // Synchronous refusals: an argument with a NUL byte, a bad option.
      resolve({ durationS: 0, timedOut: false, spawnError: error as NodeJS.ErrnoException });
      return;
    }
    // Known at once (spawn is synchronous underneath), so a signal arriving before the 'spawn'
    // event is still passed on.
    const tree = child.pid !== undefined ? new CommandTree(child.pid, state.ownGroup) : undefined;
    state.current = tree;
    const limit = options.captureLimitBytes;
    const stdoutPipe = collect('stdout', child.stdout, options.stdout, limit, () => io.stdout);
    const stderrPipe = collect('stderr', child.stderr, options.stderr, limit, () => io.stderr);
    let spawned = false;
    let timedOut = false;
    let telemetry: ChildTelemetryRun | undefined;
    let termTimer: NodeJS.Timeout | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    let killSent = false;
    let killed: (() => void) | undefined;
    // SIGKILL to whatever is left of the tree, at the end of the grace period.
    const killLater = () => {
      killTimer = setTimeout(() => {
        killSent = true;
        tree?.signal('SIGKILL');
        killed?.();
      }, options.graceMs);
    };

    child.once('error', (error: NodeJS.ErrnoException) => {
      if (spawned) return; // a failed kill() of a process that just exited: nothing to do
      state.current = undefined;
      resolve({
        durationS: (performance.now() - startMs) / 1000,
        timedOut: false,
        spawnError: error,
      });
    });
    child.once('spawn', () => {
      spawned = true;
      if (child.pid !== undefined) telemetry = options.startTelemetry?.(child.pid);
      if (options.timeoutMs !== undefined) {
        termTimer = setTimeout(() => {
          timedOut = true;
          tree?.signal('SIGTERM');
          killLater();
        }, options.timeoutMs);
      }
    });
    child.once('exit', (code, signal) => {
      const durationS = (performance.now() - startMs) / 1000;
      state.current = undefined;
      clearTimeout(termTimer);
      const samples = telemetry?.stop();
      const usageAfter = usageBefore ? readChildrenUsage() : undefined;
      stdoutPipe.exited();
      stderrPipe.exited();
      // A stopped run leaves nothing behind: what of the tree outlived the command gets SIGTERM
      // (again, for a timeout) and SIGKILL after the grace period; the run waits for that.
      // Once SIGKILL went to the tree (the grace period ended before the command's exit was
      // seen), what is left is dying already: nothing more to wait for.
      let survivorsGone = Promise.resolve();
      if ((timedOut || state.interruptedBy) && !killSent && tree?.hasSurvivors()) {
        survivorsGone = new Promise<void>((done) => {
          killed = done;
        });
        if (killTimer === undefined) {
          tree.signal('SIGTERM');
          killLater();
        }
      } else {
        clearTimeout(killTimer);
      }
      const ended = Promise.all([stdoutPipe.text, stderrPipe.text, survivorsGone]);
      void ended.then(([stdout, stderr]) => {
        const returncode = code ?? -(constants.signals[signal as NodeJS.Signals] ?? 0);
        resolve({
          returncode,
          durationS,
          timedOut: options.timed && timedOut,
          ...(stdout !== undefined && { stdout }),
          ...(stderr !== undefined && { stderr }),
          ...(samples && { telemetry: samples }),
          ...(usageBefore &&
            usageAfter && {
              usage: toCommandUsage(usageBefore, usageAfter, samples?.peakRssBytes ?? null),
            }),
        });
      });
    });
  });
}

// A command has no capture methods (a bench subclass's capture*() / capturepost*()).
const NO_CAPTURE_METHODS: CaptureMethods = { pre: [], post: [] };

// The warning for the samples the record counts missed, or undefined when none was: those of
// commands that exited before their initial sample could be read are said apart, since no
// interval or machine would have given them.
function missedSamplesWarning(
  accounts: readonly SampleAccount[],
  exitedUnsampled: readonly boolean[],
): string | undefined {
  let due = 0;
  let missed = 0;
  let early = 0;
  let earlyMissed = 0;
  for (const [i, account] of accounts.entries()) {
    due += account.due;
    missed += account.missed;
    if (exitedUnsampled[i]) {
      early++;
      earlyMissed += account.missed;
    }
  }
  if (missed === 0) return undefined;
  let text = '';
  if (early > 0) {
    const which =
      accounts.length === 1
        ? 'the command'
        : early === accounts.length
          ? `in all ${early} iterations the command`
          : `in ${early} of ${accounts.length} iterations the command`;
    text += `microbench: warning: ${which} exited before telemetry's first sample could be read (telemetry_samples_missed in the record): it ran too briefly to be sampled; telemetry needs a command that runs for more than a few milliseconds\n`;
  }
  if (missed > earlyMissed) {
    const otherDue = due - earlyMissed;
    text += `microbench: warning: telemetry took ${otherDue - (missed - earlyMissed)} of the ${otherDue} samples due${early > 0 ? ' in the other iterations' : ''} (telemetry_samples_missed in the record): microbench's own process could not keep up, so the machine is overloaded or the tree too large to read at this interval; lengthen --telemetry-interval or use --telemetry-scope direct\n`;
  }
  return text;
}

// The account of an iteration that never ran (its command could not be started).
const NOTHING_DUE: SampleAccount = {
  due: 0,
  taken: 0,
  missed: 0,
  latenessP95Ms: null,
  latenessMaxMs: null,
};

// How long to keep reading a captured pipe after the command exited: a process it left behind
// may hold the pipe open for ever.
const DRAIN_AFTER_EXIT_MS = 500;

// A captured pipe being read: `text` resolves at its end (or undefined when not captured);
// `exited()` starts the countdown after which a pipe still held open is abandoned.
interface Collector {
  readonly text: Promise<CapturedText | undefined>;
  exited(): void;
}

/** Default of {@link CommandBenchOptions.captureLimitBytes}: 64 MiB per stream per run. */
export const DEFAULT_CAPTURE_LIMIT_BYTES = 64 * 1024 * 1024;

// Read a captured pipe to its end, echoing it in `capture` mode. `echoTo` is called only then:
// io's streams are made on first use, which costs start-up. Past `limit` bytes, only the first
// and the last limit/2 bytes are kept (the echo still shows everything).
function collect(
  name: 'stdout' | 'stderr',
  stream: NodeJS.ReadableStream | null,
  mode: CaptureMode | undefined,
  limit: number,
  echoTo: () => NodeJS.WritableStream,
): Collector {
  if (!stream || !mode) return { text: Promise.resolve(undefined), exited() {} };
  const kept = new CaptureBuffer(limit);
  const echo = mode === 'capture' ? echoTo() : undefined;
  // A reader that went away (`microbench --stdout ... | head -1`) stops the echo, not the run.
  let echoing = echo !== undefined;
  const stopEcho = () => {
    echoing = false;
  };
  echo?.on('error', stopEcho);
  stream.on('data', (chunk: Buffer) => {
    kept.add(chunk);
    if (echoing) echo?.write(chunk);
  });
  let drainTimer: NodeJS.Timeout | undefined;
  let finish = () => {};
  const text = new Promise<CapturedText>((resolve) => {
    finish = () => {
      clearTimeout(drainTimer);
      echo?.off('error', stopEcho);
      resolve(kept.result(name));
    };
    stream.once('end', finish);
    stream.once('error', finish);
    stream.once('close', finish);
  });
  return {
    text,
    exited() {
      drainTimer = setTimeout(() => {
        (stream as NodeJS.ReadableStream & { destroy(): void }).destroy();
        finish();
      }, DRAIN_AFTER_EXIT_MS);
      drainTimer.unref();
    },
  };
}

// Pass signals on to the running command; returns the function that removes the handlers.
function forwardSignals(state: RunState): () => void {
  const handlers = FORWARDED.map((signal) => {
    const handler = () => {
      if (STOPPING.has(signal)) state.interruptedBy ??= signal;
      // In the terminal's group the command got the terminal's Ctrl-C (or Ctrl-\) itself.
      if (state.current && !state.ownGroup && FROM_TERMINAL.has(signal) && isTerminalForeground()) {
        state.current.remember();
        return;
      }
      state.current?.signal(signal);
    };
    process.on(signal, handler);
    return () => process.off(signal, handler);
  });
  return () => {
    for (const remove of handlers) remove();
  };
}

// The progress line, when asked for or when stderr is a terminal and there is more than one run.
async function startProgress(
  options: CommandBenchOptions,
  io: CommandIO,
  iterations: number,
  warmup: number,
): Promise<Progress | undefined> {
  const runs = iterations + warmup;
  // A single run shows no line unless asked: neither the module nor io.stderr (a stream made on
  // first use, which costs start-up) is then touched.
  if (options.progress === false || (options.progress === undefined && runs <= 1)) return undefined;
  const { createProgress, shouldShowProgress } = await import('../_progress.js');
  if (options.progress === undefined && !shouldShowProgress(io.stderr, runs)) return undefined;
  // In place only when the command cannot write to the terminal the line is drawn on.
  const commandWritesToTerminal =
    options.stderr !== 'suppress' || (options.stdout !== 'suppress' && io.stdout.isTTY === true);
  return createProgress({
    stream: io.stderr,
    iterations,
    warmup,
    inPlace: !commandWritesToTerminal,
  });
}

// A failing collector never loses the record: note which one failed and why.
function guard(record: Record<string, unknown>, mixin: string, hook: () => void): void {
  try {
    hook();
  } catch (error) {
    const errors = (record.mixin_errors ?? []) as { mixin: string; error: string }[];
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    errors.push({ mixin, error: text });
    record.mixin_errors = errors;
  }
}

// `{type, message}` for a command that could not be started: the errno code as the type.
function toSpawnException(program: string, error: NodeJS.ErrnoException): RecordedException {
  return { type: error.code ?? error.name, message: describeSpawnError(program, error) };
}

// First non-zero timed return code (signal N → 128+N); 127/126 when it could not be started.
function toExitCode(
  returncodes: readonly number[],
  spawnError: NodeJS.ErrnoException | undefined,
  interruptedBy: NodeJS.Signals | undefined,
): number {
  if (spawnError) return spawnError.code === 'ENOENT' ? 127 : 126;
  const failed = returncodes.find((code) => code !== 0);
  if (failed !== undefined) return failed < 0 ? 128 - failed : failed;
  if (interruptedBy) return 128 + (constants.signals[interruptedBy] ?? 0);
  return 0;
}

// Hand the record to every output and wait for delivery.
async function deliver(
  record: BenchRecord,
  outputs: readonly Output[],
  format: RecordFormat,
): Promise<OutputDeliveryError | undefined> {
  // Failures are reported once, by the caller, from the returned error.
  const fanOut = new OutputFanOut(outputs, { warn: () => {} });
  fanOut.deliver(record, () => encodeRecord(record, format));
  try {
    await fanOut.close();
    return undefined;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_MB_OUTPUT') return error as OutputDeliveryError;
    throw error;
  }
}
