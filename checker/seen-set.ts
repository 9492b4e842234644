/**
 * The set of fingerprints already seen: an open-addressed table of 64-, 96- or 128-bit keys stored
 * as two, three or four 32-bit words, linear probing, home slot by multiply-shift range reduction so
 * that the capacity need not be a power of two and can grow by half (which keeps the bytes per state
 * low). The all-zero key marks an empty slot; a fingerprint equal to it is stored with its last
 * word 1. Liveness checking needs the graph, so the table can keep a state id beside each key.
 */

const MAX_LOAD = 0.85;
const GROWTH = 1.5;

function homeSlot(hi: number, capacity: number): number {
  return Math.floor(((hi >>> 0) / 4294967296) * capacity);
}

export class FingerprintTable {
  private keys: Int32Array;
  private ids: Int32Array | null;
  private capacity: number;
  private count = 0;
  private limit: number;

  /** `width`: 32-bit words per key (2, 3 or 4). */
  constructor(
    withIds: boolean,
    initialCapacity = 1 << 16,
    private readonly width = 2,
  ) {
    this.capacity = initialCapacity;
    this.keys = new Int32Array(initialCapacity * width);
    this.ids = withIds ? new Int32Array(initialCapacity) : null;
    this.limit = Math.floor(initialCapacity * MAX_LOAD);
  }

  get size(): number {
    return this.count;
  }

  get bytes(): number {
    return this.keys.byteLength + (this.ids?.byteLength ?? 0);
  }

  /**
   * Inserts a 64-bit fingerprint (a table of width 2) with the id the caller would give a new
   * state. Returns -1 if it was new, otherwise the id stored with it (0 when the table keeps no ids).
   * The hot loop's path: two words passed as numbers, no array read.
   */
  insert(hi: number, lo: number, id: number): number {
    if (hi === 0 && lo === 0) lo = 1;
    const keys = this.keys;
    const cap = this.capacity;
    let i = homeSlot(hi, cap);
    for (;;) {
      const j = i * 2; // not i << 1: tables pass 2^30 slots
      const kh = keys[j];
      const kl = keys[j + 1];
      if (kh === 0 && kl === 0) {
        keys[j] = hi;
        keys[j + 1] = lo;
        if (this.ids !== null) this.ids[i] = id;
        if (++this.count > this.limit) this.grow();
        return -1;
      }
      if (kh === hi && kl === lo) return this.ids === null ? 0 : this.ids[i];
      if (++i === cap) i = 0;
    }
  }

  /** `insert` for a key of the table's width in fp[0..width). */
  insertWide(fp: Int32Array, id: number): number {
    const w = this.width;
    let zero = true;
    for (let k = 0; k < w; k++) if (fp[k] !== 0) zero = false;
    if (zero) fp[w - 1] = 1;
    const keys = this.keys;
    const cap = this.capacity;
    let i = homeSlot(fp[0], cap);
    for (;;) {
      const j = i * w;
      let empty = true;
      let same = true;
      for (let k = 0; k < w; k++) {
        const v = keys[j + k];
        if (v !== 0) empty = false;
        if (v !== fp[k]) same = false;
      }
      if (empty) {
        for (let k = 0; k < w; k++) keys[j + k] = fp[k];
        if (this.ids !== null) this.ids[i] = id;
        if (++this.count > this.limit) this.grow();
        return -1;
      }
      if (same) return this.ids === null ? 0 : this.ids[i];
      if (++i === cap) i = 0;
    }
  }

  private grow(): void {
    const w = this.width;
    const oldKeys = this.keys;
    const oldIds = this.ids;
    const oldCap = this.capacity;
    const cap = Math.ceil(oldCap * GROWTH);
    const keys = new Int32Array(cap * w);
    const ids = oldIds === null ? null : new Int32Array(cap);
    const emptyAt = (arr: Int32Array, j: number): boolean => {
      for (let k = 0; k < w; k++) if (arr[j + k] !== 0) return false;
      return true;
    };
    for (let s = 0; s < oldCap; s++) {
      if (emptyAt(oldKeys, s * w)) continue;
      let i = homeSlot(oldKeys[s * w], cap);
      while (!emptyAt(keys, i * w)) if (++i === cap) i = 0;
      for (let k = 0; k < w; k++) keys[i * w + k] = oldKeys[s * w + k];
      if (ids !== null && oldIds !== null) ids[i] = oldIds[s];
    }
    this.keys = keys;
    this.ids = ids;
    this.capacity = cap;
    this.limit = Math.floor(cap * MAX_LOAD);
  }
}
