// closestName: the "did you mean" behind misspelt options, flags and subcommands. The allowed
// distance grows with the typed name (2 edits, or a third of its length), ties go to the first
// candidate, and an exact match (case aside) always wins.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { closestName } from '../../src/bench/_did-you-mean.js';

test('short names allow 2 edits, not 3', () => {
  assert.equal(closestName('outfle', ['outfile', 'timezone']), 'outfile');
  assert.equal(closestName('otfle', ['outfile']), 'outfile', '2 edits');
  assert.equal(closestName('otfl', ['outfile']), undefined, '3 edits on a 4-letter name');
});

test('long names allow a third of the typed length: 4 edits for 12 or 13 letters', () => {
  assert.equal(closestName('telemtryIntervl', ['telemetryInterval']), 'telemetryInterval');
  assert.equal(closestName('tlmtryIntervl', ['telemetryInterval']), 'telemetryInterval', '4 edits');
  assert.equal(closestName('tlmtryIntrvl', ['telemetryInterval']), undefined, '5 edits');
});

test('ties go to the first candidate; the closest wins over an earlier, farther one', () => {
  assert.equal(closestName('cat', ['bat', 'hat']), 'bat');
  assert.equal(closestName('cat', ['hat', 'bat']), 'hat');
  assert.equal(closestName('cart', ['carts', 'cart']), 'cart');
  assert.equal(closestName('xyzq', ['xyz', 'xyzq']), 'xyzq', 'every letter counts, the last too');
});

test('case is ignored; nothing close gives undefined', () => {
  assert.equal(closestName('OUTFILE', ['outfile']), 'outfile');
  assert.equal(closestName('zzzzzz', ['outfile', 'timezone']), undefined);
  assert.equal(closestName('a', []), undefined);
});
