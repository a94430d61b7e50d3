// randomUuid(): version 4 UUIDs from the system's random source, without Web Crypto.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { randomUuid } from '../src/_random-uuid.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('gives version 4 UUIDs with the RFC 9562 variant', () => {
  for (let i = 0; i < 200; i++) assert.match(randomUuid(), UUID_V4);
});

test('never repeats itself', () => {
  const ids = new Set(Array.from({ length: 1000 }, () => randomUuid()));
  assert.equal(ids.size, 1000);
});

test('varies every random hex digit', () => {
  // 122 random bits: over many ids each free position takes more than one value.
  const ids = Array.from({ length: 64 }, () => randomUuid());
  for (let at = 0; at < 36; at++) {
    if ([8, 13, 14, 18, 23].includes(at)) continue; // dashes and the version digit
    assert.ok(new Set(ids.map((id) => id[at])).size > 1, `position ${at} never changes`);
  }
});
