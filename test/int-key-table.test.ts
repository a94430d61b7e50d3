import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IntKeyTable } from '../src/_int-key-table.js';

test('an IntKeyTable sets, gets and deletes values by key', () => {
  const table = new IntKeyTable<string>(8);
  table.set(3, 'three');
  table.set(5, 'five');
  assert.equal(table.get(3), 'three');
  assert.equal(table.get(5), 'five');
  assert.equal(table.get(4), undefined);
  assert.equal(table.size, 2);
  table.set(3, 'THREE');
  assert.equal(table.get(3), 'THREE');
  assert.equal(table.size, 2);
  assert.equal(table.delete(3), true);
  assert.equal(table.delete(3), false);
  assert.equal(table.get(3), undefined);
  assert.equal(table.size, 1);
});

test('keys that share a slot are all kept, whichever is deleted first', () => {
  const table = new IntKeyTable<number>(8);
  // 1, 9 and 17 all map to slot 1.
  for (const key of [1, 9, 17]) table.set(key, key * 10);
  assert.equal(table.size, 3);
  assert.deepEqual(
    table.entries().sort((a, b) => a[0] - b[0]),
    [
      [1, 10],
      [9, 90],
      [17, 170],
    ],
  );
  assert.equal(table.delete(1), true);
  assert.equal(table.get(9), 90);
  assert.equal(table.get(17), 170);
  // 9 (in the overflow) set again once its slot is free: still one entry, the new value.
  table.set(9, 99);
  assert.equal(table.size, 2);
  assert.equal(table.get(9), 99);
  assert.equal(table.delete(9), true);
  assert.equal(table.get(9), undefined);
  assert.equal(table.delete(17), true);
  assert.equal(table.size, 0);
  assert.deepEqual(table.entries(), []);
});

test('entries() is a copy: the table may change while it is walked', () => {
  const table = new IntKeyTable<string>(4);
  for (const key of [1, 2, 3, 5]) table.set(key, String(key));
  for (const [key] of table.entries()) table.delete(key);
  assert.equal(table.size, 0);
});

test('an IntKeyTable capacity that is not a power of two is a RangeError', () => {
  assert.throws(() => new IntKeyTable(6), /power of two, got 6/);
});
