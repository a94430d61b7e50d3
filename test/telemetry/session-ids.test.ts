// Session ids are written into the shared Int32Array's words, and each thread finds a call's
// slot from the word it reads. Past 2³¹ calls a plain counter would be stored as a negative
// number: the worker would look for the session in a slot main never wrote.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_SID, SESSION_SLOTS, sidAfter } from '../../src/telemetry/protocol.js';

test('session ids count up from 1 and wrap past the largest int32 back to 1', () => {
  assert.equal(sidAfter(1), 2);
  assert.equal(sidAfter(MAX_SID - 1), MAX_SID);
  assert.equal(sidAfter(MAX_SID), 1);
});

test('every session id reads back from an int32 word as itself, in the same slot', () => {
  const word = new Int32Array(1);
  for (const sid of [1, 4095, 4096, MAX_SID - 1, MAX_SID, sidAfter(MAX_SID)]) {
    word[0] = sid;
    assert.equal(word[0], sid);
    assert.equal(word[0] % SESSION_SLOTS, sid % SESSION_SLOTS);
  }
  // The counter without the wrap: what the worker would have read.
  word[0] = MAX_SID + 2;
  assert.notEqual(word[0] % SESSION_SLOTS, (MAX_SID + 2) % SESSION_SLOTS);
});
