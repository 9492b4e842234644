/**
 * The user side of the design: a reader thread with its cached answer, the lookup syscall, and the
 * read of a cached index or a scan of any index through the read-only mapping, one load per step in
 * the protocol's order (published size, seq, uid, gen, word 1, word 2, seq again). The validation
 * knob decides which loads are made and compared; a failed seq check retries, a failed uid or gen
 * check reports the owner gone.
 */
import { type Load, readerStepName, type StepName } from '../../spec/steps.js';
import type { Kernel } from './kernel.js';
import { pageOf } from './allocator.js';
import { G_PUBLISHED_SIZE, GEN, IDENT, O_UID, SEQ, SLOT_WORDS, WORD1, WORD2, type SharedMemory } from './memory.js';
import { VIEW_MAPPED, VIEW_UNMAPPED } from '../../spec/vocabulary.js';
import { type Notes, NO_OUTCOME, type Op, outcome, type Outcome } from './op.js';
import type { Behaviour } from '../../spec/variant.js';

interface Cache {
  readonly uid: number;
  readonly index: number;
  readonly ident: number;
  readonly gen: number;
}

/** A load that touched an unmapped page. */
const FAULT = null;

export class Reader implements Notes {
  cache: Cache | null = null;
  note: Outcome = NO_OUTCOME;
  /** The index the last read or scan loaded from. */
  lastIndex = -1;
  /** What a debugger shows of the retries of the read or scan under way (0 between operations). */
  retries = 0;

  constructor(
    readonly v: Behaviour,
    readonly m: SharedMemory,
    /** The syscalls a reader makes: lookup, and who holds a pid number now (/proc). */
    readonly kernel: Kernel,
  ) {}

  /**
   * The lookup syscall for owner record `o`. By pid number several linked elements may match (a
   * reaped task's too); `pick` is the one the kernel answers with (-1: ENOENT, undefined: the first).
   */
  *lookup(o: number, pick?: number): Op {
    const k = this.kernel;
    const uid = k.owner(o, O_UID);
    if (uid === 0 || !k.maySee(o)) return outcome('disabled');
    const candidates = k.lookupCandidates(o);
    const answer = pick === undefined ? (candidates[0] ?? -1) : pick;
    if (answer >= 0 ? !candidates.includes(answer) : candidates.length > 0) return outcome('disabled');
    if (answer < 0) {
      this.cache = null;
      return outcome('gone', { uid });
    }
    // Under real concurrency the element may be unlinked since the candidates were listed.
    const element = yield* k.readElement(answer);
    if (element === null) {
      this.cache = null;
      return outcome('gone', { uid });
    }
    const { index, ident, gen } = element;
    this.cache = { uid, index, ident, gen };
    return outcome('index', { uid, index, gen });
  }

  /** A read of the cached index. */
  *read(): Op {
    const cache = this.cache;
    if (cache === null) return outcome('disabled');
    return yield* this.counted(this.attempts('read', cache.index, cache.uid, cache));
  }

  /** A scan of `index`: below the published size, or anywhere in the reserved range. */
  *scan(index: number): Op {
    if (this.v.publishedSize && index >= this.m.load(G_PUBLISHED_SIZE)) return outcome('disabled');
    return yield* this.counted(this.attempts('scan', index, 0, null));
  }

  private *counted(op: Op): Op {
    this.retries = 0;
    const r = yield* op;
    this.retries = 0;
    return r;
  }

  /**
   * A load through the mapping, as the MMU would serve it: an unmapped page (or one the mapping
   * has not grown to: a real RangeError) faults; the zero page reads as zero.
   */
  private load(index: number, field: number): number | typeof FAULT {
    const view = this.m.load(this.m.at.pageView + pageOf(this.m, index));
    if (view === VIEW_UNMAPPED) return FAULT;
    if (view !== VIEW_MAPPED) return 0;
    try {
      return Atomics.load(this.m.slots, index * SLOT_WORDS + field);
    } catch (e) {
      if (e instanceof RangeError) return FAULT;
      throw e;
    }
  }

  /** The owner a scan attributes a slot to: by uid, that uid; by pid number, the task holding it now. */
  private ownerOfIdent(ident: number): number {
    if (ident === 0) return 0;
    if (this.v.byUid) return ident;
    const o = this.kernel.taskWithPid(ident);
    return o < 0 ? 0 : this.kernel.owner(o, O_UID);
  }

  private *attempts(kind: 'read' | 'scan', index: number, target0: number, cache: Cache | null): Op {
    const v = this.v;
    const scan = cache === null;
    this.lastIndex = index;
    let first = true;
    // The first load runs in the step that starts the operation; every later one is announced.
    const announce = (step: Load): StepName | null => {
      if (first) {
        first = false;
        return null;
      }
      return readerStepName(kind, step);
    };
    let retries = 0;
    let target = target0;
    for (;;) {
      const fault = (): Outcome => outcome('fault', { uid: target, index });
      const retry = (): Outcome | null => {
        if (v.retryBound >= 0) {
          if (retries >= v.retryBound) return outcome('busy', { uid: target });
          retries++;
          this.retries = retries;
        }
        this.note = outcome('retry', { uid: target });
        if (scan) target = 0;
        return null;
      };
      let step: StepName | null;
      if (!scan && v.publishedSize) {
        if ((step = announce('size')) !== null) yield step;
        if (index >= this.m.load(G_PUBLISHED_SIZE)) return outcome('not-visible', { uid: target, index });
      }
      let seq1 = 0;
      if (v.checksSeq) {
        if ((step = announce('seq-begin')) !== null) yield step;
        const seq = this.load(index, SEQ);
        if (seq === FAULT) return fault();
        if ((seq & 1) !== 0) {
          const busy = retry();
          if (busy !== null) return busy;
          continue;
        }
        seq1 = seq;
      }
      let mismatch = false;
      if (scan || v.checksUid) {
        if ((step = announce('uid')) !== null) yield step;
        const ident = this.load(index, IDENT);
        if (ident === FAULT) return fault();
        if (scan) {
          mismatch = ident === 0;
          const owner = this.ownerOfIdent(ident);
          if (owner !== 0) target = owner;
        } else if (cache !== null && ident !== cache.ident) {
          mismatch = true;
        }
      }
      if (v.checksGen) {
        if ((step = announce('gen')) !== null) yield step;
        const gen = this.load(index, GEN);
        if (gen === FAULT) return fault();
        if (!scan && cache !== null && gen !== cache.gen) mismatch = true;
      }
      if ((step = announce('word1')) !== null) yield step;
      const w1 = this.load(index, WORD1);
      if (w1 === FAULT) return fault();
      if ((step = announce('word2')) !== null) yield step;
      const w2 = this.load(index, WORD2);
      if (w2 === FAULT) return fault();
      if (v.checksSeq) {
        if ((step = announce('seq-end')) !== null) yield step;
        const seq2 = this.load(index, SEQ);
        if (seq2 === FAULT) return fault();
        if ((seq2 & 1) !== 0 || seq2 !== seq1) {
          const busy = retry();
          if (busy !== null) return busy;
          continue;
        }
      }
      if (mismatch) return outcome('gone', { uid: target, index });
      return outcome('value', { uid: target, word1: w1, word2: w2 });
    }
  }
}
