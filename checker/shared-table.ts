/**
 * The seen set of a parallel exploration: one open-addressed table in SharedArrayBuffers that every
 * worker inserts into at once. Beside each key (two to four 32-bit words, linear probing from a
 * multiply-shift home slot, as seen-set.ts) a claim word says what the slot holds:
 *
 *   EMPTY (0)   nothing; a worker takes the slot by compare-and-swap to BUSY, writes the key, then
 *               stores its claim (the store publishes the key: Atomics are sequentially consistent);
 *   BUSY (-2)   a key being written; others spin until the claim is stored;
 *   OLD (-1)    a state of an earlier level, or of this level's queue;
 *   p + 1 > 0   a state first reached in the level being expanded, from the state at position p of
 *               that level; a worker that reaches it from a lower position lowers the claim by
 *               compare-and-swap, so that when the level ends the claim names the first position in
 *               breadth-first order that reaches it, whichever worker got there first in time.
 *
 * That last rule is what makes the parallel search give the sequential one's parents, ids and
 * traces for any number of workers. The table grows only while no worker is inserting (the
 * explorer pauses them), by rehashing into new buffers.
 */

export const EMPTY = 0;
export const OLD = -1;
const BUSY = -2;

export const MAX_LOAD = 0.85;
const GROWTH = 1.5;

export interface SharedTable {
  readonly keys: SharedArrayBuffer;
  readonly claims: SharedArrayBuffer;
  readonly capacity: number;
  readonly width: number;
  /** How many times it grew: a slot number is good only in the table of its epoch. */
  readonly epoch: number;
}

export function newSharedTable(capacity: number, width: number, epoch = 0): SharedTable {
  return { keys: new SharedArrayBuffer(capacity * width * 4), claims: new SharedArrayBuffer(capacity * 4), capacity, width, epoch };
}

export const tableBytes = (t: SharedTable): number => t.keys.byteLength + t.claims.byteLength;

/** How many keys the table takes before it must grow. */
export const limitOf = (t: SharedTable): number => Math.floor(t.capacity * MAX_LOAD);

function homeSlot(hi: number, capacity: number): number {
  return Math.floor(((hi >>> 0) / 4294967296) * capacity);
}

/** What an insertion did (the slot is in TableView.slot): the key was new (claimed), an earlier claim of this level was lowered, or nothing. */
export const INSERTED = 0;
export const LOWERED = 1;
export const KNOWN = 2;

/** A worker's views of the table, made once per table. */
export class TableView {
  readonly keys: Int32Array;
  readonly claims: Int32Array;
  readonly capacity: number;
  readonly width: number;
  /** The slot of the last insert. */
  slot = 0;

  constructor(t: SharedTable) {
    this.keys = new Int32Array(t.keys);
    this.claims = new Int32Array(t.claims);
    this.capacity = t.capacity;
    this.width = t.width;
  }

  /** Inserts key fp[0..width) with `claim`, or lowers a claim of this level to it (see the top of the file). */
  insert(fp: Int32Array, claim: number): number {
    const { keys, claims, capacity, width } = this;
    const home = homeSlot(fp[0], capacity);
    let i = home;
    for (;;) {
      let c = Atomics.load(claims, i);
      if (c === EMPTY) {
        if (Atomics.compareExchange(claims, i, EMPTY, BUSY) === EMPTY) {
          const j = i * width;
          for (let k = 0; k < width; k++) keys[j + k] = fp[k];
          Atomics.store(claims, i, claim);
          this.slot = i;
          return INSERTED;
        }
        c = Atomics.load(claims, i);
      }
      while (c === BUSY) c = Atomics.load(claims, i);
      if (this.same(i, fp)) {
        this.slot = i;
        while (c > claim) {
          const was = Atomics.compareExchange(claims, i, c, claim);
          if (was === c) return LOWERED;
          c = was;
        }
        return KNOWN;
      }
      if (++i === capacity) i = 0;
      if (i === home) throw new Error(`shared fingerprint table full at ${capacity} slots`);
    }
  }

  /** The slot holding key fp, or -1 (only while no one inserts). */
  find(fp: Int32Array): number {
    const { claims, capacity } = this;
    let i = homeSlot(fp[0], capacity);
    for (;;) {
      if (claims[i] === EMPTY) return -1;
      if (this.same(i, fp)) return i;
      if (++i === capacity) i = 0;
    }
  }

  private same(i: number, fp: Int32Array): boolean {
    const j = i * this.width;
    for (let k = 0; k < this.width; k++) if (this.keys[j + k] !== fp[k]) return false;
    return true;
  }
}

/** A table with room for `keys` keys (at least half again as large as `t`) with every key and claim of `t` (while no worker inserts). */
export function grown(t: SharedTable, keys = 0): SharedTable {
  const from = new TableView(t);
  const to = newSharedTable(Math.max(Math.ceil(t.capacity * GROWTH), Math.ceil(keys / MAX_LOAD)), t.width, t.epoch + 1);
  const into = new TableView(to);
  const w = t.width;
  for (let s = 0; s < t.capacity; s++) {
    const c = from.claims[s];
    if (c === EMPTY) continue;
    let i = homeSlot(from.keys[s * w], to.capacity);
    while (into.claims[i] !== EMPTY) if (++i === to.capacity) i = 0;
    for (let k = 0; k < w; k++) into.keys[i * w + k] = from.keys[s * w + k];
    into.claims[i] = c;
  }
  return to;
}
