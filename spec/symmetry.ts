/**
 * Symmetry reduction: owners are interchangeable, and so are kernel contexts and readers. A state
 * is rewritten into one member of its class: owner records in sorted order, every reference to an
 * owner relabelled (slot allocation, uid, ghost value tags, registers, reader caches), then kernel
 * context and reader records in sorted order. It only ever maps a state to a permutation of itself,
 * and every invariant is blind to names, so it is sound.
 *
 * The member is unique: owners whose records are equal (two unborn tasks, two freed ones) can still
 * be told apart by what refers to them, so every arrangement of such a tie that differs in where a
 * referenced owner goes is tried and the least resulting state (byte order) is kept. An owner nothing
 * refers to is like every other unreferenced owner with the same record, so those keep their order.
 * Nothing refers to a kernel context or a reader, so their ties need no such care. Every state of a
 * class thus has the same form, which the rebuild of a counterexample relies on and which the test
 * "canonical forms are unique" checks on random permutations.
 * Pid numbers are not permuted: they are handed out cyclically, so they are not interchangeable.
 */
import { type Ctx, kernelAt, readerAt } from './context.js';
import { KERNEL, KERNEL_FIELDS, OWNER_FIELDS, READER, READER_FIELDS, SLOT, SLOT_FIELDS } from './layout.js';

