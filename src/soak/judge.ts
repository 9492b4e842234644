/**
 * The invariants of design.md section 6 that a real implementation can judge from what a reader
 * accepted, without the model's ghost variables:
 * - no-foreign-read: every nonzero word was written for the uid the reader asked about (the cached
 *   uid for a read, the uid loaded from the slot for a scan). A zero word cannot be told apart here
 *   (its owner's create wrote it, or a clear or a page's zeroing did), so the soak judges this
 *   narrower form of no-stale-read, which the model judges in full.
 * - no-torn-read: both words are equal (every update writes the same word twice).
 * - linearizable-read: per reader, per owner uid and per index, the update counter of accepted
 *   values never goes backwards. Each owner is updated by one writer thread, one update after
 *   another, so the current value of its element in a slot only moves forward; a reader's reads
 *   are one after another too, so a read that accepted an older value than an earlier read did
 *   cannot have seen a value that was current at some moment of it. The index is part of the key
 *   because an owner whose element is re-created (lifecycle=stay-alive) has, until the old one's
 *   clear, two elements, each with its own current value (design.md precision 5). Zero (create's
 *   value) counts as update 0, unless elements are re-created, when a slot's next element for the
 *   same owner starts again at zero and zero is exempt.
 * - no-fault: judged where the fault is seen (reader.ts); it is listed here to name it.
 */
import { counterOf, writtenFor } from './words.js';

export const SOAK_INVARIANTS = ['no-foreign-read', 'no-torn-read', 'linearizable-read', 'no-fault'] as const;
export type SoakInvariant = (typeof SOAK_INVARIANTS)[number];

export interface Verdict {
  readonly broken: readonly SoakInvariant[];
  /** For linearizable-read: the later update this reader had already accepted for the uid. */
  readonly previous: number | null;
}

const CLEAN: Verdict = { broken: [], previous: null };

/** (uid, index) pairs a reader remembers; the oldest is forgotten first, which only weakens the check. */
const REMEMBERED_UIDS = 4096;

export class Judge {
  private readonly last = new Map<number, number>();

  constructor(
    private readonly zeroMayFollow: boolean,
    /** Slots in the map, so that (uid, index) makes one number. */
    private readonly slots: number,
  ) {}

  judge(uid: number, index: number, word1: number, word2: number): Verdict {
    const broken: SoakInvariant[] = [];
    if ((word1 !== 0 && !writtenFor(word1, uid)) || (word2 !== 0 && !writtenFor(word2, uid))) broken.push('no-foreign-read');
    if (word1 !== word2) broken.push('no-torn-read');
    if (broken.length > 0) return { broken, previous: null };
    if (word1 === 0 && this.zeroMayFollow) return CLEAN;
    const counter = word1 === 0 ? 0 : counterOf(word1);
    const key = uid * this.slots + index;
    const previous = this.last.get(key);
    if (previous !== undefined && counter < previous) return { broken: ['linearizable-read'], previous };
    if (previous === undefined || counter > previous) this.remember(key, counter);
    return CLEAN;
  }

  private remember(key: number, counter: number): void {
    this.last.delete(key);
    this.last.set(key, counter);
    if (this.last.size > REMEMBERED_UIDS) {
      const oldest = this.last.keys().next();
      if (oldest.done !== true) this.last.delete(oldest.value);
    }
  }
}
