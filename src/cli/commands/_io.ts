// internal: the streams a CLI command writes to (injected so tests need no global patching),
// and the shared way commands turn expected errors into one line and an exit code.

import { MicrobenchError, UsageError } from '../../errors.js';

/** Where a command writes: normally `process.stdout`/`process.stderr`. */
export interface CommandIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** Whether to colour output for `stream`: a TTY, and `NO_COLOR` not set (https://no-color.org). */
export function shouldColor(
  stream: { isTTY?: boolean },
  env: Record<string, string | undefined> = process.env,
): boolean {
  return stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '');
}

/** Print warnings to stderr as `microbench <command>: warning: <text>`. */
export function printWarnings(command: string, warnings: readonly string[], io: CommandIO): void {
  for (const w of warnings) io.stderr.write(`microbench ${command}: warning: ${w}\n`);
}

/**
 * Turn an expected error into one line on stderr and an exit code: a `UsageError` gives 2 (with a
 * `--help` hint), any other microbench error (missing file, no records, unwritable output) gives 1.
 * Anything else is a bug and is re-thrown for the CLI to print with its stack.
 */
export function handleCommandError(command: string, error: unknown, io: CommandIO): number {
  if (error instanceof UsageError) {
    io.stderr.write(`microbench ${command}: ${error.message}\n`);
    io.stderr.write(`Run \`microbench ${command} --help\` for usage.\n`);
    return 2;
  }
  if (error instanceof MicrobenchError) {
    io.stderr.write(`microbench ${command}: ${error.message}\n`);
    return 1;
  }
  throw error;
}
