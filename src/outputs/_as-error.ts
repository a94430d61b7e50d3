// internal: anything thrown, as an Error (outputs report failures as Errors).

/** `thrown` itself when it is an Error, else an Error with its text. */
export function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}
