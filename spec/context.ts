/**
 * What every step needs: the resolved knobs as flags, the layout, and two scratch results of the
 * step being taken (the step invariants it broke and what it returned). The scratch is written by
 * each step and read right after it; it is never part of a state.
 */
import type { Config } from './knobs.js';
import { type Behaviour, behaviourOf } from './variant.js';
import { UNBOUNDED } from './knobs.js';
import { KERNEL, KERNEL_FIELDS, OWNER, OWNER_FIELDS, READER, READER_FIELDS, SLOT, SLOT_FIELDS, type Layout, layoutOf } from './layout.js';
import { pendingCode } from './codes.js';
import { type Counters, countersMonotone, markGenCopies, nextGen } from './counters.js';

export interface Ctx extends Behaviour {
  readonly config: Config;
  readonly L: Layout;
  readonly lifo: boolean;
  /** Operations per actor; -1 for unbounded (not counted). */
  readonly kernelOps: number;
  readonly readerOps: number;
  readonly values: number;
  readonly slotsPerPage: number;
  readonly pending: number;
  /** How seq, gen and the epoch are kept: literally, or in the finite form of spec/counters.ts. */
  readonly counters: Counters;
  readonly markCopies: boolean;
  /** The literal twin: no reduction of counters or copies, allocator work unfolded, caches kept. */
  readonly literal: boolean;
  /** SpecOptions.history. */
  readonly history: boolean;

  bad: number;
  outKind: number;
  outA: number;
  outB: number;
  outC: number;
}

export interface SpecOptions {
  /**
   * The literal twin: every counter and copy kept as the design keeps it, the allocator's locked
   * work one step per load or store, nothing forgotten. Too slow for real bounds; the tests hold the
   * fast spec's verdicts to its.
   */
  readonly literal?: boolean;
  /** Forces the finite form of the counters on a bounded configuration of the monotone class (tests compare the two). */
  readonly counters?: Counters;
  /**
   * Test generation: the state also keeps the last operation the lone kernel context and the lone
   * reader finished (spec/history.ts), so that states differing only in it are explored apart.
   */
  readonly history?: boolean;
  /** Searches reader-progress for a lasso even where a retry bound decides it (tests hold the reason to the search). */
  readonly searchLiveness?: boolean;
}

export function makeCtx(config: Config, options: SpecOptions = {}): Ctx {
  const k = config.knobs;
  const b = config.bounds;
  if ((options.literal === true && (b.kernelOps === UNBOUNDED || b.readerOps === UNBOUNDED)) || (options.counters === 'abstract' && !countersMonotone(k)))
    throw new Error('spec options: the literal twin needs bounded budgets, and abstract counters need monotone ones');
  const count = (v: number | string): number => (v === UNBOUNDED ? -1 : (v as number));
  const unbounded = b.kernelOps === UNBOUNDED || b.readerOps === UNBOUNDED;
  const L = layoutOf(config, options.history === true);
  const behaviour = behaviourOf(config);
  return {
    ...behaviour,
    config,
    L,
    lifo: behaviour.policy === 'lifo',
    kernelOps: count(b.kernelOps),
    readerOps: count(b.readerOps),
    values: b.values as number,
    slotsPerPage: b.slotsPerPage as number,
    pending: pendingCode(L.owners),
    counters: options.counters ?? (unbounded ? 'abstract' : 'literal'),
    markCopies: options.literal !== true && countersMonotone(k),
    literal: options.literal === true,
    history: options.history === true,
    bad: 0,
    outKind: 0,
    outA: 0,
    outB: 0,
    outC: 0,
  };
}

export const slotAt = (c: Ctx, index: number): number => c.L.slot + index * SLOT_FIELDS;
export const ownerAt = (c: Ctx, owner: number): number => c.L.owner + owner * OWNER_FIELDS;
export const kernelAt = (c: Ctx, k: number): number => c.L.kernel + k * KERNEL_FIELDS;
export const readerAt = (c: Ctx, r: number): number => c.L.reader + r * READER_FIELDS;

/** No kernel context, reader or owner free path is in the middle of an operation. */
export function allActorsIdle(c: Ctx, s: Uint8Array): boolean {
  for (let k = 0; k < c.L.kernels; k++) if (s[kernelAt(c, k) + KERNEL.pc] !== 0) return false;
  for (let r = 0; r < c.L.readers; r++) if (s[readerAt(c, r) + READER.pc] !== 0) return false;
  for (let o = 0; o < c.L.owners; o++) if (s[ownerAt(c, o) + OWNER.pc] !== 0) return false;
  return true;
}

export const pageOf = (c: Ctx, index: number): number => Math.floor(index / c.slotsPerPage);

export function bumpGen(c: Ctx, s: Uint8Array, index: number): void {
  const at = slotAt(c, index) + SLOT.gen;
  s[at] = nextGen(c, s[at]);
  markGenCopies(c, s, index);
}

/** The identity a slot records and lookups are keyed by: uid = owner + 1, or pid number + 1. */
export function identOf(c: Ctx, s: Uint8Array, owner: number): number {
  return c.byUid ? owner + 1 : s[ownerAt(c, owner) + OWNER.pid];
}

/** What a step function returns when it took its step; NOT_ENABLED and MUST_WAIT when it did not. */
export const TAKEN = 0;
export { MUST_WAIT, NOT_ENABLED } from '../checker/spec.js';

export function result(c: Ctx, kind: number, a = 0, b = 0, d = 0): void {
  c.outKind = kind;
  c.outA = a;
  c.outB = b;
  c.outC = d;
}
