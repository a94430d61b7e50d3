/**
 * Stable error codes carried by every error microbench-ts throws on purpose.
 * A caller can branch on `error.code` without parsing messages.
 */
export type MicrobenchErrorCode =
  | 'ERR_MB_INVALID_OPTION'
  | 'ERR_MB_TELEMETRY'
  | 'ERR_MB_OUTPUT'
  | 'ERR_MB_JOURNAL'
  | 'ERR_MB_USAGE'
  | 'ERR_MB_INPUT';

/** Base class of every error microbench-ts throws on purpose. */
export class MicrobenchError extends Error {
  /** A stable machine-readable code. */
  readonly code: MicrobenchErrorCode;

  constructor(code: MicrobenchErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** A bad option given to `MicroBench`, an output or a mixin; thrown at construction. */
export class OptionError extends MicrobenchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_MB_INVALID_OPTION', message, options);
  }
}

/** The telemetry sampler could not be set up or used as asked. */
export class TelemetryError extends MicrobenchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_MB_TELEMETRY', message, options);
  }
}

/** One failed delivery of one record to one output. */
export interface DeliveryFailure {
  /** The output's name, e.g. `redis:results` or `http://127.0.0.1:8080/`. */
  readonly output: string;
  /** The `mb_run_id`/`function_name`/`start_time` of the record that was not delivered. */
  readonly record: { readonly function_name?: unknown; readonly start_time?: unknown };
  /** Why it failed. */
  readonly error: Error;
}

/**
 * Raised by `flush()`/`close()` when one or more outputs failed to deliver records.
 * `failures` lists which output lost which record and why.
 */
export class OutputDeliveryError extends MicrobenchError {
  readonly failures: readonly DeliveryFailure[];

  constructor(failures: readonly DeliveryFailure[]) {
    const lines = failures
      .slice(0, 10)
      .map(
        (f) =>
          `  - ${f.output}: record ${String(f.record.function_name)} @ ${String(f.record.start_time)}: ${f.error.message}`,
      );
    const more = failures.length > 10 ? `\n  ... and ${failures.length - 10} more` : '';
    super(
      'ERR_MB_OUTPUT',
      `${failures.length} record deliver${failures.length === 1 ? 'y' : 'ies'} failed:\n${lines.join('\n')}${more}`,
      { cause: failures[0]?.error },
    );
    this.failures = failures;
  }
}

/** A user mistake on the command line (bad flag or value); the CLI prints it in one line and exits 2. */
export class UsageError extends MicrobenchError {
  constructor(message: string) {
    super('ERR_MB_USAGE', message);
  }
}

/** An input file (results, journal) that cannot be read. */
export class InputError extends MicrobenchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_MB_INPUT', message, options);
  }
}

/** A journal folder or file that cannot be trusted or written (owner, mode, symlink). */
export class JournalError extends MicrobenchError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_MB_JOURNAL', message, options);
  }
}
