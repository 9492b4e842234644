/**
 * Where each variable of the design's state lives in the packed state: one byte per field, grouped
 * per page, slot, owner, kernel context and reader. Owners are A, B, C...; an owner's uid is its
 * number + 1 (uids are never reused, 0 means "no owner"); a pid number p is stored as p + 1.
 */
import type { Config } from './knobs.js';

/** Slot fields (design.md section 4): allocator state, writer exclusion, seq, uid/pid, gen, value words. */
export const SLOT = {
  alloc: 0, // FREE, owner + 1 (allocated to that owner), or PENDING (waiting for a grace period)
  epoch: 1, // allocator: how many times the slot was handed out; (index, epoch) names an element
  seq: 2,
  ident: 3, // uid, or pid number + 1, of the slot's owner; 0 when empty
  gen: 4,
  w1: 5,
  w1For: 6, // ghost: owner + 1 the word was written for (0: nobody)
  w2: 7,
  w2For: 8,
  current: 9, // ghost: 1 + the element's current value from its initialisation to its clear (precision 5); 0 otherwise
} as const;
export const SLOT_FIELDS = 10;

export const OWNER = {
  phase: 0,
  pid: 1, // pid number + 1 held (or last held) by a task; 0 before spawn and for cgroups
  link: 2, // the owner->index table: index + 1, 0 when unlinked
  refs: 3, // creates holding a reference on the owner (precision 6)
  creating: 4, // createRace=locked: a create for this owner is in flight
  pc: 5, // the free path's destroy steps run as the owner's own actor
  index: 6,
  epoch: 7,
  loaded: 8,
} as const;
export const OWNER_FIELDS = 9;

export const KERNEL = {
  pc: 0,
  owner: 1,
  value: 2,
  index: 3,
  epoch: 4, // with index, the element the context holds
  loaded: 5, // writers=plain-seq: 1 + the seq value loaded by the first half of a bump
  ops: 6,
} as const;
export const KERNEL_FIELDS = 7;

export const READER = {
  pc: 0,
  ops: 1,
  cacheOwner: 2, // owner + 1 the cached answer is for; 0: nothing cached
  cacheIndex: 3,
  cacheIdent: 4,
  cacheGen: 5, // STALE once a bump made it older than the slot's gen (abstract counters only)
  target: 6, // owner + 1 the current operation reads for (learned from the slot on a scan)
  index: 7,
  retries: 8,
  flags: 9,
  w1: 10,
  w1For: 11, // ghost: owner + 1 word 1 was written for
  w2: 12,
  seq1: 13, // the first seq load, compared with the second by value (see spec/counters.ts)
  seen: 14, // ghost: bit v set when value v was current for the target's element in this slot during the read
} as const;
export const READER_FIELDS = 15;

export const PAGE = {
  kernel: 0, // 0 absent, 1 present
  view: 1, // what user space sees: VIEW_*
} as const;
export const PAGE_FIELDS = 2;

export const GLOBAL = {
  allocLock: 0,
  allocCursor: 1, // indexPolicy=cyclic: where the next search starts
  publishedSize: 2, // in slots
  pidCursor: 3, // pid numbers are handed out cyclically (idr_alloc_cyclic)
  freeTop: 4, // indexPolicy=lifo: entries on the free stack
  highWater: 5, // indexPolicy=lifo: indices below this have been handed out before
} as const;
export const GLOBAL_FIELDS = 6;

export interface Layout {
  readonly owners: number;
  readonly slots: number;
  readonly pages: number;
  readonly kernels: number;
  readonly readers: number;
  readonly global: number;
  readonly freeStack: number;
  readonly page: number;
  readonly slot: number;
  readonly owner: number;
  readonly kernel: number;
  readonly reader: number;
  /**
   * Test generation only (SpecOptions.history): one byte for the lone kernel context and one for
   * the lone reader, the last operation each finished, and one for what the reader's scan carried
   * over a retry (spec/history.ts). No check keeps them.
   */
  readonly history: number;
  readonly bytes: number;
}

export function layoutOf(config: Config, history = false): Layout {
  const b = config.bounds;
  const num = (v: number | string): number => (typeof v === 'number' ? v : 0);
  const owners = num(b.owners);
  const pages = num(b.maxPages);
  const slots = num(b.slotsPerPage) * pages;
  const kernels = num(b.kernelContexts);
  const readers = num(b.readers);
  const global = 0;
  const freeStack = global + GLOBAL_FIELDS;
  const page = freeStack + (config.knobs.indexPolicy === 'lifo' ? slots : 0);
  const slot = page + pages * PAGE_FIELDS;
  const owner = slot + slots * SLOT_FIELDS;
  const kernel = owner + owners * OWNER_FIELDS;
  const reader = kernel + kernels * KERNEL_FIELDS;
  const end = reader + readers * READER_FIELDS;
  const bytes = (end + (history ? 3 : 0) + 3) & ~3;
  return { owners, slots, pages, kernels, readers, global, freeStack, page, slot, owner, kernel, reader, history: end, bytes };
}
