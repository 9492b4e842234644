/**
 * The ghost "current value" of each element (design.md precision 5): zero once create's
 * initialisation ends, then the value of each completed update, until destroy's clear begins. Each
 * reader keeps the values that were current for its target's element in the slot it is reading,
 * which `linearizable-read` judges. An owner whose old element waits for its clear while a new one
 * exists has two current values for that while, one per element, as precision 5 reads.
 */
import { type Ctx, readerAt, slotAt } from './context.js';
import { READER, SLOT } from './layout.js';

/** Slot `index` gets current value `current` (1 + value), or none (0) when its clear begins. */
export function setCurrent(c: Ctx, s: Uint8Array, index: number, current: number): void {
  const slot = slotAt(c, index);
  s[slot + SLOT.current] = current;
  if (current === 0) return;
  const owner = s[slot + SLOT.alloc];
  for (let r = 0; r < c.L.readers; r++) {
    const at = readerAt(c, r);
    if (s[at + READER.pc] !== 0 && s[at + READER.index] === index && s[at + READER.target] === owner) s[at + READER.seen] |= 1 << (current - 1);
  }
}

/** An update completes: its value becomes current if the element is still live and still the writer's. */
export function completeUpdate(c: Ctx, s: Uint8Array, index: number, owner: number, value: number): void {
  const slot = slotAt(c, index);
  if (s[slot + SLOT.current] !== 0 && s[slot + SLOT.alloc] === owner + 1) setCurrent(c, s, index, 1 + value);
}

/** The values current for `owner`'s element in slot `index` right now, as a reader's `seen` bits. */
export function currentBits(c: Ctx, s: Uint8Array, index: number, owner: number): number {
  const slot = slotAt(c, index);
  const current = s[slot + SLOT.current];
  return current === 0 || s[slot + SLOT.alloc] !== owner + 1 ? 0 : 1 << (current - 1);
}
