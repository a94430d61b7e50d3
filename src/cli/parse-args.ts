/**
 * Command-line parsing for `microbench`: one small table-driven parser, no dependency.
 *
 *   argv ──► subcommand? (first word only: report, summary, recover, diff, help)
 *        │        └─► their own option tables ──► { type: 'report' | ... }
 *        └─► run options up to `--` or the first word ──► validate ──► { type: 'run' }
 *
 * Why not commander: bundled with a code cache it still costs 12–30 ms more start-up than
 * this file (docs/choices.md), and `util.parseArgs` cannot do
 * `--stdout[=suppress]` (an optional value) or `--mixin a b` (several values).
 *
 * Every mistake is a `UsageError` whose message names the option, what was expected and what was
 * received; `main.ts` prints it on one line with a hint and exits 2.
 */
import { accessSync, constants as fsConstants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { closestName } from '../bench/_did-you-mean.js';
import { UsageError } from '../errors.js';
import { setOwnKey } from '../json/_own-key.js';

/** What `--stdout` / `--stderr` ask for: record and echo (`capture`), or record only (`suppress`). */
export type CaptureMode = 'capture' | 'suppress';

/** The subcommands; a command with one of these names still runs when written after `--`. */
export const SUBCOMMANDS = ['report', 'summary', 'compare', 'recover', 'diff', 'export'] as const;

/** A subcommand name. */
export type SubcommandName = (typeof SUBCOMMANDS)[number];

/** What CLI telemetry samples: the command's whole process tree, or its own process alone. */
export type TelemetryScope = 'tree' | 'direct';

/**
 * The longest `--timeout`, `--timeout-grace-period` or `--telemetry-interval` in seconds: Node's
 * timers hold at most 2^31 − 1 ms (about 24.8 days) and fire after 1 ms for anything longer.
 */
export const MAX_TIMER_S = Math.floor((2 ** 31 - 1) / 1000);

/** The options of a plain run (`microbench [options] -- COMMAND [ARGS...]`), validated. */
export interface RunCliOptions {
  /** The command and its arguments (never empty unless `showMixins`). */
  readonly command: readonly string[];
  /** `--outfile FILE`: append the record to this JSON Lines file instead of printing it. */
  readonly outfile?: string;
  /** `--http-output URL`. */
  readonly httpOutput?: string;
  /** `--http-output-header KEY:VALUE`, in the order given (not yet split). */
  readonly httpOutputHeaders: readonly string[];
  /** `--http-output-method METHOD`. */
  readonly httpOutputMethod?: string;
  /** `--redis-output KEY`: the list the record is pushed to. */
  readonly redisOutput?: string;
  /** `--redis-host HOST`. */
  readonly redisHost?: string;
  /** `--redis-port PORT`. */
  readonly redisPort?: number;
  /** `--redis-db DB`. */
  readonly redisDb?: number;
  /** `--redis-password PASSWORD`. */
  readonly redisPassword?: string;
  /** `--mixin NAME...` in the order given (all occurrences), before name resolution. */
  readonly mixins?: readonly string[];
  /** `--all`: every mixin. */
  readonly allMixins: boolean;
  /** `--no-mixin`: none. */
  readonly noMixin: boolean;
  /** `--show-mixins`: list the mixins and exit. */
  readonly showMixins: boolean;
  /** Timed iterations. @default 1 */
  readonly iterations: number;
  /** Untimed runs before the timed ones. @default 0 */
  readonly warmup: number;
  /** `--stdout[=suppress]`. */
  readonly stdout?: CaptureMode;
  /** `--stderr[=suppress]`. */
  readonly stderr?: CaptureMode;
  /** `--capture-limit BYTES`: the most of each captured stream a run keeps. */
  readonly captureLimitBytes?: number;
  /** `--timeout SECONDS`, per iteration. */
  readonly timeoutS?: number;
  /** `--timeout-grace-period SECONDS` between SIGTERM and SIGKILL. @default 5 */
  readonly timeoutGracePeriodS: number;
  /** `--telemetry-interval SECONDS` (alias `--monitor-interval`). */
  readonly telemetryIntervalS?: number;
  /**
   * `--telemetry-scope tree|direct`: what telemetry samples, the command's whole process tree
   * (the default; `--telemetry-children` says the same) or its own process alone.
   * @default 'tree'
   */
  readonly telemetryScope: TelemetryScope;
  /** `--field KEY=VALUE`, in the order given (a repeated key keeps its last value). */
  readonly fields: Readonly<Record<string, string>>;
  /** `--dry-run`: print what would run, run nothing. */
  readonly dryRun: boolean;
  /** `--quiet`: no end-of-run summary line on stderr. */
  readonly quiet: boolean;
  /** Values of mixin flags (`--git-repo DIR`), in the order given; a repeated flag keeps its last. */
  readonly mixinFlags: readonly MixinFlagValue[];
  /** `--record-format v1|v2`: the record's layout (docs/record-format.md). @default 'v1' */
  readonly recordFormat: 'v1' | 'v2';
}

/** A flag a mixin adds to the CLI (the registry's `cliOptions`, with the mixin's name). */
export interface MixinFlagSpec {
  /** The mixin that owns the flag, e.g. `git-info`. */
  readonly mixin: string;
  /** The factory option it sets, e.g. `repo`. */
  readonly option: string;
  /** The flag, e.g. `--git-repo`. */
  readonly flag: string;
  /** Placeholder in help, e.g. `DIR`. */
  readonly metavar: string;
  /** Takes one or more values (`--hash-file A B`). */
  readonly variadic: boolean;
  /** One line of help. */
  readonly help: string;
}

/** A mixin flag given on the command line and its value(s). */
export interface MixinFlagValue {
  readonly spec: MixinFlagSpec;
  /** A string, or every value for a variadic flag. */
  readonly value: string | readonly string[];
}

/** `microbench report FILE... [-o OUTPUT] [--title TITLE] [--baseline NAME] [--force]`. */
export interface ReportCliOptions {
  readonly files: readonly string[];
  readonly output?: string;
  readonly title?: string;
  readonly baseline?: string;
  readonly force?: boolean;
}

/** `microbench summary FILE... [--format FORMAT]`. */
export interface SummaryCliOptions {
  readonly files: readonly string[];
  /** @default 'text' */
  readonly format: 'text' | 'json' | 'csv' | 'markdown';
}

/** `microbench compare BASELINE [CANDIDATE] [options]` (see commands/compare.ts). */
export type CompareCliOptions = import('./commands/compare.js').CompareCommandOptions;

/** `microbench diff A B [--field KEY...]`. */
export interface DiffCliOptions {
  readonly a: string;
  readonly b: string;
  readonly fields?: readonly string[];
}

/** `microbench export FILE... [--format csv] [--telemetry] [-o OUTPUT]`. */
export interface ExportCliOptions {
  readonly files: readonly string[];
  /** The only format so far. @default 'csv' */
  readonly format: 'csv';
  /** One row per telemetry sample instead of one per iteration. */
  readonly telemetry: boolean;
  /** Write here instead of stdout. */
  readonly output?: string;
}

/** `microbench recover [--dry-run] [OUTFILE...]`. */
export interface RecoverCliOptions {
  readonly outfiles: readonly string[];
  readonly dryRun: boolean;
}

/** What the command line asks for. */
export type CliInvocation =
  | { readonly type: 'help'; readonly topic?: SubcommandName }
  | { readonly type: 'version' }
  | { readonly type: 'run'; readonly options: RunCliOptions }
  | { readonly type: 'report'; readonly options: ReportCliOptions }
  | { readonly type: 'summary'; readonly options: SummaryCliOptions }
  | { readonly type: 'compare'; readonly options: CompareCliOptions }
  | { readonly type: 'diff'; readonly options: DiffCliOptions }
  | { readonly type: 'recover'; readonly options: RecoverCliOptions }
  | { readonly type: 'export'; readonly options: ExportCliOptions };

// ---------------------------------------------------------------------------------------------
// Option tables

// How an option takes its value: none (a flag), one (`--x V` or `--x=V`), optional (`--x[=V]`
// only), or several (`--x A B C`, up to the next option).
type Takes = 'none' | 'one' | 'optional' | 'several';

/** One option of a table: its names, how it takes values, and its help line. */
interface OptionSpec {
  readonly name: string;
  readonly short?: string;
  readonly takes: Takes;
  readonly metavar?: string;
  readonly help: string;
  readonly section?: string;
  /** Not listed in `--help` (an alias documented on its main option). */
  readonly hidden?: boolean;
}

const RUN_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'iterations',
    short: 'n',
    takes: 'one',
    metavar: 'N',
    help: 'run the command N times, one duration each (default 1)',
    section: 'Running',
  },
  {
    name: 'warmup',
    short: 'w',
    takes: 'one',
    metavar: 'N',
    help: 'first run it N more times, untimed and unrecorded (default 0)',
  },
  {
    name: 'timeout',
    takes: 'one',
    metavar: 'SECONDS',
    help: 'end each iteration after SECONDS: SIGTERM, later SIGKILL',
  },
  {
    name: 'timeout-grace-period',
    takes: 'one',
    metavar: 'SECONDS',
    help: 'seconds from SIGTERM to SIGKILL (default 5; needs --timeout)',
  },
  {
    name: 'stdout',
    takes: 'optional',
    metavar: 'suppress',
    help: "record the command's stdout (=suppress: and do not show it)",
  },
  {
    name: 'stderr',
    takes: 'optional',
    metavar: 'suppress',
    help: "record the command's stderr (=suppress: and do not show it)",
  },
  {
    name: 'capture-limit',
    takes: 'one',
    metavar: 'BYTES',
    help: 'keep at most BYTES of each captured stream per run: its start and end (default 64M)',
  },
  {
    name: 'telemetry-interval',
    takes: 'one',
    metavar: 'SECONDS',
    help: 'sample CPU and RSS every SECONDS (alias --monitor-interval)',
    section: 'Telemetry',
  },
  { name: 'monitor-interval', takes: 'one', metavar: 'SECONDS', help: '', hidden: true },
  {
    name: 'telemetry-scope',
    takes: 'one',
    metavar: 'tree|direct',
    help: "sample the command's whole process tree (tree, the default) or its own process alone (direct)",
  },
  { name: 'telemetry-children', takes: 'none', help: 'same as --telemetry-scope tree' },
  {
    name: 'field',
    short: 'f',
    takes: 'one',
    metavar: 'KEY=VALUE',
    help: 'add a field to the record (a string; repeatable)',
    section: 'Record',
  },
  {
    name: 'record-format',
    takes: 'one',
    metavar: 'v1|v2',
    help: "the record's layout: microbench v1's flat fields (v1, the default) or v2.1's namespaces (v2)",
  },
  {
    name: 'mixin',
    short: 'm',
    takes: 'several',
    metavar: 'NAME',
    help: "collect these instead of the defaults ('defaults' adds them)",
  },
  { name: 'all', short: 'a', takes: 'none', help: 'collect every mixin' },
  { name: 'no-mixin', takes: 'none', help: 'collect no mixin' },
  { name: 'show-mixins', takes: 'none', help: 'list the mixins and exit' },
  {
    name: 'outfile',
    short: 'o',
    takes: 'one',
    metavar: 'FILE',
    help: 'append the record to FILE (JSON Lines), not to stdout; FILE may hold {hostname}, {pid}, {run_id}, {env:NAME}',
    section: 'Outputs',
  },
  { name: 'http-output', takes: 'one', metavar: 'URL', help: 'also POST the record to URL' },
  {
    name: 'http-output-header',
    takes: 'one',
    metavar: 'KEY:VALUE',
    help: 'add a header to the HTTP request (repeatable)',
  },
  {
    name: 'http-output-method',
    takes: 'one',
    metavar: 'METHOD',
    help: 'HTTP method (default POST)',
  },
  {
    name: 'redis-output',
    takes: 'one',
    metavar: 'KEY',
    help: 'also push the record onto the Redis list KEY',
  },
  { name: 'redis-host', takes: 'one', metavar: 'HOST', help: 'Redis host (default localhost)' },
  { name: 'redis-port', takes: 'one', metavar: 'PORT', help: 'Redis port (default 6379)' },
  { name: 'redis-db', takes: 'one', metavar: 'DB', help: 'Redis database number (default 0)' },
  { name: 'redis-password', takes: 'one', metavar: 'PASSWORD', help: 'Redis password' },
  {
    name: 'dry-run',
    takes: 'none',
    help: 'print what would run and exit, running nothing',
    section: 'Other',
  },
  {
    name: 'quiet',
    short: 'q',
    takes: 'none',
    help: 'print no summary line on stderr when the run ends',
  },
  { name: 'version', takes: 'none', help: 'print the version and exit' },
  { name: 'help', short: 'h', takes: 'none', help: 'print this help and exit' },
];

