/**
 * Records delivered together. One telemetry sample can complete many records at once (the
 * initial sample that calls shorter than the sampler's reaction time share, about ten per
 * sample in a tight loop): while the sampler hands them over, a delivery batch is open, and a
 * bench queues its records and writes them when the batch closes, in one `write(2)` per file.
 * Only then are their pending-journal entries dropped, so a kill at any moment still loses
 * nothing (the journal holds every record until its line is in the outfile).
 *
 *   sampler: runDeliveryBatch(() => { each run done → deliver(record) … })
 *              deliver, batch open → bench queues it; atDeliveryBatchEnd(write the queue)
 *            close: every queue written (one write per file) → afterDeliveryBatch work
 *                   (the pending journal drops the records)
 *
 * Everything runs synchronously inside `runDeliveryBatch`: nothing waits for the event loop,
 * so `process.exit()` right after still finds every record written.
 */

let open = false;
let flushes: (() => void)[] = [];
// After-batch work, each with its subject (side by side: no closure per record).
let afters: ((subject: never) => void)[] = [];
let afterSubjects: unknown[] = [];

/** Whether a delivery batch is open (records handed over now may be queued until it closes). */
export function deliveryBatchOpen(): boolean {
  return open;
}

/** While a batch is open: run `flush` (write what was queued) when it closes. */
export function atDeliveryBatchEnd(flush: () => void): void {
  flushes.push(flush);
}

/**
 * While a batch is open: run `work(subject)` once every queue is written (else at once). The
 * subject is passed, not captured, so a record's after-batch work needs no closure of its own.
 */
export function afterDeliveryBatch(work: () => void): void;
export function afterDeliveryBatch<T>(work: (subject: T) => void, subject: T): void;
export function afterDeliveryBatch<T>(work: (subject: T) => void, subject?: T): void {
  if (!open) {
    work(subject as T);
    return;
  }
  afters.push(work as (subject: never) => void);
  afterSubjects.push(subject);
}

/**
 * Run `body` with a delivery batch open (inside one already open: as part of it), then write
 * every queue, then run the after-batch work. Each callback runs even when one before it
 * threw; the first error is rethrown at the end.
 */
export function runDeliveryBatch(body: () => void): void {
  if (open) {
    body();
    return;
  }
  open = true;
  let failed = false;
  let failure: unknown;
  try {
    body();
  } catch (error) {
    failed = true;
    failure = error;
  }
  open = false;
  // A flush may deliver records itself (an output that runs a benchmarked call): those form
  // batches of their own, so the lists are swapped before any runs.
  const queued = flushes;
  const later = afters;
  const subjects = afterSubjects;
  flushes = [];
  afters = [];
  afterSubjects = [];
  const note = (error: unknown) => {
    if (failed) return;
    failed = true;
    failure = error;
  };
  for (const work of queued) {
    try {
      work();
    } catch (error) {
      note(error);
    }
  }
  for (let k = 0; k < later.length; k++) {
    try {
      later[k]!(subjects[k] as never);
    } catch (error) {
      note(error);
    }
  }
  if (failed) throw failure;
}
