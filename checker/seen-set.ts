/**
 * The set of fingerprints already seen: an open-addressed table of 64-bit keys stored as pairs of
 * 32-bit words, linear probing, home slot by multiply-shift range reduction so that the capacity
 * need not be a power of two and can grow by half (which keeps the bytes per state low).
 * The key (0, 0) marks an empty slot; a fingerprint equal to it is stored as (0, 1).
 * Liveness checking needs the graph, so the table can keep a state id beside each key.
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

  constructor(withIds: boolean, initialCapacity = 1 << 16) {
    this.capacity = initialCapacity;
    this.keys = new Int32Array(initialCapacity * 2);
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
   * Inserts the fingerprint with the id the caller would give a new state. Returns -1 if it was new,
   * otherwise the id stored with it (0 when the table keeps no ids).
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

  private grow(): void {
    const oldKeys = this.keys;
    const oldIds = this.ids;
    const oldCap = this.capacity;
    const cap = Math.ceil(oldCap * GROWTH);
    const keys = new Int32Array(cap * 2);
    const ids = oldIds === null ? null : new Int32Array(cap);
    for (let s = 0; s < oldCap; s++) {
      const hi = oldKeys[s * 2];
      const lo = oldKeys[s * 2 + 1];
      if (hi === 0 && lo === 0) continue;
      let i = homeSlot(hi, cap);
      while (keys[i * 2] !== 0 || keys[i * 2 + 1] !== 0) if (++i === cap) i = 0;
      keys[i * 2] = hi;
      keys[i * 2 + 1] = lo;
      if (ids !== null && oldIds !== null) ids[i] = oldIds[s];
    }
    this.keys = keys;
    this.ids = ids;
    this.capacity = cap;
    this.limit = Math.floor(cap * MAX_LOAD);
  }
}
