/**
 * The shared memory of the reference implementation. Two SharedArrayBuffers, both read and written
 * only through Atomics:
 * - the mapping: the slots, one 32-byte element each, `slotsPerPage` to a page. It is growable with
 *   `maxByteLength` = every page the map may ever have, the closest Node has to reserving address
 *   space: a page past its current length does not exist, and touching it is a real RangeError.
 * - the control block: what user space may read (the published size, and each page's user view, the
 *   page table of the emulated MMU) and what only the kernel touches (allocator, owner table,
 *   per-element writer locks, the RCU read-side markers of kernel contexts).
 * Workers receive both buffers and the map's configuration and attach to them.
 */
import type { Config } from '../../spec/knobs.js';

export const SLOT_WORDS = 8;
export const SLOT_BYTES = SLOT_WORDS * 4;
/** Words of a slot; the last three are padding so that an element is 32 bytes. */
export const SEQ = 0;
export const IDENT = 1;
export const GEN = 2;
export const WORD1 = 3;
export const WORD2 = 4;


export const G_ALLOC_LOCK = 0;
export const G_ALLOC_CURSOR = 1;
export const G_PUBLISHED_SIZE = 2;
export const G_PID_CURSOR = 3;
export const G_FREE_TOP = 4;
export const G_HIGH_WATER = 5;
export const G_NEXT_UID = 6;
export const G_PID_LOCK = 7;
const GLOBAL_WORDS = 8;

/** Owner record: a task or cgroup as the kernel's tables know it. */
export const O_UID = 0;
export const O_PHASE = 1;
export const O_PID = 2;
export const O_LINK = 3; // the owner->index table: index + 1, 0 when unlinked
export const O_REFS = 4;
export const O_CREATING = 5;
export const O_LOCK = 6; // guards the record's multi-word updates against other threads
export const O_HELD = 7; // the free path's element: index + 1 from the unlink to the end of its destroy, 0 otherwise
export const OWNER_WORDS = 8;

/** Slot allocator record: FREE, PENDING (waiting for a grace period), or the owner record + 1. */
export const SLOT_FREE = 0;
export const SLOT_PENDING = -1;

/**
 * Per-element writer locks (writers=single), keyed by index and allocation epoch: a late writer of
 * a slot's previous element and the new element's initialisation are different elements and do
 * not exclude each other. Four epochs per slot are far more than can be live at once.
 */
export const EPOCH_WAYS = 4;

/** RCU-style read-side marker of a kernel context: 0 outside, index + 1 inside an update, -1 while it looks the index up. */
export const RCU_IDLE = 0;
export const RCU_LOOKING = -1;

export interface Shape {
  readonly slotsPerPage: number;
  readonly maxPages: number;
  readonly slots: number;
  readonly owners: number;
  readonly kernels: number;
}

export interface Offsets {
  readonly freeStack: number;
  readonly pageKernel: number;
  readonly pageView: number;
  readonly slotAlloc: number;
  readonly slotEpoch: number;
  /** Per slot, how many times its index came back to the allocator: with the epoch, a return is counted once. */
  readonly slotReturns: number;
  readonly elementLock: number;
  readonly owner: number;
  readonly rcu: number;
  /**
   * Per kernel context, the element it works on (index + 1, 0: none): what a context keeps in a
   * register, kept in the control block so that replay can compare it with the spec's.
   */
  readonly held: number;
  readonly words: number;
}

export function offsetsOf(shape: Shape): Offsets {
  const freeStack = GLOBAL_WORDS;
  const pageKernel = freeStack + shape.slots;
  const pageView = pageKernel + shape.maxPages;
  const slotAlloc = pageView + shape.maxPages;
  const slotEpoch = slotAlloc + shape.slots;
  const slotReturns = slotEpoch + shape.slots;
  const elementLock = slotReturns + shape.slots;
  const owner = elementLock + shape.slots * EPOCH_WAYS;
  const rcu = owner + shape.owners * OWNER_WORDS;
  const held = rcu + shape.kernels;
  return { freeStack, pageKernel, pageView, slotAlloc, slotEpoch, slotReturns, elementLock, owner, rcu, held, words: held + shape.kernels };
}

/** What a worker needs to attach to a map: its buffers and its configuration. */
export interface SharedMapHandle {
  readonly config: Config;
  readonly shape: Shape;
  readonly mapping: SharedArrayBuffer;
  readonly control: SharedArrayBuffer;
}

export class SharedMemory {
  readonly mapping: SharedArrayBuffer;
  readonly control: SharedArrayBuffer;
  /** Length-tracking: it sees the mapping as it grows. */
  readonly slots: Int32Array;
  readonly ctl: Int32Array;
  readonly at: Offsets;
  readonly pageBytes: number;

  constructor(readonly shape: Shape, buffers?: { mapping: SharedArrayBuffer; control: SharedArrayBuffer }) {
    this.at = offsetsOf(shape);
    this.pageBytes = shape.slotsPerPage * SLOT_BYTES;
    this.mapping = buffers?.mapping ?? new SharedArrayBuffer(0, { maxByteLength: shape.maxPages * this.pageBytes });
    this.control = buffers?.control ?? new SharedArrayBuffer(this.at.words * 4);
    this.slots = new Int32Array(this.mapping);
    this.ctl = new Int32Array(this.control);
  }

  /** Extends the mapping to cover `page` (growth never shrinks; the reservation caps it). */
  growTo(page: number): void {
    const need = (page + 1) * this.pageBytes;
    if (this.mapping.byteLength < need) this.mapping.grow(need);
  }

  load(word: number): number {
    return Atomics.load(this.ctl, word);
  }

  store(word: number, value: number): void {
    Atomics.store(this.ctl, word, value);
  }

  slotWord(index: number, field: number): number {
    return index * SLOT_WORDS + field;
  }
}
