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

test('a table grows from its initial size as keys need room, and no further than its largest', () => {
  const table = new IntKeyTable<number>(64, 4);
  assert.equal(table.capacity, 4);
  for (let key = 100; key < 120; key++) table.set(key, key * 2);
  assert.equal(table.capacity, 32, 'the 20 consecutive keys held at once fit 32 slots');
  for (let key = 100; key < 120; key++) assert.equal(table.get(key), key * 2);
  assert.equal(table.size, 20);
  // 1 and 65 share a slot at every size up to 64: the table stops there, and one overflows.
  const small = new IntKeyTable<string>(64, 4);
  small.set(1, 'a');
  small.set(65, 'b');
  assert.equal(small.capacity, 64);
  assert.equal(small.get(1), 'a');
  assert.equal(small.get(65), 'b');
  assert.equal(small.size, 2);
  assert.throws(() => new IntKeyTable(8, 16), /initial capacity 16 exceeds its largest, 8/);
});

test('entries() come in ascending key order (sids: the order their calls started), whatever their slots', () => {
  const table = new IntKeyTable<string>(8);
  // 14 and 15 take the last slots, 16 and 17 wrap round to the first ones.
  for (const key of [14, 15, 16, 17]) table.set(key, `k${key}`);
  assert.deepEqual(
    table.entries().map(([key]) => key),
    [14, 15, 16, 17],
  );
});
