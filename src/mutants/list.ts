/**
 * The mutations `npm run mutants` applies to the reference implementation's source, one at a time:
 * one per hazard of design.md section 7 that is a code change (the bug written into the reference
 * design's code path, not chosen by a knob), plus off-by-one and ordering slips. Each is a literal
 * replacement that must match exactly once.
 */

export interface Mutant {
  readonly id: string;
  /** The hazard of design.md section 7 this mutation writes into the code, if any. */
  readonly hazard: number | null;
  readonly about: string;
  /** A file of src/reference/. */
  readonly file: string;
  readonly edits: readonly { readonly find: string; readonly replace: string }[];
}

export const MUTANTS: readonly Mutant[] = [
  {
    id: 'M01-cached-uid-unchecked',
    hazard: 1,
    about: 'a read of a cached index does not compare the uid it loads with the cached one',
    file: 'reader.ts',
    edits: [{ find: '} else if (cache !== null && ident !== cache.ident) {', replace: '} else if (false) {' }],
  },
  {
    id: 'M02-slot-records-pid',
    hazard: 2,
    about: 'a slot records the reusable pid number even when the identity is the uid',
    file: 'kernel.ts',
    edits: [{ find: 'return this.v.byUid ? this.owner(o, O_UID) : this.owner(o, O_PID);', replace: 'return this.owner(o, O_PID);' }],
  },
  {
    id: 'M03-link-before-init',
    hazard: 3,
    about: 'create links owner->index before it initialises the slot, whatever linkOrder says',
    file: 'kernel.ts',
    edits: [
      { find: 'if (!v.linkAfterInit) {', replace: 'if (true) {' },
      { find: "if (v.linkAfterInit) {\n      yield 'create.link';", replace: "if (false) {\n      yield 'create.link';" },
    ],
  },
  {
    id: 'M04-publish-before-page',
    hazard: 4,
    about: 'create publishes the new size before it maps the page, whatever publishOrder says',
    file: 'kernel.ts',
    edits: [{ find: "v.publishAfterPage ? (['map', 'publish'] as const) : (['publish', 'map'] as const)", replace: "(['publish', 'map'] as const)" }],
  },
  {
    id: 'M05-no-size-check',
    hazard: 5,
    about: 'a read of a cached index does not check it against the published size',
    file: 'reader.ts',
    edits: [{ find: 'if (!scan && v.publishedSize) {', replace: 'if (false) {' }],
  },
  {
    id: 'M06-seq-not-compared',
    hazard: 6,
    about: 'a reader checks only that the second seq is even, not that it is unchanged',
    file: 'reader.ts',
    edits: [{ find: 'if ((seq2 & 1) !== 0 || seq2 !== seq1) {', replace: 'if ((seq2 & 1) !== 0) {' }],
  },
  {
    id: 'M07-no-writer-exclusion',
    hazard: 7,
    about: "writers do not take the element's writer lock before opening the odd-seq window",
    file: 'kernel.ts',
    edits: [{ find: 'while (!tryLock(this.m.ctl, this.lockWord(index, epoch))) yield BLOCKED;', replace: 'tryLock(this.m.ctl, this.lockWord(index, epoch));' }],
  },
  {
    id: 'M08-reuse-before-grace',
    hazard: 8,
    about: 'destroy returns the index to the allocator at once, without waiting for a grace period',
    file: 'kernel.ts',
    edits: [{ find: 'if (this.v.reuseAfterGrace) {', replace: 'if (false) {' }],
  },
  {
    id: 'M09-reclaim-always',
    hazard: 9,
    about: 'a page whose slots are all free is reclaimed even when pageReclaim is never',
    file: 'allocator.ts',
    edits: [{ find: "if (v.reclaim !== 'never') reclaimIfEmpty", replace: 'reclaimIfEmpty' }],
  },
  {
    id: 'M10-no-create-guard',
    hazard: 10,
    about: 'create does not refuse an owner that is dying or freed',
    file: 'kernel.ts',
    edits: [{ find: 'if (v.createGuard && phase !== ALIVE)', replace: 'if (false)' }],
  },
  {
    id: 'M11-no-zero-on-create',
    hazard: 11,
    about: "create's initialisation does not zero the value words",
    file: 'kernel.ts',
    edits: [{ find: "if (v.zeroOnRecycle) {\n      yield 'create.zero-word1';", replace: "if (false) {\n      yield 'create.zero-word1';" }],
  },
  {
    id: 'M12-creates-not-serialised',
    hazard: 12,
    about: 'two creates for one owner are not serialised',
    file: 'kernel.ts',
    edits: [{ find: 'if (!v.createLocked || this.owner(o, O_CREATING) === 0) break;', replace: 'break;' }],
  },
  {
    id: 'M13-retry-for-ever',
    hazard: 13,
    about: 'a reader never gives up: the retry bound is not checked',
    file: 'reader.ts',
    edits: [{ find: 'if (retries >= v.retryBound)', replace: 'if (false)' }],
  },
  {
    id: 'M14-size-one-page-short',
    hazard: null,
    about: 'off by one: the published size covers the pages before the new one, not the new one',
    file: 'kernel.ts',
    edits: [{ find: 'const size = (page + 1) * m.shape.slotsPerPage;', replace: 'const size = page * m.shape.slotsPerPage;' }],
  },
  {
    id: 'M15-lowest-skips-zero',
    hazard: null,
    about: 'off by one: the lowest-free search starts at index 1',
    file: 'allocator.ts',
    edits: [{ find: 'for (let i = 0; i < n; i++) if (isFree(m, i)) return i;', replace: 'for (let i = 1; i < n; i++) if (isFree(m, i)) return i;' }],
  },
  {
    id: 'M16-cyclic-cursor-stays',
    hazard: null,
    about: 'off by one: the cyclic cursor is left on the index just taken',
    file: 'allocator.ts',
    edits: [{ find: 'm.store(G_ALLOC_CURSOR, (i + 1) % n);', replace: 'm.store(G_ALLOC_CURSOR, i % n);' }],
  },
  {
    id: 'M17-update-words-swapped',
    hazard: null,
    about: 'ordering: an update writes word 2 in the step that should write word 1, and word 1 after',
    file: 'kernel.ts',
    edits: [
      { find: "yield 'update.word1';\n    Atomics.store(m.slots, this.slotWord(index, WORD1), value);", replace: "yield 'update.word1';\n    Atomics.store(m.slots, this.slotWord(index, WORD2), value);" },
      { find: "yield 'update.word2';\n    Atomics.store(m.slots, this.slotWord(index, WORD2), value);", replace: "yield 'update.word2';\n    Atomics.store(m.slots, this.slotWord(index, WORD1), value);" },
    ],
  },
  {
    id: 'M18-destroy-keeps-gen',
    hazard: null,
    about: "destroy's clear does not bump gen",
    file: 'kernel.ts',
    edits: [{ find: "yield `${prefix}.gen`;\n    Atomics.add(m.slots, this.slotWord(index, GEN), 1);", replace: 'yield `${prefix}.gen`;' }],
  },
  {
    id: 'M19-grace-ignores-updaters',
    hazard: null,
    about: 'the grace period frees an index a kernel context still holds in an update',
    file: 'kernel.ts',
    edits: [{ find: '!== SLOT_PENDING || this.heldByUpdate(index)) {', replace: '!== SLOT_PENDING) {' }],
  },
  {
    id: 'M20-unlock-before-seq-end',
    hazard: null,
    about: "ordering: create releases the allocator lock before its seq-end step instead of in it",
    file: 'kernel.ts',
    edits: [
      { find: "    yield* this.seqEnd('create', index, epoch);\n    unlock(m.ctl, G_ALLOC_LOCK);", replace: "    unlock(m.ctl, G_ALLOC_LOCK);\n    yield* this.seqEnd('create', index, epoch);" },
    ],
  },
];
