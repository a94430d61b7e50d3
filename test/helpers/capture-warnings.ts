// Collect process warnings emitted during one test (and remove the listener afterwards).

/** Start collecting `process.on('warning')` events; call `stop()` to get them. */
export function captureWarnings(): { readonly warnings: Error[]; stop(): Error[] } {
  const warnings: Error[] = [];
  const listener = (warning: Error) => warnings.push(warning);
  process.on('warning', listener);
  return {
    warnings,
    stop() {
      process.off('warning', listener);
      return warnings;
    },
  };
}

/** Let queued warnings (emitted on the next tick) arrive. */
export function settle(ms = 20): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