const HELP_OPTION: OptionSpec = {
  name: 'help',
  short: 'h',
  takes: 'none',
  help: 'print this help and exit',
};

const SUBCOMMAND_TABLES: Readonly<
  Record<SubcommandName, { usage: string; about: string; options: readonly OptionSpec[] }>
> = {
  report: {
    usage: 'microbench report FILE... [-o OUTPUT] [--baseline NAME] [--force]',
    about:
      'Write one self-contained HTML report (statistics, distributions, telemetry charts) of the\n' +
      'records in FILEs (files, folders of *.jsonl, or glob patterns; any size).',
    options: [
      {
        name: 'output',
        short: 'o',
        takes: 'one',
        metavar: 'OUTPUT',
        help: 'the HTML file to write (default report.html)',
      },
      { name: 'title', takes: 'one', metavar: 'TITLE', help: "the report's title" },
      {
        name: 'baseline',
        takes: 'one',
        metavar: 'NAME',
        help: 'compare the benchmarks against this one (default: the fastest)',
      },
      {
        name: 'force',
        takes: 'none',
        help: 'overwrite OUTPUT even when it is not a report microbench wrote',
      },
      HELP_OPTION,
    ],
  },
  summary: {
    usage: 'microbench summary FILE... [--format text|json|csv|markdown]',
    about:
      'Print per-benchmark statistics (n, mean, median, min, max, stdev) of the successful\n' +
      'iterations in FILEs (files, folders or globs); failed iterations are counted apart.',
    options: [
      {
        name: 'format',
        takes: 'one',
        metavar: 'FORMAT',
        help: 'text (default), json, csv or markdown',
      },
      HELP_OPTION,
    ],
  },
  compare: {
    usage: 'microbench compare BASELINE [CANDIDATE] [options]',
    about:
      'Is the candidate faster or slower? Per benchmark (matched by function name or command):\n' +
      'n, median, mean with 95% CI, the ratio of medians with a bootstrap 95% CI, the\n' +
      'Mann-Whitney U p-value and a verdict. Each side is a file, folder or glob, FILE:N for\n' +
      'record N; several per side: A1 A2 vs B1 B2. One side alone compares its benchmarks\n' +
      'against the first (or --baseline NAME).',
    options: [
      {
        name: 'format',
        takes: 'one',
        metavar: 'FORMAT',
        help: 'text (default), markdown, json or csv',
      },
      {
        name: 'threshold',
        takes: 'one',
        metavar: 'PCT',
        help: 'a difference of medians up to PCT percent is "same" (default 2)',
      },
      {
        name: 'fail-on-regression',
        takes: 'one',
        metavar: 'PCT',
        help: 'exit 1 when a benchmark is slower by more than PCT percent',
      },
      {
        name: 'by',
        takes: 'one',
        metavar: 'FIELD',
        help: 'match benchmarks by this field (a name or dotted path) instead of the name',
      },
      {
        name: 'filter',
        takes: 'one',
        metavar: 'KEY=VALUE',
        help: 'only records whose field KEY is VALUE (repeatable; both sides)',
      },
      {
        name: 'baseline-filter',
        takes: 'one',
        metavar: 'KEY=VALUE',
        help: 'the same, for the baseline side only',
      },
      {
        name: 'candidate-filter',
        takes: 'one',
        metavar: 'KEY=VALUE',
        help: 'the same, for the candidate side only',
      },
      {
        name: 'baseline',
        takes: 'one',
        metavar: 'NAME',
        help: 'with one side: the benchmark the others are compared against (default: the first)',
      },
      HELP_OPTION,
    ],
  },
  diff: {
    usage: 'microbench diff A B [--field KEY...]',
    about:
      'Compare the last records of two results files (FILE:N picks record N): durations and the\n' +
      'recorded context that changed.',
    options: [
      {
        name: 'field',
        short: 'f',
        takes: 'several',
        metavar: 'KEY',
        help: 'compare only these keys or prefixes (git, env_*)',
      },
      HELP_OPTION,
    ],
  },
  export: {
    usage: 'microbench export FILE... [--format csv] [--telemetry] [-o OUTPUT]',
    about:
      "Write the records of FILEs (v1 or v2, ours or Python microbench's) as CSV for pandas, R or a\n" +
      'spreadsheet: one row per iteration with the context as columns, or with --telemetry one row\n' +
      'per telemetry sample (benchmark, run, iteration, t, then one column per field).',
    options: [
      {
        name: 'format',
        takes: 'one',
        metavar: 'csv',
        help: 'the output format (csv, the default)',
      },
      { name: 'telemetry', takes: 'none', help: 'one row per telemetry sample' },
      {
        name: 'output',
        short: 'o',
        takes: 'one',
        metavar: 'OUTPUT',
        help: 'the file to write (default: standard output)',
      },
      HELP_OPTION,
    ],
  },
  recover: {
    usage: 'microbench recover [--dry-run] [OUTFILE...]',
    about:
      'Turn the telemetry journals that killed runs left behind into records marked\n' +
      '"interrupted": true, appended to their OUTFILE (no OUTFILE: every journal found under\n' +
      './.microbench-journal/).',
    options: [
      { name: 'dry-run', takes: 'none', help: 'show what would be recovered, write nothing' },
      HELP_OPTION,
    ],
  },
};

