/**
 * The slot allocator, run only under the allocator lock: which free index a create takes
 * (indexPolicy), how a freed index returns, and what happens to a page left with no slot in use
 * (pageReclaim). A page allocated for growth, or again after reclaim, is zeroed.
 */
import {
  G_ALLOC_CURSOR,
  G_FREE_TOP,
  G_HIGH_WATER,
  SLOT_FREE,
  SLOT_WORDS,
  type SharedMemory,
} from './memory.js';
import type { Behaviour } from '../../spec/variant.js';
import { VIEW_UNMAPPED, VIEW_ZERO } from '../../spec/vocabulary.js';

export function pageOf(m: SharedMemory, index: number): number {
  return Math.floor(index / m.shape.slotsPerPage);
}

function isFree(m: SharedMemory, i: number): boolean {
  return m.load(m.at.slotAlloc + i) === SLOT_FREE;
}

/** Hands a free index to owner record `o` and starts a new element there (epoch + 1); -1 when full. */
export function takeIndex(v: Behaviour, m: SharedMemory, o: number): number {
  const i = chooseIndex(v, m);
  if (i < 0) return i;
  m.store(m.at.slotAlloc + i, o + 1);
  m.store(m.at.slotEpoch + i, m.load(m.at.slotEpoch + i) + 1);
  return i;
}

function chooseIndex(v: Behaviour, m: SharedMemory): number {
  const n = m.shape.slots;
  switch (v.policy) {
    case 'lowest':
      for (let i = 0; i < n; i++) if (isFree(m, i)) return i;
      return -1;
    case 'cyclic': {
      const start = m.load(G_ALLOC_CURSOR);
      for (let d = 0; d < n; d++) {
        const i = (start + d) % n;
        if (!isFree(m, i)) continue;
        m.store(G_ALLOC_CURSOR, (i + 1) % n);
        return i;
      }
      return -1;
    }
    case 'lifo': {
      const top = m.load(G_FREE_TOP);
      if (top > 0) {
        m.store(G_FREE_TOP, top - 1);
        return m.load(m.at.freeStack + top - 1);
      }
      const fresh = m.load(G_HIGH_WATER);
      if (fresh >= n) return -1;
      m.store(G_HIGH_WATER, fresh + 1);
      return fresh;
    }
  }
}

/** Returns `index` to the allocator; reclaims its page if that left the page with no slot in use. */
export function releaseIndex(v: Behaviour, m: SharedMemory, index: number): void {
  m.store(m.at.slotAlloc + index, SLOT_FREE);
  m.store(m.at.slotReturns + index, m.load(m.at.slotReturns + index) + 1);
  if (v.policy === 'lifo') {
    const top = m.load(G_FREE_TOP);
    m.store(m.at.freeStack + top, index);
    m.store(G_FREE_TOP, top + 1);
  }
  if (v.reclaim !== 'never') reclaimIfEmpty(v, m, pageOf(m, index));
}

function reclaimIfEmpty(v: Behaviour, m: SharedMemory, page: number): void {
  const spp = m.shape.slotsPerPage;
  for (let i = page * spp; i < (page + 1) * spp; i++) if (!isFree(m, i)) return;
  m.store(m.at.pageKernel + page, 0);
  m.store(m.at.pageView + page, v.reclaim === 'zero-page' ? VIEW_ZERO : VIEW_UNMAPPED);
}

/** Makes the page of `index` present: the mapping grows to cover it, and its memory is zeroed. */
export function ensurePage(m: SharedMemory, index: number): void {
  const page = pageOf(m, index);
  if (m.load(m.at.pageKernel + page) !== 0) return;
  m.growTo(page);
  const spp = m.shape.slotsPerPage;
  for (let w = page * spp * SLOT_WORDS; w < (page + 1) * spp * SLOT_WORDS; w++) Atomics.store(m.slots, w, 0);
  m.store(m.at.pageKernel + page, 1);
}
