/**
 * The invariants of design.md section 6, by their stable names. Bit i of a violation mask is
 * INVARIANTS[i]. `step` invariants are judged on the transition that breaks them (a reader accepting
 * a value, a store, a fault); `state` invariants on every reachable state.
 */
import { SLOT_FREE } from './codes.js';
import { FREED, VIEW_MAPPED } from './vocabulary.js';
import { allActorsIdle, type Ctx, ownerAt, pageOf, slotAt } from './context.js';
import { OWNER, PAGE, PAGE_FIELDS, SLOT, GLOBAL } from './layout.js';

export const INVARIANTS = [
  { name: 'unique-slot', kind: 'state', about: 'no two linked elements share an index' },
  { name: 'no-stale-read', kind: 'step', about: 'a reader never accepts a value that was not written for the owner it asked about' },
  {
    name: 'no-foreign-read',
    kind: 'step',
    about: "a reader never accepts a value written for another owner (no-stale-read less the words nobody wrote: zeroed or never written)",
  },
  { name: 'no-torn-read', kind: 'step', about: "an accepted value's two words come from the same update" },
  { name: 'linearizable-read', kind: 'step', about: "an accepted value was the owner's current value at some moment of the read" },
  { name: 'no-fault', kind: 'step', about: 'a reader never touches an unmapped page' },
  { name: 'covered', kind: 'state', about: 'every linked index lies in the part of the mapping that readers may touch' },
  { name: 'zero-is-empty', kind: 'step', about: 'a zero or never-written slot never validates as a live element' },
  { name: 'no-leak', kind: 'state', about: 'once every owner is freed, every slot is free and pages stay within the bound' },
  { name: 'no-create-after-free', kind: 'step', about: 'no element is created for an owner already freed' },
  { name: 'no-write-after-reuse', kind: 'step', about: 'a kernel context never writes into a slot reallocated to another owner' },
] as const;

export const LIVENESS = [
  {
    name: 'reader-progress',
    about: 'every read ends with an observation: no reader retries for ever, even under a kernel context that keeps updating',
  },
] as const;

export type InvariantName = (typeof INVARIANTS)[number]['name'] | (typeof LIVENESS)[number]['name'];

/** Whether a checked property is a liveness one (a counterexample is a lasso, not a shortest path). */
export const isLiveness = (name: string): boolean => LIVENESS.some((l) => l.name === name);
export const INVARIANT_NAMES: readonly InvariantName[] = [...INVARIANTS.map((i) => i.name), ...LIVENESS.map((l) => l.name)];

const bit = (name: (typeof INVARIANTS)[number]['name']): number => 1 << INVARIANTS.findIndex((i) => i.name === name);

export const UNIQUE_SLOT = bit('unique-slot');
export const NO_STALE_READ = bit('no-stale-read');
export const NO_FOREIGN_READ = bit('no-foreign-read');
export const NO_TORN_READ = bit('no-torn-read');
export const LINEARIZABLE_READ = bit('linearizable-read');
export const NO_FAULT = bit('no-fault');
export const COVERED = bit('covered');
export const ZERO_IS_EMPTY = bit('zero-is-empty');
export const NO_LEAK = bit('no-leak');
export const NO_CREATE_AFTER_FREE = bit('no-create-after-free');
export const NO_WRITE_AFTER_REUSE = bit('no-write-after-reuse');

/** The state invariants `state` breaks, among those in `mask`. */
export function stateViolations(c: Ctx, s: Uint8Array, mask: number): number {
  let bad = 0;
  if ((mask & UNIQUE_SLOT) !== 0 && !uniqueSlot(c, s)) bad |= UNIQUE_SLOT;
  if ((mask & COVERED) !== 0 && !covered(c, s)) bad |= COVERED;
  if ((mask & NO_LEAK) !== 0 && !noLeak(c, s)) bad |= NO_LEAK;
  return bad;
}

function uniqueSlot(c: Ctx, s: Uint8Array): boolean {
  for (let a = 0; a < c.L.owners; a++) {
    const la = s[ownerAt(c, a) + OWNER.link];
    if (la === 0) continue;
    for (let b = a + 1; b < c.L.owners; b++) if (s[ownerAt(c, b) + OWNER.link] === la) return false;
  }
  return true;
}

function covered(c: Ctx, s: Uint8Array): boolean {
  for (let o = 0; o < c.L.owners; o++) {
    const link = s[ownerAt(c, o) + OWNER.link];
    if (link === 0) continue;
    const index = link - 1;
    if (s[c.L.page + pageOf(c, index) * PAGE_FIELDS + PAGE.view] !== VIEW_MAPPED) return false;
    if (c.publishedSize && index >= s[c.L.global + GLOBAL.publishedSize]) return false;
  }
  return true;
}

/**
 * Judged only once the system is quiescent: every owner freed and every actor idle. Pages cannot
 * exceed maxPages in the model (a create that needs another page fails with ENOMEM), so the slots
 * are what can leak.
 */
function noLeak(c: Ctx, s: Uint8Array): boolean {
  const L = c.L;
  for (let o = 0; o < L.owners; o++) if (s[ownerAt(c, o) + OWNER.phase] !== FREED) return true;
  if (!allActorsIdle(c, s)) return true;
  for (let i = 0; i < L.slots; i++) {
    const alloc = s[slotAt(c, i) + SLOT.alloc];
    // A slot waiting for its grace period is on its way back; the grace step is still to come.
    if (alloc !== SLOT_FREE && alloc !== c.pending) return false;
  }
  return true;
}