// ---------------------------------------------------------------------------------------------
// Public entry points

/**
 * Parse `argv` (without `node` and the script) into what the user asked for.
 *
 * @throws UsageError on any mistake: unknown option, missing or bad value, no command.
 */
export function parseCliArgs(
  argv: readonly string[],
  mixinFlags: readonly MixinFlagSpec[] = [],
): CliInvocation {
  const first = argv[0];
  if (first === 'help') {
    const topic = argv[1];
    if (topic !== undefined && isSubcommand(topic)) return { type: 'help', topic };
    if (topic !== undefined) throw unknownSubcommand(topic);
    return { type: 'help' };
  }
  if (first !== undefined && isSubcommand(first)) {
    try {
      return parseSubcommand(first, argv.slice(1));
    } catch (error) {
      if (error instanceof UsageError) throw new SubcommandUsageError(first, error.message);
      throw error;
    }
  }
  if (first !== undefined) refuseMisspeltSubcommand(first);

  const { values, rest } = tokenize(argv, [...RUN_OPTIONS, ...toOptionSpecs(mixinFlags)], 'run');
  if (values.has('help')) return { type: 'help' };
  if (values.has('version')) return { type: 'version' };
  const given: MixinFlagValue[] = [];
  for (const spec of mixinFlags) {
    const raw = values
      .get(spec.flag.replace(/^--/, ''))
      ?.filter((v): v is string => typeof v === 'string');
    if (raw === undefined || raw.length === 0) continue;
    given.push({ spec, value: spec.variadic ? raw : raw.at(-1)! });
  }
  return { type: 'run', options: { ...toRunOptions(values, rest), mixinFlags: given } };
}

