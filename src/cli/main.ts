#!/usr/bin/env node
/**
 * The `microbench` executable: owns argv and the exit status, nothing else.
 *
 *   argv ──► parseCliArgs ──► help / version / show-mixins / dry-run ──► print, exit 0
 *                        ├──► report / summary / compare / diff / recover / export ──► commands/*.ts
 *                        └──► run ──► mixins + outputs ──► runCommandBench ──► exit status
 *
 * Start-up is kept lean: only this file, the parser and the error classes load before the
 * command starts; everything a plain run does not need is imported on demand.
 *
 * A user mistake (a `UsageError`, or an `OptionError` from a flag's value) prints one line plus
 * a hint and exits 2; any other microbench error prints one line and exits 1; anything else is a
 * bug and prints its full stack (with causes) and exits 1.
 */
import { MicrobenchError, OptionError, UsageError } from '../errors.js';
import type { CommandIO } from './commands/_io.js';
import {
  type MixinFlagSpec,
  mayUseMixinFlags,
  parseCliArgs,
  type RunCliOptions,
  renderHelp,
  resolveMixinNames,
  SubcommandUsageError,
} from './parse-args.js';

// The top-level names a v2 record keeps for its namespaces (equal to layout.ts V2_NAMESPACES).
const V2_NAMESPACE_NAMES: readonly string[] = ['mb', 'call', 'host', 'node', 'env', 'python'];

// What running the CLI ended with: an exit status, and a signal to die of instead when the run
// was stopped by that signal (so a shell sees a death by signal, as without microbench).
interface Outcome {
  readonly exitCode: number;
  readonly signal?: NodeJS.Signals;
}

// Dispatch argv to the right command.
async function main(argv: readonly string[], io: CommandIO): Promise<Outcome> {
  const registry = mayUseMixinFlags(argv) ? await import('../mixins/index.js') : undefined;
  const invocation = parseCliArgs(argv, registry ? toMixinFlagSpecs(registry.listMixins()) : []);
  switch (invocation.type) {
    case 'help': {
      const { listMixins } = registry ?? (await import('../mixins/index.js'));
      io.stdout.write(renderHelp(invocation.topic, toMixinFlagSpecs(listMixins())));
      return { exitCode: 0 };
    }
    case 'version': {
      const { VERSION } = await import('../version.js');
      io.stdout.write(`microbench ${VERSION}\n`);
      return { exitCode: 0 };
    }
    case 'report': {
      const { runReport } = await import('./commands/report.js');
      return { exitCode: await runReport(invocation.options, io) };
    }
    case 'summary': {
      const { runSummary } = await import('./commands/summary.js');
      return { exitCode: await runSummary(invocation.options, io) };
    }
    case 'compare': {
      const { runCompare } = await import('./commands/compare.js');
      return { exitCode: await runCompare(invocation.options, io) };
    }
    case 'diff': {
      const { runDiff } = await import('./commands/diff.js');
      return { exitCode: await runDiff(invocation.options, io) };
    }
    case 'recover': {
      const { runRecover } = await import('./commands/recover.js');
      return { exitCode: await runRecover(invocation.options, io) };
    }
    case 'export': {
      const { runExport } = await import('./commands/export.js');
      return { exitCode: await runExport(invocation.options, io) };
    }
    case 'run':
      return runMain(invocation.options, io);
  }
}