export function makeCanonicalizer(c: Ctx): (s: Uint8Array) => void {
  const L = c.L;
  const n = L.owners;
  const original = new Uint8Array(L.bytes);
  const candidate = new Uint8Array(L.bytes);
  const best = new Uint8Array(L.bytes);
  const records = new Uint8Array(Math.max(n * OWNER_FIELDS, L.kernels * KERNEL_FIELDS, L.readers * READER_FIELDS));
  const sorted = new Int32Array(n); // owner records in sorted order, ties in index order
  const arrangement = new Int32Array(n); // position -> old owner, one arrangement of the ties
  const relabel = new Int32Array(n + 1); // old owner + 1 -> new owner + 1; 0 -> 0
  const referenced = new Uint8Array(n);
  const used = new Uint8Array(n);
  const groupEnd = new Int32Array(n); // for a position, one past the last position of its tie
  const order = new Int32Array(Math.max(n, L.kernels, L.readers));

  const sortRecords = (s: Uint8Array, base: number, stride: number, count: number, out: Int32Array): void => {
    for (let i = 0; i < count; i++) out[i] = i;
    for (let i = 1; i < count; i++) {
      const x = out[i];
      let j = i - 1;
      while (j >= 0 && compare(s, base + out[j] * stride, s, base + x * stride, stride) > 0) {
        out[j + 1] = out[j];
        j--;
      }
      out[j + 1] = x;
    }
  };

  const permute = (s: Uint8Array, base: number, stride: number, count: number, by: Int32Array): void => {
    records.set(s.subarray(base, base + stride * count));
    for (let i = 0; i < count; i++) s.set(records.subarray(by[i] * stride, by[i] * stride + stride), base + i * stride);
  };

  const sortInPlace = (s: Uint8Array, base: number, stride: number, count: number): void => {
    sortRecords(s, base, stride, count, order);
    for (let i = 0; i < count; i++) if (order[i] !== i) return permute(s, base, stride, count, order);
  };

  const map = (s: Uint8Array, at: number): void => {
    s[at] = relabel[s[at]];
  };

  /** Each owner field outside the owner records, as (offset, +1 encoded?) visits. */
  const eachReference = (s: Uint8Array, visit: (at: number, plusOne: boolean) => void): void => {
    for (let i = 0; i < L.slots; i++) {
      const slot = L.slot + i * SLOT_FIELDS;
      if (s[slot + SLOT.alloc] <= n) visit(slot + SLOT.alloc, true);
      if (c.byUid) visit(slot + SLOT.ident, true);
      visit(slot + SLOT.w1For, true);
      visit(slot + SLOT.w2For, true);
    }
    for (let k = 0; k < L.kernels; k++) {
      const at = kernelAt(c, k);
      if (s[at + KERNEL.pc] !== 0) visit(at + KERNEL.owner, false);
    }
    for (let r = 0; r < L.readers; r++) {
      const at = readerAt(c, r);
      visit(at + READER.cacheOwner, true);
      visit(at + READER.target, true);
      visit(at + READER.w1For, true);
      if (c.byUid) visit(at + READER.cacheIdent, true);
    }
  };

  /** Places owners in `target` as `arrangement` says, relabels every reference, then sorts the other records. */
  const place = (target: Uint8Array): void => {
    let moved = false;
    for (let i = 0; i < n; i++) if (arrangement[i] !== i) moved = true;
    if (moved) {
      relabel[0] = 0;
      for (let i = 0; i < n; i++) relabel[arrangement[i] + 1] = i + 1;
      permute(target, L.owner, OWNER_FIELDS, n, arrangement);
      eachReference(target, (at, plusOne) => {
        if (plusOne) map(target, at);
        else target[at] = relabel[target[at] + 1] - 1;
      });
    }
    sortInPlace(target, L.kernel, KERNEL_FIELDS, L.kernels);
    sortInPlace(target, L.reader, READER_FIELDS, L.readers);
  };

  let found = false;
  const offer = (): void => {
    candidate.set(original);
    place(candidate);
    if (!found || compare(candidate, 0, best, 0, L.bytes) < 0) best.set(candidate);
    found = true;
  };

  /** Fills positions from `pos` on: a tie's unreferenced owners in index order, its referenced ones anywhere. */
  const arrange = (pos: number): void => {
    if (pos === n) return offer();
    const end = groupEnd[pos];
    let start = pos;
    while (start > 0 && groupEnd[start - 1] === end) start--;
    let nextUnreferenced = -1;
    for (let i = start; i < end; i++) {
      const o = sorted[i];
      if (used[o] === 0 && referenced[o] === 0) {
        nextUnreferenced = o;
        break;
      }
    }
    for (let i = start; i < end; i++) {
      const o = sorted[i];
      if (used[o] !== 0 || (referenced[o] === 0 && o !== nextUnreferenced)) continue;
      used[o] = 1;
      arrangement[pos] = o;
      arrange(pos + 1);
      used[o] = 0;
    }
  };

  return (s: Uint8Array): void => {
    sortRecords(s, L.owner, OWNER_FIELDS, n, sorted);
    let ambiguous = false;
    for (let i = 1; i < n && !ambiguous; i++)
      if (compare(s, L.owner + sorted[i - 1] * OWNER_FIELDS, s, L.owner + sorted[i] * OWNER_FIELDS, OWNER_FIELDS) === 0) ambiguous = tiesMatter(s);
    if (!ambiguous) {
      arrangement.set(sorted);
      place(s);
      return;
    }
    original.set(s);
    found = false;
    used.fill(0);
    arrange(0);
    s.set(best);
  };

  /** Marks the tie groups of `sorted` and whether one of them holds an owner something refers to. */
  function tiesMatter(s: Uint8Array): boolean {
    referenced.fill(0);
    eachReference(s, (at, plusOne) => {
      const o = plusOne ? s[at] - 1 : s[at];
      if (o >= 0 && o < n) referenced[o] = 1;
    });
    let matter = false;
    for (let i = 0; i < n; ) {
      let j = i + 1;
      while (j < n && compare(s, L.owner + sorted[i] * OWNER_FIELDS, s, L.owner + sorted[j] * OWNER_FIELDS, OWNER_FIELDS) === 0) j++;
      let refs = 0;
      for (let k = i; k < j; k++) {
        groupEnd[k] = j;
        refs += referenced[sorted[k]];
      }
      if (j - i > 1 && refs > 0) matter = true;
      i = j;
    }
    return matter;
  }
}

function compare(a: Uint8Array, at: number, b: Uint8Array, bt: number, width: number): number {
  for (let i = 0; i < width; i++) {
    const d = a[at + i] - b[bt + i];
    if (d !== 0) return d;
  }
  return 0;
}