/**
 * Whether `argv` may use flags this parser does not know by itself (mixin flags such as
 * `--git-repo`), so the caller should load the mixin registry and pass its flags to
 * {@link parseCliArgs}. Looks at the options before `--`; a false alarm only costs a load.
 */
export function mayUseMixinFlags(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  for (const token of end >= 0 ? argv.slice(0, end) : argv) {
    if (!token.startsWith('--') || token === '--') continue;
    const name = token.slice(2).split('=')[0]!;
    if (!RUN_OPTIONS.some((spec) => spec.name === name)) return true;
  }
  return false;
}

/** The `--help` text of the whole CLI (with the mixins' flags when given), or of one subcommand. */
export function renderHelp(
  topic?: SubcommandName,
  mixinFlags: readonly MixinFlagSpec[] = [],
): string {
  if (topic !== undefined) {
    const table = SUBCOMMAND_TABLES[topic];
    return `Usage: ${table.usage}\n\n${table.about}\n\nOptions:\n${renderOptions(table.options)}\n`;
  }
  const usage = [
    'Usage: microbench [options] -- COMMAND [ARGS...]',
    ...SUBCOMMANDS.map((name) => `       ${SUBCOMMAND_TABLES[name].usage}`),
  ].join('\n');
  return (
    `${usage}\n\n` +
    'Run COMMAND, time it and write one JSON record (JSON Lines) with its return codes, durations,\n' +
    'the context it ran in and, on request, CPU and memory sampled while it ran.\n' +
    `${renderOptions([...RUN_OPTIONS, ...toOptionSpecs(mixinFlags)])}\n\n` +
    'Exit status: the first non-zero return code of a timed iteration (128+N when signal N killed\n' +
    "it), 126/127 when the command cannot be run, 2 for a usage mistake. Run 'microbench help\n" +
    "SUBCOMMAND' for a subcommand's options.\n"
  );
}

/** What {@link resolveMixinNames} needs to know about the mixin registry. */
export interface MixinNameRegistry {
  /** Every registered name. */
  readonly names: readonly string[];
  /** The CLI's default selection, in order. */
  readonly defaults: readonly string[];
  /** The registered name for a spelling (`MBHostInfo`, `hostInfo`), or undefined. */
  readonly resolve: (name: string) => string | undefined;
}

/**
 * Turn `--mixin` names into registry names: `defaults` expands in place, a repeated name keeps
 * its first place. `--all` gives every name (sorted), `--no-mixin` none, neither and no `--mixin`
 * the defaults.
 *
 * @throws UsageError for an unknown name or `--all` with `--no-mixin`.
 */
