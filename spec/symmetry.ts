/**
 * Symmetry reduction: owners are interchangeable, and so are kernel contexts and readers. A state
 * is rewritten into the member of its class whose owner, kernel-context and reader records are in
 * sorted order, relabelling every reference to an owner (slot allocation, uid, ghost value tags,
 * registers, reader caches). It only ever maps a state to a permutation of itself, and every
 * invariant is blind to names, so it is sound; ties keep their order, which at worst reduces less.
 * Pid numbers are not permuted: they are handed out cyclically, so they are not interchangeable.
 */
import { type Ctx, kernelAt, readerAt } from './context.js';
import { KERNEL, KERNEL_FIELDS, OWNER_FIELDS, READER, READER_FIELDS, SLOT, SLOT_FIELDS } from './layout.js';

export function makeCanonicalizer(c: Ctx): (s: Uint8Array) => void {
  const L = c.L;
  const scratch = new Uint8Array(L.bytes);
  const order = new Int32Array(Math.max(L.owners, L.kernels, L.readers));
  const relabel = new Int32Array(L.owners + 1); // old owner + 1 -> new owner + 1; 0 -> 0

  /** Sorts records [base + i*stride, +width) into `order`, insertion sort (n is at most a handful). */
  const sortRecords = (s: Uint8Array, base: number, stride: number, n: number): boolean => {
    let moved = false;
    for (let i = 0; i < n; i++) order[i] = i;
    for (let i = 1; i < n; i++) {
      const x = order[i];
      let j = i - 1;
      while (j >= 0 && compare(s, base + order[j] * stride, base + x * stride, stride) > 0) {
        order[j + 1] = order[j];
        j--;
        moved = true;
      }
      order[j + 1] = x;
    }
    return moved;
  };

  const permute = (s: Uint8Array, base: number, stride: number, n: number): void => {
    scratch.set(s.subarray(base, base + stride * n));
    for (let i = 0; i < n; i++) s.set(scratch.subarray(order[i] * stride, order[i] * stride + stride), base + i * stride);
  };

  const map = (s: Uint8Array, at: number): void => {
    s[at] = relabel[s[at]] ?? s[at];
  };

  return (s: Uint8Array): void => {
    if (sortRecords(s, L.owner, OWNER_FIELDS, L.owners)) {
      relabel.fill(0);
      for (let i = 0; i < L.owners; i++) relabel[order[i] + 1] = i + 1;
      permute(s, L.owner, OWNER_FIELDS, L.owners);
      for (let i = 0; i < L.slots; i++) {
        const slot = L.slot + i * SLOT_FIELDS;
        if (s[slot + SLOT.alloc] <= L.owners) map(s, slot + SLOT.alloc);
        if (c.byUid) map(s, slot + SLOT.ident);
        map(s, slot + SLOT.w1For);
        map(s, slot + SLOT.w2For);
      }
      for (let k = 0; k < L.kernels; k++) {
        const at = kernelAt(c, k);
        if (s[at + KERNEL.pc] !== 0) s[at + KERNEL.owner] = relabel[s[at + KERNEL.owner] + 1] - 1;
      }
      for (let r = 0; r < L.readers; r++) {
        const at = readerAt(c, r);
        map(s, at + READER.cacheOwner);
        map(s, at + READER.target);
        map(s, at + READER.w1For);
        if (c.byUid) map(s, at + READER.cacheIdent);
      }
    }
    if (sortRecords(s, L.kernel, KERNEL_FIELDS, L.kernels)) permute(s, L.kernel, KERNEL_FIELDS, L.kernels);
    if (sortRecords(s, L.reader, READER_FIELDS, L.readers)) permute(s, L.reader, READER_FIELDS, L.readers);
  };
}

function compare(s: Uint8Array, a: number, b: number, width: number): number {
  for (let i = 0; i < width; i++) {
    const d = s[a + i] - s[b + i];
    if (d !== 0) return d;
  }
  return 0;
}
