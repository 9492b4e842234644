/** Codes only the spec's packed state uses: a slot's allocator record and a reader's flags. */

export const SLOT_FREE = 0;
/** `alloc` value of a destroyed slot waiting for its grace period; owners use 1..owners. */
export const pendingCode = (owners: number): number => owners + 1;

export const RF_SCAN = 1;
export const RF_UID_MISMATCH = 2;
export const RF_GEN_MISMATCH = 4;
/** Ghost: one of the read's loads found the slot empty (uid 0) or never initialised (gen 0). */
export const RF_SAW_EMPTY = 8;
export const RF_TORN = 16;
/** Ghost: a word the read loaded was not written for the read's target (another owner's, or nobody's). */
export const RF_STALE = 32;
/** Ghost: a word the read loaded was written for another owner (RF_STALE holds too). */
export const RF_FOREIGN = 64;