export function resolveMixinNames(
  selection: Pick<RunCliOptions, 'mixins' | 'allMixins' | 'noMixin'>,
  registry: MixinNameRegistry,
): string[] {
  if (selection.allMixins && selection.noMixin) {
    throw new UsageError(
      '--all and --no-mixin cannot be used together: --all collects every mixin, --no-mixin none',
    );
  }
  if (selection.allMixins) return [...registry.names].sort();
  if (selection.noMixin) return [];
  if (selection.mixins === undefined) return [...registry.defaults];
  const out: string[] = [];
  const add = (name: string) => {
    if (!out.includes(name)) out.push(name);
  };
  for (const requested of selection.mixins) {
    if (requested === 'defaults') {
      for (const name of registry.defaults) add(name);
      continue;
    }
    const name = registry.resolve(requested);
    if (name === undefined) {
      const guess = closestName(requested, registry.names);
      const available = ['defaults', ...[...registry.names].sort()].join(', ');
      throw new UsageError(
        `--mixin: unknown mixin '${requested}'${guess ? ` (did you mean '${guess}'?)` : ''}. ` +
          `Available: ${available}. If '${requested}' is your command, put '--' before it`,
      );
    }
    add(name);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// internal: tokenizing

// Mixin flags as option specs (section "Mixin options", help prefixed with the mixin's name).
function toOptionSpecs(flags: readonly MixinFlagSpec[]): OptionSpec[] {
  return flags.map((flag, i) => ({
    name: flag.flag.replace(/^--/, ''),
    takes: flag.variadic ? 'several' : 'one',
    metavar: flag.metavar,
    help: `[${flag.mixin}] ${flag.help}`,
    ...(i === 0 && { section: 'Mixin options (need their mixin)' }),
  }));
}

// What the tokenizer found: every option's values (flags: `true`; others: each occurrence's
// value, in order) and the words left over.
interface Tokens {
  readonly values: Map<string, (string | true)[]>;
  readonly rest: string[];
}

// Split argv into options and words. In `run` mode the first word (or `--`) ends the options and
// everything after it is the command; in `subcommand` mode options and words may mix, and `--`
// makes everything after it a word.
function tokenize(
  argv: readonly string[],
  table: readonly OptionSpec[],
  mode: 'run' | 'subcommand',
): Tokens {
  const values = new Map<string, (string | true)[]>();
  const rest: string[] = [];
  const put = (spec: OptionSpec, value: string | true) => {
    const list = values.get(spec.name);
    if (list) list.push(value);
    else values.set(spec.name, [value]);
  };
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') {
      rest.push(...argv.slice(i + 1));
      break;
    }
    const isLong = token.startsWith('--');
    if (!isLong && !(token.startsWith('-') && token.length > 1 && !isNegativeNumber(token))) {
      if (mode === 'run') {
        rest.push(...argv.slice(i));
        break;
      }
      rest.push(token);
      continue;
    }
    const eq = isLong ? token.indexOf('=') : -1;
    const flag = eq >= 0 ? token.slice(0, eq) : isLong ? token : token.slice(0, 2);
    const spec = isLong
      ? table.find((s) => `--${s.name}` === flag)
      : table.find((s) => s.short !== undefined && `-${s.short}` === flag);
    if (spec === undefined) throw unknownOption(token, flag, table);
    // The value written in the same word: `--x=V` or `-nV`.
    const inline = isLong
      ? eq >= 0
        ? token.slice(eq + 1)
        : undefined
      : token.length > 2
        ? token.slice(2)
        : undefined;
    const shown = isLong ? `--${spec.name}` : `-${spec.short}`;
    switch (spec.takes) {
      case 'none':
        if (inline !== undefined) {
          throw new UsageError(
            isLong
              ? `${shown} takes no value, got '${token}'; write ${shown} alone`
              : `unknown option '${token}': ${shown} takes no value and short options cannot be combined`,
          );
        }
        put(spec, true);
        break;
      case 'optional':
        put(spec, inline ?? true);
        break;
      case 'one': {
        const value = inline ?? argv[i + 1];
        if (value === undefined || (inline === undefined && looksLikeOption(value))) {
          throw new UsageError(
            `${shown} needs a value (${spec.metavar}), got ${value === undefined ? 'nothing' : `'${value}'`}`,
          );
        }
        if (inline === undefined) i += 1;
        put(spec, value);
        break;
      }
      case 'several': {
        const list: string[] = inline !== undefined ? [inline] : [];
        while (i + 1 < argv.length && !looksLikeOption(argv[i + 1]!)) list.push(argv[++i]!);
        if (list.length === 0) {
          throw new UsageError(
            `${shown} needs at least one ${spec.metavar}, e.g. ${shown} host-info git-info`,
          );
        }
        for (const value of list) put(spec, value);
        break;
      }
    }
  }
  return { values, rest };
}

// `-1`, `-0.5`: values, not options.
function isNegativeNumber(token: string): boolean {
  return /^-(\d|\.\d)/.test(token);
}

// A word that would be read as an option (so it cannot be an option's value).
function looksLikeOption(token: string): boolean {
  return token.startsWith('-') && token.length > 1 && !isNegativeNumber(token);
}

// "unknown option" with the closest known name, or a hint about `--` for the command's own flags.
function unknownOption(token: string, flag: string, table: readonly OptionSpec[]): UsageError {
  const names = table.flatMap((s) => [`--${s.name}`, ...(s.short ? [`-${s.short}`] : [])]);
  const guess = closestName(flag, names);
  const hint = guess
    ? ` (did you mean ${guess}?)`
    : ". If it is an option of your command, put '--' before the command";
  return new UsageError(`unknown option '${token}'${hint}`);
}

/** A usage mistake in a subcommand's arguments; its hint points to that subcommand's help. */
export class SubcommandUsageError extends UsageError {
  /** The subcommand whose arguments were wrong. */
  readonly subcommand: SubcommandName;

  constructor(subcommand: SubcommandName, message: string) {
    super(message);
    this.subcommand = subcommand;
  }
}

/**
 * A first word one or two typing mistakes away from a subcommand (`sumary`) is a misspelt
 * subcommand, not a command to run, unless a program of that name is on PATH: then it runs, as
 * it always would (and `--` before it always runs it). Refused with "did you mean".
 *
 * @throws UsageError for a misspelt subcommand.
 */
export function refuseMisspeltSubcommand(
  word: string,
  isOnPath: (name: string) => boolean = isExecutableOnPath,
): void {
  if (word.startsWith('-') || word.includes('/')) return;
  const guess = closestName(word, SUBCOMMANDS);
  if (guess === undefined || isOnPath(word)) return;
  throw new UsageError(
    `unknown subcommand '${word}' (did you mean '${guess}'?). To run a program named '${word}', put '--' before it`,
  );
}

