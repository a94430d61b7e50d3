// accountSamples: the due, taken and missed samples and their lateness, worked out from when each
// sample was taken (the CLI's sampler and recovered journals use it).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accountSamples, percentile95 } from '../../src/telemetry/sample-account.js';

test('every slot sampled on time: nothing missed, lateness 0', () => {
  const account = accountSamples([1000, 1100, 1200, 1300], 1000, 100, 1350);
  assert.deepEqual(account, {
    due: 4,
    taken: 4,
    missed: 0,
    latenessP95Ms: 0,
    latenessMaxMs: 0,
  });
});

test('a sample due at the very end counts as due; skipped slots count as missed', () => {
  // Slots 0, 100, ..., 500 (the end): 6 due; 3 taken, late by 2, 5 and 30 ms.
  const account = accountSamples([1002, 1105, 1430], 1000, 100, 1500);
  assert.equal(account.due, 6);
  assert.equal(account.taken, 3);
  assert.equal(account.missed, 3);
  assert.equal(account.latenessMaxMs, 30);
  assert.equal(account.latenessP95Ms, 30);
});

test('an end before the anchor, or no interval, never gives fewer due than taken', () => {
  assert.equal(accountSamples([1000, 1001], 1000, 100, 900).due, 2);
  assert.equal(accountSamples([1000, 1001], 1000, 0, 5000).due, 2);
  assert.equal(accountSamples([], 1000, 100, 1000).due, 1, 'the initial sample was due');
  assert.equal(accountSamples([], 1000, 100, 1000).latenessP95Ms, null);
});

test('lateness is measured against the latest slot before each sample, to the microsecond', () => {
  const account = accountSamples([1000.0004, 1250.1234567], 1000, 100, 1300);
  assert.equal(account.latenessMaxMs, 50.123);
  assert.equal(account.due, 4);
  assert.equal(account.missed, 2);
});

test('percentile95 is the nearest rank: 95 of 100 values lie at or below it', () => {
  const values = Array.from({ length: 100 }, (_, i) => 100 - i);
  assert.equal(percentile95(values), 95);
  assert.equal(percentile95([7]), 7);
  assert.equal(percentile95([1, 2]), 2);
});
