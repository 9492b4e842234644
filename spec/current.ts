/**
 * The ghost "current value" of each owner (design.md precision 5) and the record each reader keeps
 * of the values that were current while its read was under way, which `linearizable-read` judges.
 */
import { type Ctx, ownerAt } from './context.js';
import { OWNER, READER, READER_FIELDS } from './layout.js';

/**
 * The element at `index` gets current value `current` (1 + value), or stops having one (0) when its
 * clear begins. A late write to an element that is no longer the owner's current one changes nothing.
 */
export function setCurrent(c: Ctx, s: Uint8Array, owner: number, index: number, current: number): void {
  const at = ownerAt(c, owner);
  if (s[at + OWNER.element] !== index + 1) return;
  s[at + OWNER.current] = current;
  if (current === 0) {
    s[at + OWNER.element] = 0;
    return;
  }
  for (let r = 0; r < c.L.readers; r++) {
    const at = c.L.reader + r * READER_FIELDS;
    if (s[at + READER.pc] !== 0 && s[at + READER.target] === owner + 1) s[at + READER.seen] |= 1 << (current - 1);
  }
}

/** Create's initialisation ends: the new element is the owner's, with value zero. */
export function becomeCurrent(c: Ctx, s: Uint8Array, owner: number, index: number): void {
  s[ownerAt(c, owner) + OWNER.element] = index + 1;
  setCurrent(c, s, owner, index, 1);
}

/** The values current for `owner` right now, as a reader's `seen` bits. */
export function currentBits(c: Ctx, s: Uint8Array, owner: number): number {
  const current = s[ownerAt(c, owner) + OWNER.current];
  return current === 0 ? 0 : 1 << (current - 1);
}