// Whether PATH holds an executable file named `name` (what spawn would run).
function isExecutableOnPath(name: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    try {
      accessSync(join(dir, name), fsConstants.X_OK);
      if (statSync(join(dir, name)).isFile()) return true;
    } catch {
      // Not there.
    }
  }
  return false;
}

function unknownSubcommand(name: string): UsageError {
  return new UsageError(`unknown subcommand '${name}': expected one of ${SUBCOMMANDS.join(', ')}`);
}

function isSubcommand(word: string): word is SubcommandName {
  return (SUBCOMMANDS as readonly string[]).includes(word);
}

// ---------------------------------------------------------------------------------------------
// internal: run options

// Validate the run options (microbench v2's order: the command, capture modes, fields, then the
// options that need another one).
function toRunOptions(
  values: Map<string, (string | true)[]>,
  rest: string[],
): Omit<RunCliOptions, 'mixinFlags'> {
  const last = (name: string): string | true | undefined => values.get(name)?.at(-1);
  const lastString = (name: string): string | undefined => {
    const value = last(name);
    return typeof value === 'string' ? value : undefined;
  };
  const all = (name: string): string[] =>
    (values.get(name) ?? []).filter((v): v is string => typeof v === 'string');
  const has = (name: string) => values.has(name);

  const showMixins = has('show-mixins');
  if (rest.length === 0 && !showMixins) {
    const mixins = all('mixin');
    throw new UsageError(
      mixins.length > 0
        ? `no command given: --mixin took every word after it as a mixin name (${mixins.join(' ')}); put '--' before the command, e.g. --mixin host-info -- sleep 1`
        : "no command given: put the command to run after '--', e.g. microbench -n 3 -- sleep 1",
    );
  }

  const stdout = toCaptureMode('stdout', last('stdout'));
  const stderr = toCaptureMode('stderr', last('stderr'));
  const captureLimitBytes = toBytes('--capture-limit', lastString('capture-limit'));
  if (captureLimitBytes !== undefined && !stdout && !stderr) {
    throw new UsageError('--capture-limit needs --stdout or --stderr: add e.g. --stdout');
  }

  const fields: Record<string, string> = {};
  for (const raw of all('field')) {
    const eq = raw.indexOf('=');
    if (eq <= 0) {
      throw new UsageError(
        `--field: expected KEY=VALUE, got '${raw}'. Write e.g. --field experiment=baseline`,
      );
    }
    setOwnKey(fields, raw.slice(0, eq), raw.slice(eq + 1)); // `__proto__` is a key like any other
  }

  const iterations = toCount('--iterations', lastString('iterations'), 1) ?? 1;
  const warmup = toCount('--warmup', lastString('warmup'), 0) ?? 0;
  const timeoutS = toSeconds('--timeout', lastString('timeout'));
  const graceS = toSeconds('--timeout-grace-period', lastString('timeout-grace-period'));
  if (graceS !== undefined && timeoutS === undefined) {
    throw new UsageError('--timeout-grace-period needs --timeout: add e.g. --timeout 60');
  }

  const intervalS = toSeconds('--telemetry-interval', lastString('telemetry-interval'));
  const monitorS = toSeconds('--monitor-interval', lastString('monitor-interval'));
  if (intervalS !== undefined && monitorS !== undefined && intervalS !== monitorS) {
    throw new UsageError(
      `--telemetry-interval ${intervalS} and its alias --monitor-interval ${monitorS} disagree: give only one`,
    );
  }
  const telemetryIntervalS = intervalS ?? monitorS;
  const telemetryScope = toTelemetryScope(lastString('telemetry-scope'), has('telemetry-children'));
  for (const name of ['telemetry-children', 'telemetry-scope']) {
    if (has(name) && telemetryIntervalS === undefined) {
      throw new UsageError(`--${name} needs --telemetry-interval: add e.g. --telemetry-interval 1`);
    }
  }

  const httpOutput = lastString('http-output');
  for (const name of ['http-output-header', 'http-output-method']) {
    if (has(name) && httpOutput === undefined) {
      throw new UsageError(`--${name} needs --http-output: add --http-output URL`);
    }
  }
  const redisOutput = lastString('redis-output');
  for (const name of ['redis-host', 'redis-port', 'redis-db', 'redis-password']) {
    if (has(name) && redisOutput === undefined) {
      throw new UsageError(`--${name} needs --redis-output: add --redis-output KEY`);
    }
  }
  const redisPort = toCount('--redis-port', lastString('redis-port'), 1);
  const redisDb = toCount('--redis-db', lastString('redis-db'), 0);
  if (redisPort !== undefined && redisPort > 65535) {
    throw new UsageError(
      `--redis-port: expected a port number from 1 to 65535, got '${redisPort}'`,
    );
  }
  const outfile = lastString('outfile');
  if (outfile === '') throw new UsageError("--outfile: expected a file path, got ''");

  const recordFormat = lastString('record-format') ?? 'v1';
  if (recordFormat !== 'v1' && recordFormat !== 'v2') {
    throw new UsageError(
      `--record-format: expected v1 (microbench v1's flat fields) or v2 (microbench v2.1's namespaces), got '${recordFormat}'`,
    );
  }

  const mixins = has('mixin') ? all('mixin') : undefined;
  const options: Omit<RunCliOptions, 'mixinFlags'> = {
    recordFormat,
    command: rest,
    httpOutputHeaders: all('http-output-header'),
    allMixins: has('all'),
    noMixin: has('no-mixin'),
    showMixins,
    iterations,
    warmup,
    timeoutGracePeriodS: graceS ?? 5,
    telemetryScope,
    fields,
    dryRun: has('dry-run'),
    quiet: has('quiet'),
    ...(outfile !== undefined && { outfile }),
    ...(httpOutput !== undefined && { httpOutput }),
    ...optional('httpOutputMethod', lastString('http-output-method')),
    ...(redisOutput !== undefined && { redisOutput }),
    ...optional('redisHost', lastString('redis-host')),
    ...optional('redisPort', redisPort),
    ...optional('redisDb', redisDb),
    ...optional('redisPassword', lastString('redis-password')),
    ...optional('mixins', mixins),
    ...optional('stdout', stdout),
    ...optional('stderr', stderr),
    ...optional('captureLimitBytes', captureLimitBytes),
    ...optional('timeoutS', timeoutS),
    ...optional('telemetryIntervalS', telemetryIntervalS),
  };
  if (options.allMixins && options.noMixin) {
    throw new UsageError(
      '--all and --no-mixin cannot be used together: --all collects every mixin, --no-mixin none',
    );
  }
  return options;
}

