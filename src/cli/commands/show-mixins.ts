/** `microbench --show-mixins`: the mixins the CLI can collect, their flags, and which are default. */
import type { CommandIO } from './_io.js';

/** What the list shows of one mixin (the registry's `MixinInfo` fits). */
export interface ShowMixinsEntry {
  readonly name: string;
  readonly description: string;
  /** Collected by the CLI when no `--mixin` is given. */
  readonly isCliDefault: boolean;
  readonly cliOptions: readonly {
    readonly flag: string;
    readonly metavar: string;
    readonly variadic: boolean;
  }[];
}

/**
 * The text of `--show-mixins` (microbench v2's layout): a header, then one line per mixin sorted
 * by name, `*` marking the defaults, and its flags indented under the description.
 *
 * ```
 * Available mixins (* = included by default):
 *
 *   * host-info      Hostname, operating system, CPU model, core counts and total RAM
 *     git-info       Git repository, commit, branch and dirty state
 *                    --git-repo DIR
 * ```
 */
export function renderMixinList(mixins: readonly ShowMixinsEntry[]): string {
  const sorted = [...mixins].sort((a, b) => a.name.localeCompare(b.name));
  const width = Math.max(0, ...sorted.map((m) => m.name.length));
  const lines = ['Available mixins (* = included by default):', ''];
  for (const mixin of sorted) {
    lines.push(
      `  ${mixin.isCliDefault ? '*' : ' '} ${mixin.name.padEnd(width)}  ${mixin.description}`,
    );
    for (const option of mixin.cliOptions) {
      const values = option.variadic ? `${option.metavar} [${option.metavar} ...]` : option.metavar;
      lines.push(`${' '.repeat(4 + width + 2)}${option.flag} ${values}`);
    }
  }
  lines.push(
    '',
    "Choose with --mixin NAME... ('defaults' stands for the starred ones), --all or --no-mixin.",
  );
  return `${lines.join('\n')}\n`;
}

/** Print the mixin list on stdout; returns the exit code (0). */
export async function runShowMixins(io: CommandIO): Promise<number> {
  const { listMixins } = await import('../../mixins/index.js');
  io.stdout.write(renderMixinList(listMixins()));
  return 0;
}