// `microbench [options] -- COMMAND`: choose mixins and outputs, run, report.
async function runMain(options: RunCliOptions, io: CommandIO): Promise<Outcome> {
  if (options.showMixins) {
    const { runShowMixins } = await import('./commands/show-mixins.js');
    return { exitCode: await runShowMixins(io) };
  }
  // The registry imports every mixin; a run with the default mixins (or none) does without it.
  const needsRegistry =
    options.mixins !== undefined || options.allMixins || options.mixinFlags.length > 0;
  // Start loading everything the run will need at once: each `import()` awaited in turn would be
  // one more round of file reads before the command starts. Loading runs no code of ours beyond
  // module bodies; the mixins and outputs are only created once the options have been checked.
  const defaultMixins =
    needsRegistry || options.noMixin || options.dryRun
      ? undefined
      : settleLater(loadDefaultMixins());
  const outputFactory = options.dryRun ? undefined : settleLater(loadOutputFactory(options));
  const [run, registry] = await Promise.all([
    import('./commands/run.js'),
    needsRegistry ? import('../mixins/index.js') : undefined,
  ]);
  const names = registry
    ? resolveMixinNames(options, {
        names: Object.keys(registry.MIXIN_REGISTRY),
        defaults: registry.CLI_DEFAULT_MIXINS,
        resolve: registry.resolveMixinName,
      })
    : options.noMixin
      ? []
      : [...run.DEFAULT_CLI_MIXIN_NAMES];
  for (const { spec } of options.mixinFlags) {
    if (!names.includes(spec.mixin)) {
      throw new UsageError(
        `${spec.flag}: the '${spec.mixin}' mixin is not loaded. Add it with --mixin defaults ${spec.mixin} or use --all`,
      );
    }
  }
  for (const key of Object.keys(options.fields)) {
    if (run.CLI_RECORD_FIELDS.includes(key)) {
      throw new UsageError(
        `--field ${key}=...: '${key}' is a field microbench records itself; choose another name`,
      );
    }
    // The v2 layout's namespaces (src/record/layout.ts V2_NAMESPACES), not loaded for one check.
    if (options.recordFormat === 'v2' && V2_NAMESPACE_NAMES.includes(key)) {
      throw new UsageError(
        `--field ${key}=...: '${key}' is a namespace of the v2 record layout; choose another name`,
      );
    }
  }
  if (options.telemetryIntervalS !== undefined && process.platform !== 'linux') {
    throw new UsageError(
      `--telemetry-interval needs Linux /proc to sample another process; this is ${process.platform}`,
    );
  }
  if (options.httpOutput !== undefined && options.httpOutputHeaders.length > 0) {
    const { parseHttpHeader } = await import('../outputs/http.js');
    for (const header of options.httpOutputHeaders) parseHttpHeader(header);
  }
  if (outputFactory === undefined) {
    // --dry-run: say what would run, and stop.
    const { renderDryRun } = await import('./commands/dry-run.js');
    io.stdout.write(renderDryRun(options, names));
    return { exitCode: 0 };
  }

  // Every output destination is checked before the command is spawned (an unwritable outfile
  // exits 1 here, and the command never runs).
  const { preflightOutputs } = await import('../outputs/preflight.js');
  const checked = preflightOutputs({ outfile: options.outfile, httpOutput: options.httpOutput });
  const mixins = registry
    ? createMixins(registry, names, options)
    : defaultMixins
      ? (await defaultMixins)()
      : [];
  const outputs = (await outputFactory)();
  const result = await run.runCommandBench(
    {
      command: options.command,
      iterations: options.iterations,
      warmup: options.warmup,
      timeoutGracePeriodS: options.timeoutGracePeriodS,
      telemetryScope: options.telemetryScope,
      fields: options.fields,
      mixins,
      outputs,
      ...(checked.outfile !== undefined && { journalOutfile: checked.outfile }),
      recordFormat: options.recordFormat,
      ...(options.timeoutS !== undefined && { timeoutS: options.timeoutS }),
      ...(options.stdout && { stdout: options.stdout }),
      ...(options.stderr && { stderr: options.stderr }),
      ...(options.captureLimitBytes !== undefined && {
        captureLimitBytes: options.captureLimitBytes,
      }),
      ...(options.telemetryIntervalS !== undefined && {
        telemetryIntervalS: options.telemetryIntervalS,
      }),
    },
    io,
  );
  let exitCode = result.exitCode;
  if (result.record.exception)
    io.stderr.write(`microbench: error: ${result.record.exception.message}\n`);
  if (result.deliveryError) {
    // Never lose the record silently: say what failed and put the record where it can be seen.
    const { encodeRecord } = await import('../record/write-record.js');
    const line = encodeRecord(result.record, options.recordFormat);
    io.stderr.write(`microbench: error: ${result.deliveryError.message}\n`);
    io.stderr.write(`microbench: the undelivered record follows:\n${line}\n`);
    if (exitCode === 0) exitCode = 1;
  }
  if (!result.record.exception && !options.quiet) {
    // One line on stderr (stdout stays the command's), written directly: making process.stderr
    // costs start-up.
    const [{ renderRunSummary }, { writeSync }] = await Promise.all([
      import('./_summary-line.js'),
      import('node:fs'),
    ]);
    const line = renderRunSummary(
      result.record as unknown as Record<string, unknown>,
      outputs.map((o) => o.name),
      result.deliveryError !== undefined,
    );
    try {
      writeSync(2, line);
    } catch {
      // stderr closed: the summary is a courtesy.
    }
  }
  const signal = result.interruptedBy;
  if (signal && signal !== 'SIGQUIT') {
    const { constants } = await import('node:os');
    if (exitCode === 128 + (constants.signals[signal] ?? 0)) return { exitCode, signal };
  }
  return { exitCode };
}

// Make the chosen mixins, with the values of their flags; a bad value is a usage error naming it.
function createMixins(
  registry: typeof import('../mixins/index.js'),
  names: readonly string[],
  options: RunCliOptions,
): import('../mixins/mixin.js').Mixin[] {
  const mixins = [];
  for (const name of names) {
    const given = options.mixinFlags.filter((f) => f.spec.mixin === name);
    const factoryOptions: Record<string, unknown> = {};
    for (const { spec, value } of given) factoryOptions[spec.option] = value;
    try {
      mixins.push(registry.createMixin(name, factoryOptions));
    } catch (error) {
      if (!(error instanceof OptionError)) throw error;
      const flags = given.map((f) => f.spec.flag).join(', ');
      throw new UsageError(`${flags || `--mixin ${name}`}: ${error.message}`);
    }
  }
  return mixins;
}