// `{key: value}` when value is defined, else `{}` (for exactOptionalPropertyTypes).
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}

// `--stdout` alone means capture; `--stdout=suppress` / `=capture` are the only values.
function toCaptureMode(name: string, value: string | true | undefined): CaptureMode | undefined {
  if (value === undefined) return undefined;
  if (value === true || value === 'capture') return 'capture';
  if (value === 'suppress') return 'suppress';
  throw new UsageError(
    `--${name}: invalid value '${value}'. Use --${name} to capture (and show) or --${name}=suppress to capture without showing`,
  );
}

// A whole number ≥ min, or undefined when not given.
function toCount(flag: string, raw: string | undefined, min: number): number | undefined {
  if (raw === undefined) return undefined;
  const value = /^\d+$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new UsageError(`${flag}: expected a whole number of at least ${min}, got '${raw}'`);
  }
  return value;
}

// A byte count ≥ 2 with an optional binary suffix (K, M, G: KiB, MiB, GiB), or undefined.
function toBytes(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const match = /^\s*(\d+)\s*([kmg]?)i?b?\s*$/i.exec(raw);
  const scale = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(match?.[2] ?? '').toLowerCase()];
  const value = match && scale ? Number(match[1]) * scale : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 2) {
    throw new UsageError(
      `${flag}: expected a number of bytes of at least 2, such as 65536, 512K or 64M, got '${raw}'`,
    );
  }
  return value;
}

// A positive number of seconds (fractions allowed) a Node timer can hold, or undefined when not
// given. Longer than MAX_TIMER_S is refused, not silently turned into 1 ms by setTimeout.
function toSeconds(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = /^\s*(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isFinite(value) || value <= 0) {
    throw new UsageError(
      `${flag}: expected a positive number of seconds such as 0.5 or 10, got '${raw}'`,
    );
  }
  if (value > MAX_TIMER_S) {
    throw new UsageError(
      `${flag}: at most ${MAX_TIMER_S} seconds (about 24.8 days, the longest timer Node can set), got '${raw}'; for no limit leave ${flag} out`,
    );
  }
  return value;
}

// `--telemetry-scope` (tree by default); `--telemetry-children` is the old spelling of `tree`.
function toTelemetryScope(raw: string | undefined, children: boolean): TelemetryScope {
  if (raw !== undefined && raw !== 'tree' && raw !== 'direct') {
    throw new UsageError(
      `--telemetry-scope: expected 'tree' (the whole process tree) or 'direct' (the command's own process), got '${raw}'`,
    );
  }
  if (raw === 'direct' && children) {
    throw new UsageError(
      '--telemetry-children and --telemetry-scope direct disagree: give only one (the tree is sampled by default)',
    );
  }
  return raw ?? 'tree';
}

// ---------------------------------------------------------------------------------------------
// internal: subcommands

// Parse a subcommand's own options and words.
function parseSubcommand(name: SubcommandName, argv: readonly string[]): CliInvocation {
  const { values, rest } = tokenize(argv, SUBCOMMAND_TABLES[name].options, 'subcommand');
  if (values.has('help')) return { type: 'help', topic: name };
  const lastString = (key: string): string | undefined => {
    const value = values.get(key)?.at(-1);
    return typeof value === 'string' ? value : undefined;
  };
  const usage = `usage: ${SUBCOMMAND_TABLES[name].usage}`;
  switch (name) {
    case 'report': {
      if (rest.length === 0)
        throw new UsageError(`report needs at least one results FILE; ${usage}`);
      const output = lastString('output');
      const title = lastString('title');
      const baseline = lastString('baseline');
      return {
        type: 'report',
        options: {
          files: rest,
          ...(output !== undefined && { output }),
          ...(title !== undefined && { title }),
          ...(baseline !== undefined && { baseline }),
          ...(values.has('force') && { force: true }),
        },
      };
    }
    case 'summary': {
      if (rest.length === 0)
        throw new UsageError(`summary needs at least one results FILE; ${usage}`);
      const format = toChoice('--format', lastString('format'), SUMMARY_FORMATS) ?? 'text';
      return { type: 'summary', options: { files: rest, format } };
    }
    case 'compare':
      return { type: 'compare', options: toCompareOptions(values, rest, usage) };
    case 'diff': {
      if (rest.length !== 2) {
        throw new UsageError(`diff needs exactly two results files, got ${rest.length}; ${usage}`);
      }
      const fields = values.get('field')?.filter((v): v is string => typeof v === 'string');
      return { type: 'diff', options: { a: rest[0]!, b: rest[1]!, ...(fields && { fields }) } };
    }
    case 'recover':
      return { type: 'recover', options: { outfiles: rest, dryRun: values.has('dry-run') } };
    case 'export': {
      if (rest.length === 0)
        throw new UsageError(`export needs at least one results FILE; ${usage}`);
      const format = lastString('format') ?? 'csv';
      if (format !== 'csv') {
        throw new UsageError(`--format: expected csv, got '${format}'; ${usage}`);
      }
      const output = lastString('output');
      if (output === '') throw new UsageError("--output: expected a file path, got ''");
      return {
        type: 'export',
        options: {
          files: rest,
          format,
          telemetry: values.has('telemetry'),
          ...(output !== undefined && { output }),
        },
      };
    }
  }
}

