/**
 * The slot allocator: which free index a create takes (indexPolicy), how a freed index returns, and
 * what happens to a page whose slots are all free (pageReclaim). Its state is touched only under
 * the allocator lock.
 */
import { SLOT_FREE } from './codes.js';
import { VIEW_UNMAPPED, VIEW_ZERO } from './vocabulary.js';
import { type Ctx, pageOf, slotAt } from './context.js';
import { nextEpoch } from './counters.js';
import { GLOBAL, PAGE, PAGE_FIELDS, SLOT, SLOT_FIELDS } from './layout.js';

/** Takes a free index by policy and marks it allocated to `owner`; -1 when every slot is in use. */
export function takeIndex(c: Ctx, s: Uint8Array, owner: number): number {
  const i = chooseIndex(c, s);
  if (i < 0) return i;
  const slot = slotAt(c, i);
  s[slot + SLOT.alloc] = owner + 1;
  s[slot + SLOT.epoch] = nextEpoch(c, s[slot + SLOT.epoch]);
  return i;
}

function chooseIndex(c: Ctx, s: Uint8Array): number {
  const n = c.L.slots;
  const g = c.L.global;
  const isFree = (i: number): boolean => s[slotAt(c, i) + SLOT.alloc] === SLOT_FREE;
  switch (c.policy) {
    case 'lowest':
      for (let i = 0; i < n; i++) if (isFree(i)) return i;
      return -1;
    case 'cyclic': {
      const start = s[g + GLOBAL.allocCursor];
      for (let d = 0; d < n; d++) {
        const i = (start + d) % n;
        if (isFree(i)) {
          s[g + GLOBAL.allocCursor] = (i + 1) % n;
          return i;
        }
      }
      return -1;
    }
    case 'lifo': {
      const top = s[g + GLOBAL.freeTop];
      if (top > 0) {
        const i = s[c.L.freeStack + top - 1];
        s[c.L.freeStack + top - 1] = 0;
        s[g + GLOBAL.freeTop] = top - 1;
        return i;
      }
      const fresh = s[g + GLOBAL.highWater];
      if (fresh >= n) return -1;
      s[g + GLOBAL.highWater] = fresh + 1;
      return fresh;
    }
  }
}

/** Returns `index` to the allocator, and reclaims its page if that left the page empty. */
export function releaseIndex(c: Ctx, s: Uint8Array, index: number): void {
  s[slotAt(c, index) + SLOT.alloc] = SLOT_FREE;
  if (c.lifo) {
    const top = s[c.L.global + GLOBAL.freeTop];
    s[c.L.freeStack + top] = index;
    s[c.L.global + GLOBAL.freeTop] = top + 1;
  }
  if (c.reclaim !== 'never') reclaimIfEmpty(c, s, pageOf(c, index));
}

function reclaimIfEmpty(c: Ctx, s: Uint8Array, page: number): void {
  const first = page * c.slotsPerPage;
  for (let i = first; i < first + c.slotsPerPage; i++) if (s[slotAt(c, i) + SLOT.alloc] !== SLOT_FREE) return;
  const at = c.L.page + page * PAGE_FIELDS;
  s[at + PAGE.kernel] = 0;
  s[at + PAGE.view] = c.reclaim === 'zero-page' ? VIEW_ZERO : VIEW_UNMAPPED;
}

/**
 * Makes the page a chosen index lies in present in the kernel. A page allocated for growth or again
 * after reclaim is zeroed (precision 3): whatever a late writer stored into the freed page is gone.
 * The allocator's own records (alloc, epoch) are not page memory.
 */
export function ensurePage(c: Ctx, s: Uint8Array, index: number): void {
  const page = pageOf(c, index);
  const at = c.L.page + page * PAGE_FIELDS + PAGE.kernel;
  if (s[at] !== 0) return;
  s[at] = 1;
  for (let i = page * c.slotsPerPage; i < (page + 1) * c.slotsPerPage; i++) {
    const slot = slotAt(c, i);
    s.fill(0, slot + SLOT.seq, slot + SLOT_FIELDS);
  }
}