// The outputs' module, loaded, and how to create the outputs from it (creating a file output
// checks its path, so it waits until the options are known to be good). File and stdout outputs
// come directly; HTTP and Redis through their module, loaded only when asked for, as they cost
// tens of milliseconds to import.
async function loadOutputFactory(
  options: RunCliOptions,
): Promise<() => import('../outputs/output.js').Output[]> {
  if (options.httpOutput !== undefined || options.redisOutput !== undefined) {
    const { createOutputsFromCliOptions } = await import('../outputs/from-cli.js');
    return () =>
      createOutputsFromCliOptions({
        outfile: options.outfile,
        httpOutput: options.httpOutput,
        httpHeaders: options.httpOutputHeaders,
        httpMethod: options.httpOutputMethod,
        redisOutput: options.redisOutput,
        redisHost: options.redisHost,
        redisPort: options.redisPort,
        redisDb: options.redisDb,
        redisPassword: options.redisPassword,
      });
  }
  const outfile = options.outfile;
  if (outfile !== undefined) {
    const { fileOutput } = await import('../outputs/file.js');
    return () => [fileOutput(outfile)];
  }
  const { stdoutOutput } = await import('../outputs/stdout.js');
  return () => [stdoutOutput()];
}

// The CLI's default mixins' modules, loaded; the function makes fresh instances.
async function loadDefaultMixins(): Promise<() => import('../mixins/mixin.js').Mixin[]> {
  const { loadCliDefaultMixins } = await import('../mixins/_cli-defaults.js');
  return loadCliDefaultMixins();
}

// A promise started early and awaited only on the path that needs it: a rejection is reported
// where it is awaited, never as an unhandled rejection when an earlier check ends the run first.
function settleLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => {});
  return promise;
}

// The registry's per-mixin flags as parser specs.
function toMixinFlagSpecs(
  mixins: readonly { name: string; cliOptions: readonly Omit<MixinFlagSpec, 'mixin'>[] }[],
): MixinFlagSpec[] {
  return mixins.flatMap((m) => m.cliOptions.map((option) => ({ ...option, mixin: m.name })));
}

// Print an error the way its kind deserves; returns the exit status.
async function reportError(error: unknown, io: CommandIO): Promise<number> {
  if (error instanceof UsageError || error instanceof OptionError) {
    // The hint names the help that fits: the subcommand's, when the mistake was in its
    // arguments. (A mistake a subcommand finds while running is reported by the command itself,
    // with its own hint: commands/_io.ts handleCommandError.)
    const topic = error instanceof SubcommandUsageError ? error.subcommand : undefined;
    const help = topic === undefined ? 'microbench --help' : `microbench help ${topic}`;
    io.stderr.write(`microbench: error: ${error.message}\nTry '${help}'.\n`);
    return 2;
  }
  if (error instanceof MicrobenchError) {
    io.stderr.write(`microbench: error: ${error.message}\n`);
    return 1;
  }
  const { inspect } = await import('node:util');
  io.stderr.write(
    `microbench: internal error (this is a bug; please report it with the text below):\n${inspect(error, { depth: 6 })}\n`,
  );
  return 1;
}

// Attach a do-nothing 'error' listener to process.stdout or process.stderr when it is first used.
// Making either stream costs milliseconds (stream classes, a TTY or pipe handle), and a plain run
// never needs them: the record goes out with writeSync. Wrapping Node's own lazy getter keeps the
// listener on the stream however it comes to be made (by microbench, or by a process warning).
function ignoreStreamErrors(name: 'stdout' | 'stderr'): void {
  const descriptor = Object.getOwnPropertyDescriptor(process, name);
  const get = descriptor?.get;
  if (!descriptor?.configurable || !get) {
    process[name].on('error', () => {});
    return;
  }
  let listening = false;
  Object.defineProperty(process, name, {
    ...descriptor,
    get() {
      // Node's getter makes the stream once and hands back the same one after that.
      const stream = get.call(process) as NodeJS.WriteStream;
      if (!listening) {
        listening = true;
        stream.on('error', () => {});
      }
      return stream;
    },
  });
}

// A reader that went away (`microbench --stdout -- cmd | head -1`) must not crash the run: echoed
// output is best effort, and the record is written synchronously with its failures reported.
ignoreStreamErrors('stdout');
ignoreStreamErrors('stderr');
const io: CommandIO = {
  get stdout() {
    return process.stdout;
  },
  get stderr() {
    return process.stderr;
  },
};
// A run waits on child processes, pipes and timers. Should a bug ever leave it waiting on a
// promise nothing will settle, Node would empty its event loop and exit 0 without a record or a
// word: say so instead, and fail.
let settled = false;
process.once('beforeExit', () => {
  if (settled) return;
  process.stderr.write(
    'microbench: internal error (this is a bug; please report it): the run stopped waiting for an event that never came; its record may be missing\n',
  );
  process.exit(70);
});
main(process.argv.slice(2), io)
  .finally(() => {
    settled = true;
  })
  .catch(async (error: unknown) => ({ exitCode: await reportError(error, io) }))
  .then((outcome: Outcome) => {
    if (outcome.signal) {
      // Die of the signal that stopped the run (no handler is installed any more).
      process.kill(process.pid, outcome.signal);
      setTimeout(() => process.exit(outcome.exitCode), 1000);
      return;
    }
    process.exit(outcome.exitCode);
  });