const SUMMARY_FORMATS = ['text', 'json', 'csv', 'markdown'] as const;
const COMPARE_FORMATS = ['text', 'markdown', 'json', 'csv'] as const;

// One of a fixed set of words, or undefined when not given.
function toChoice<T extends string>(
  flag: string,
  raw: string | undefined,
  choices: readonly T[],
): T | undefined {
  if (raw === undefined) return undefined;
  if ((choices as readonly string[]).includes(raw)) return raw as T;
  throw new UsageError(`${flag}: expected one of ${choices.join(', ')}, got '${raw}'`);
}

// A percentage (`2`, `2.5`, `2%`) as a fraction, or undefined when not given.
function toPercentFraction(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const text = raw.trim().replace(/%$/, '');
  const value = /^(\d+\.?\d*|\.\d+)$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(value)) {
    throw new UsageError(`${flag}: expected a percentage such as 2 or 2.5%, got '${raw}'`);
  }
  return value / 100;
}

// `KEY=VALUE` filters of one option.
function toFilters(flag: string, raws: readonly string[]): { key: string; value: string }[] {
  return raws.map((raw) => {
    const eq = raw.indexOf('=');
    if (eq <= 0) {
      throw new UsageError(
        `${flag}: expected KEY=VALUE, got '${raw}'. Write e.g. ${flag} experiment=baseline`,
      );
    }
    return { key: raw.slice(0, eq), value: raw.slice(eq + 1) };
  });
}

// `compare`'s words (BASELINE [CANDIDATE], or A1 A2 vs B1 B2) and options.
function toCompareOptions(
  values: Map<string, (string | true)[]>,
  rest: readonly string[],
  usage: string,
): CompareCliOptions {
  const lastString = (key: string): string | undefined => {
    const value = values.get(key)?.at(-1);
    return typeof value === 'string' ? value : undefined;
  };
  const all = (key: string): string[] =>
    (values.get(key) ?? []).filter((v): v is string => typeof v === 'string');
  const vs = rest.indexOf('vs');
  let baseline: readonly string[];
  let candidate: readonly string[] | undefined;
  if (vs >= 0) {
    baseline = rest.slice(0, vs);
    candidate = rest.slice(vs + 1);
    if (baseline.length === 0 || candidate.length === 0 || candidate.includes('vs')) {
      throw new UsageError(
        `compare: write the baseline's inputs, 'vs', then the candidate's (e.g. main/*.jsonl vs pr/*.jsonl); ${usage}`,
      );
    }
  } else if (rest.length === 1) {
    baseline = rest;
  } else if (rest.length === 2) {
    baseline = [rest[0]!];
    candidate = [rest[1]!];
  } else if (rest.length === 0) {
    throw new UsageError(`compare needs a BASELINE results file (and a CANDIDATE); ${usage}`);
  } else {
    throw new UsageError(
      `compare got ${rest.length} inputs: with several files per side, separate the sides with 'vs' (A1 A2 vs B1 B2), or name a folder or a quoted glob; ${usage}`,
    );
  }
  const baselineName = lastString('baseline');
  if (baselineName !== undefined && candidate !== undefined) {
    throw new UsageError(
      '--baseline NAME picks the benchmark to compare against within one set of records; with a CANDIDATE the whole BASELINE side is the baseline',
    );
  }
  const threshold = toPercentFraction('--threshold', lastString('threshold'));
  const failOnRegression = toPercentFraction(
    '--fail-on-regression',
    lastString('fail-on-regression'),
  );
  const by = lastString('by');
  return {
    baseline,
    filters: toFilters('--filter', all('filter')),
    baselineFilters: toFilters('--baseline-filter', all('baseline-filter')),
    candidateFilters: toFilters('--candidate-filter', all('candidate-filter')),
    format: toChoice('--format', lastString('format'), COMPARE_FORMATS) ?? 'text',
    ...(candidate !== undefined && { candidate }),
    ...(baselineName !== undefined && { baselineName }),
    ...(by !== undefined && { by }),
    ...(threshold !== undefined && { threshold }),
    ...(failOnRegression !== undefined && { failOnRegression }),
  };
}

// ---------------------------------------------------------------------------------------------
// internal: help

// Option lines grouped by section: `  -n, --iterations N    help`.
function renderOptions(table: readonly OptionSpec[]): string {
  const visible = table.filter((s) => !s.hidden);
  const left = (s: OptionSpec) => {
    const names = `${s.short ? `-${s.short}, ` : '    '}--${s.name}`;
    if (s.takes === 'none') return names;
    if (s.takes === 'optional') return `${names}[=${s.metavar}]`;
    if (s.takes === 'several') return `${names} ${s.metavar}...`;
    return `${names} ${s.metavar}`;
  };
  const width = Math.max(...visible.map((s) => left(s).length)) + 2;
  const lines: string[] = [];
  for (const s of visible) {
    if (s.section) lines.push('', `${s.section}:`);
    const [first = '', ...more] = wrapWords(s.help, HELP_WIDTH - 2 - width);
    lines.push(
      `  ${left(s).padEnd(width)}${first}`,
      ...more.map((l) => `${' '.repeat(2 + width)}${l}`),
    );
  }
  return lines.join('\n');
}

const HELP_WIDTH = 100;

// Split text into lines of at most `width` characters at spaces.
function wrapWords(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  lines.push(line);
  return lines;
}
