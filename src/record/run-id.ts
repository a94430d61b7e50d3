/**
 * One UUID per process, shared by every bench and the CLI (microbench's `mb_run_id`).
 * Its own tiny module so the CLI can use it without loading the library.
 */
export const RUN_ID: string = globalThis.crypto.randomUUID();
