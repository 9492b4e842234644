/**
 * The counters the design keeps per slot: `seq` (odd while a write is in progress), `gen` (bumped
 * by every initialisation and every clear) and the allocator's epoch (one per hand-out of an
 * index), and the copies readers keep of them (the first `seq` load, the cached `gen`).
 *
 * With bounded budgets (every configuration but the liveness ones) slots keep their literal values:
 * at most 4 kernel contexts x 8 operations + 6 owners' frees touch one slot, two bumps each, so no
 * byte wraps, and a reader compares the two values it loaded exactly as the design's reader does.
 * That matters: a reclaimed page is zeroed when it is allocated again (precision 3), so `seq` and
 * `gen` restart at 0 and can come back to a value a reader loaded earlier (a seqcount ABA).
 *
 * Every way a counter here can come back to a value it had, each compared literally:
 * - a reclaimed page allocated again is zeroed (pageReclaim=zero-page or unmap): seq, gen and the
 *   value words of all its slots restart at 0 while a reader may be between its two seq loads, or
 *   hold a cached gen (the seqcount ABA of docs/model.md, Verdicts);
 * - a load through the zero page reads 0, a value seq and gen had before the page was first used;
 * - writers=plain-seq: two read-modify-write bumps lose one or store an older value;
 * - wrap-around of the real 32-bit counters needs 2^31 writes during one read; no bound comes near
 *   it, and the model does not make it possible (a byte never wraps at the check bounds).
 * The allocator's epoch is the allocator's own record, not page memory, so no zeroing resets it.
 *
 * Two reductions, each exact only while every counter only ever grows. That holds under
 * writers=single (every bump is an atomic +1) and pageReclaim=never (no page is zeroed after its
 * first allocation, and a first allocation finds the page's memory still zero: only a late writer
 * into a reclaimed page could have written it). Under monotone counters a comparison of a loaded
 * value with an earlier-loaded one is true exactly when no bump came in between, so:
 * - copies (`markCopies`): a bump of a slot overwrites the first-`seq`-load copy of every reader past
 *   that load on the slot, and the cached `gen` of every reader whose cached index is the slot, with
 *   STALE, which equals no loaded value. Readers whose copies differ only in how old they are merge.
 *   A load through the zero page reads 0, but never after a bump here: a page is mapped before its
 *   first bump and stays mapped.
 * - finite counters (`counters: 'abstract'`, needed by an unbounded budget): with copies marked,
 *   `seq` needs only its parity and `gen` only whether it is 0 and its parity (0, then 1, 2, 1, 2...),
 *   and the epoch counts modulo 4, which is exact under indexReuse=after-grace too: an index is handed
 *   out again only when no context holds its element, so every holder of an index holds one epoch
 *   and only equality between holders is ever asked. `unboundedProblem` refuses every other
 *   combination with an unbounded budget.
 * The literal twin (SpecOptions.literal) uses neither; test/literal-twin.test.ts holds the verdicts
 * of the two forms equal on small configurations of every knob value and many combinations.
 */
import { READER, READER_FIELDS } from './layout.js';

export type Counters = 'literal' | 'abstract';

/** A reader's copy of a counter that a later bump made older than the slot's: equal to no loaded value. */
export const STALE = 255;

export interface CounterCtx {
  readonly counters: Counters;
  /** Bumps overwrite readers' older copies with STALE (exact only under monotone counters). */
  readonly markCopies: boolean;
  readonly L: { readonly readers: number; readonly reader: number };
}

/** The value the spec keeps for a real `seq`. */
export function seqView(c: CounterCtx, seq: number): number {
  return c.counters === 'literal' ? seq & 0xff : seq & 1;
}

/** The value the spec keeps for a real `gen`: itself, or 0 / 1 (odd) / 2 (even, not 0). */
export function genView(c: CounterCtx, gen: number): number {
  if (c.counters === 'literal') return gen & 0xff;
  return gen === 0 ? 0 : 2 - (gen & 1);
}

/** The value the spec keeps for a real allocation epoch. */
export function epochView(c: CounterCtx, epoch: number): number {
  return c.counters === 'literal' ? epoch & 0xff : epoch & 3;
}

export function nextSeq(c: CounterCtx, seq: number): number {
  return c.counters === 'literal' ? (seq + 1) & 0xff : seq ^ 1;
}

export function nextGen(c: CounterCtx, gen: number): number {
  return c.counters === 'literal' ? (gen + 1) & 0xff : gen === 1 ? 2 : 1;
}

export function nextEpoch(c: CounterCtx, epoch: number): number {
  return c.counters === 'literal' ? (epoch + 1) & 0xff : (epoch + 1) & 3;
}

/**
 * Marks readers' copies older than a bump of slot `index`, when copies are marked. `readerPcPast`
 * says whether the reader at `at` has made its first `seq` load of the slot it reads.
 */
export function markSeqCopies(c: CounterCtx, s: Uint8Array, index: number, readerPcPast: (s: Uint8Array, at: number) => boolean): void {
  if (!c.markCopies) return;
  for (let r = 0; r < c.L.readers; r++) {
    const at = c.L.reader + r * READER_FIELDS;
    if (readerPcPast(s, at) && s[at + READER.index] === index) s[at + READER.seq1] = STALE;
  }
}

export function markGenCopies(c: CounterCtx, s: Uint8Array, index: number): void {
  if (!c.markCopies) return;
  for (let r = 0; r < c.L.readers; r++) {
    const at = c.L.reader + r * READER_FIELDS;
    if (s[at + READER.cacheOwner] !== 0 && s[at + READER.cacheIndex] === index) s[at + READER.cacheGen] = STALE;
  }
}

/** Whether the counters of a configuration only ever grow (see above). */
export function countersMonotone(knobs: { readonly writers: string; readonly pageReclaim: string }): boolean {
  return knobs.writers === 'single' && knobs.pageReclaim === 'never';
}

/** Why a configuration with an unbounded budget falls outside the class above, or null. */
export function unboundedProblem(knobs: {
  readonly writers: string;
  readonly pageReclaim: string;
  readonly indexReuse: string;
}): { field: string; expected: string } | null {
  const why = 'with an unbounded budget (the counters are then kept in a finite form that is exact only while they never go back)';
  if (knobs.writers !== 'single') return { field: 'writers', expected: `"single" ${why}` };
  if (knobs.pageReclaim !== 'never') return { field: 'pageReclaim', expected: `"never" ${why}` };
  if (knobs.indexReuse !== 'after-grace') return { field: 'indexReuse', expected: `"after-grace" ${why}` };
  return null;
}
