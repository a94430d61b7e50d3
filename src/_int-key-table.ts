// internal: values by integer key (0 to 2³¹ − 1: a call's session id), for entries added and removed
// at every call of a tight loop.
//
// A long-lived Map or Set churned that way makes V8 keep short-lived values far too long. Each
// rehash (every few dozen adds and deletes) leaves the old hash table pointing to its successor,
// for iterators; once an old table has been promoted to the old generation, that pointer is a
// root for every young-generation GC until the next full one, so the successor, the values it
// holds and its own successor all survive, and are promoted in turn. Measured here: with the
// pending records of a loop of short telemetry calls in a Map and a Set, ~20 % of everything
// allocated was promoted and each scavenge took 5–7 ms (~3 µs per call); an array of 20 records
// churned the same way promoted 1 %.
//
// This table is an array of slots (key modulo its size), and a removed entry's slot is cleared
// at once. Keys that count up (sids) take consecutive slots: it starts small, doubles (a fresh
// array, the old one simply dropped) when a key finds its slot held by another, up to its
// largest size, and past that the key goes to an overflow Map (rare: it takes two entries that
// many keys apart at once). One table per pending journal, so an idle one stays small.

// The key of a free slot.
const EMPTY = -1;

/** A table of values by integer key, 0 to 2³¹ − 1 (see above). */
export class IntKeyTable<V> {
  #keys: Int32Array;
  #values: (V | undefined)[];
  #mask: number;
  readonly #maxCapacity: number;
  #overflow: Map<number, V> | undefined;
  #size = 0;

  /**
   * `maxCapacity`: a power of two, about the most entries held at once; the table starts at
   * `initialCapacity` (a power of two, at most `maxCapacity`) slots.
   */
  constructor(maxCapacity: number, initialCapacity = Math.min(64, maxCapacity)) {
    for (const capacity of [maxCapacity, initialCapacity]) {
      if (!Number.isInteger(Math.log2(capacity)))
        throw new RangeError(`IntKeyTable capacity must be a power of two, got ${capacity}`);
    }
    if (initialCapacity > maxCapacity)
      throw new RangeError(
        `IntKeyTable initial capacity ${initialCapacity} exceeds its largest, ${maxCapacity}`,
      );
    this.#maxCapacity = maxCapacity;
    this.#keys = new Int32Array(initialCapacity).fill(EMPTY);
    this.#values = new Array<V | undefined>(initialCapacity).fill(undefined);
    this.#mask = initialCapacity - 1;
  }

  /** How many slots it has now. */
  get capacity(): number {
    return this.#keys.length;
  }

  /** How many entries it holds. */
  get size(): number {
    return this.#size;
  }

  /** The value of `key` (an integer from 0 to 2³¹ − 1), if any. */
  get(key: number): V | undefined {
    const at = key & this.#mask;
    if (this.#keys[at] === key) return this.#values[at];
    return this.#overflow?.get(key);
  }

  /** Set the value of `key` (an integer from 0 to 2³¹ − 1). */
  set(key: number, value: V): void {
    let at = key & this.#mask;
    let held = this.#keys[at]!;
    if (held !== EMPTY && held !== key && this.#keys.length < this.#maxCapacity) {
      this.#grow(key, held);
      at = key & this.#mask;
      held = this.#keys[at]!;
    }
    if (held === key) {
      this.#values[at] = value;
      return;
    }
    if (held === EMPTY) {
      if (this.#overflow?.delete(key)) this.#size--;
      this.#keys[at] = key;
      this.#values[at] = value;
    } else {
      this.#overflow ??= new Map();
      if (this.#overflow.has(key)) this.#size--;
      this.#overflow.set(key, value);
    }
    this.#size++;
  }

  /** Remove `key`; false when it was not there. */
  delete(key: number): boolean {
    const at = key & this.#mask;
    if (this.#keys[at] === key) {
      this.#keys[at] = EMPTY;
      this.#values[at] = undefined;
      this.#size--;
      return true;
    }
    if (this.#overflow?.delete(key)) {
      this.#size--;
      return true;
    }
    return false;
  }

  // Double the slots until `key` and `held` (which holds key's slot) part, or up to the largest
  // size, and put every entry in its new slot (those that collide there go to the overflow).
  #grow(key: number, held: number): void {
    let capacity = this.#keys.length;
    do capacity *= 2;
    while (capacity < this.#maxCapacity && (key & (capacity - 1)) === (held & (capacity - 1)));
    const entries = this.entries();
    this.#keys = new Int32Array(capacity).fill(EMPTY);
    this.#values = new Array<V | undefined>(capacity).fill(undefined);
    this.#mask = capacity - 1;
    this.#overflow = undefined;
    this.#size = 0;
    for (const [k, v] of entries) this.set(k, v);
  }

  /**
   * Every entry, as [key, value] pairs in ascending key order (sids: the order their calls
   * started), a copy: the table may change while they are used.
   */
  entries(): [number, V][] {
    const out: [number, V][] = [];
    if (this.#size === 0) return out;
    const keys = this.#keys;
    for (let at = 0; at < keys.length; at++) {
      if (keys[at] !== EMPTY) out.push([keys[at]!, this.#values[at]!]);
    }
    if (this.#overflow) out.push(...this.#overflow);
    return out.sort((a, b) => a[0] - b[0]);
  }
}
