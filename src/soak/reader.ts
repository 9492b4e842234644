/**
 * A user-space reader thread: it looks owners up, reads through the cached index several times,
 * and now and then scans every index it may touch. Every accepted value is judged (judge.ts); a
 * fault is a violation of no-fault wherever it happens.
 *
 * The lookup syscall is one atomic step in the design (the kernel answers under RCU and the owner's
 * lock); the reference implementation's lookup reads the link and the slot under the owner's lock,
 * but the owner's uid and the candidates before it, which real concurrency can interleave with a
 * destroy, a reuse or a recycle of the record. An answer such an interleaving produced is one the real syscall never gives, so
 * it is dropped and counted as `lookupRaced`, never judged. By uid, the soak loads the owner's link
 * and the slot's allocation epoch before the lookup and again after it: if both are unchanged (and
 * so is the record's uid), the element was linked all along, and since a destroy begins only after
 * the unlink, the lookup read a live element as the atomic syscall would. It also drops an answer
 * whose slot uid is not the owner's (0 is kept under linkOrder=link-then-init, where a linked slot
 * may be uninitialised). By pid number, where the answer may rightly be another task's element, only the
 * record's uid is checked.
 */
import type { Kernel } from '../reference/kernel.js';
import type { ReferenceMap } from '../reference/map.js';
import { G_PUBLISHED_SIZE, O_LINK, O_UID, type SharedMemory } from '../reference/memory.js';
import type { Outcome } from '../reference/op.js';
import type { Reader } from '../reference/reader.js';
import type { Behaviour } from '../../spec/variant.js';
import { FIRST_KEPT, type InvariantCounts, type ReaderCounts, type ViolatingRead } from './counts.js';
import { driveRead } from './drive.js';
import { Judge, type SoakInvariant } from './judge.js';

/** Reads that broke the same invariants at the same place with the same words tell people nothing new. */
function sameRead(a: Omit<ViolatingRead, 'reader' | 'at'>, b: Omit<ViolatingRead, 'reader' | 'at'>): boolean {
  return a.via === b.via && a.index === b.index && a.uid === b.uid && a.word1 === b.word1 && a.word2 === b.word2 && a.broken.join() === b.broken.join();
}

const READS_PER_LOOKUP = 16;
const LOOKUPS_PER_SCAN = 4;

export class SoakReader {
  private readonly reader: Reader;
  private readonly kernel: Kernel;
  private readonly m: SharedMemory;
  private readonly v: Behaviour;
  private readonly judge: Judge;
  private lookups = 0;
  readonly first: ViolatingRead[] = [];

  constructor(
    map: ReferenceMap,
    private readonly id: number,
    private readonly counts: ReaderCounts,
    private readonly invariants: InvariantCounts,
    /** Seconds since the run started, for the violations' timestamps. */
    private readonly clock: () => number,
  ) {
    this.reader = map.reader();
    this.kernel = map.kernel;
    this.m = map.memory;
    this.v = map.v;
    // A slot's next element for the same uid starts again at zero when elements are re-created
    // (stay-alive) or a create gets past a missing guard for a freed owner.
    const recreated = map.config.knobs.lifecycle === 'stay-alive' || map.config.knobs.createGuard === 'no';
    this.judge = new Judge(recreated, map.memory.shape.slots);
  }

  /** One lookup of a random owner record and the reads of its index; every few, a scan pass. */
  round(): void {
    const o = Math.floor(Math.random() * this.m.shape.owners);
    const index = this.lookup(o);
    if (index >= 0) {
      const uid = this.reader.cache?.uid ?? 0;
      for (let i = 0; i < READS_PER_LOOKUP; i++) {
        const r = driveRead(this.reader, this.reader.read());
        const kind = this.tally(r.outcome, r.retries, 'read', uid, index);
        if (kind === 'gone' || kind === 'not-visible' || kind === 'fault') break;
      }
    }
    if (++this.lookups % LOOKUPS_PER_SCAN === 0) this.scanPass();
  }

  /** The cached index, or -1 when there is none (ENOENT, a raced answer, an unborn record). */
  private lookup(o: number): number {
    const c = this.counts;
    const k = this.kernel;
    const uid = k.owner(o, O_UID);
    if (uid === 0) return -1;
    const link = k.owner(o, O_LINK);
    const epoch = this.epochOf(link);
    const r = driveRead(this.reader, this.reader.lookup(o)).outcome;
    if (r.kind === 'disabled') return -1;
    c.lookups++;
    if (r.kind === 'gone') {
      c.lookupEnoent++;
      return -1;
    }
    const cache = this.reader.cache;
    const linkedAllAlong = link !== 0 && cache !== null && cache.index === link - 1 && k.owner(o, O_LINK) === link && this.epochOf(link) === epoch;
    const raced = cache === null || r.uid !== uid || k.owner(o, O_UID) !== uid || (this.v.byUid && (!linkedAllAlong || !this.mayBeAnswered(cache.ident, uid)));
    if (raced) {
      c.lookupRaced++;
      this.reader.cache = null;
      return -1;
    }
    c.lookupAnswers++;
    return cache.index;
  }

  /** The allocation epoch of the slot a link names (the kernel's, read as the syscall would), -1 for no link. */
  private epochOf(link: number): number {
    return link === 0 ? -1 : this.m.load(this.m.at.slotEpoch + link - 1);
  }

  /** Whether an atomic lookup by uid could have found `ident` in the slot linked to owner `uid`. */
  private mayBeAnswered(ident: number, uid: number): boolean {
    return ident === uid || (ident === 0 && !this.v.linkAfterInit);
  }

  /** Scans every index the reader may justify touching: below the published size, or the whole reserved range. */
  private scanPass(): void {
    const limit = this.v.publishedSize ? this.m.load(G_PUBLISHED_SIZE) : this.m.shape.slots;
    for (let index = 0; index < limit; index++) {
      const r = driveRead(this.reader, this.reader.scan(index));
      if (r.outcome.kind === 'disabled') continue;
      this.counts.scans++;
      this.tally(r.outcome, r.retries, 'scan', r.outcome.uid, index);
    }
  }

  private tally(out: Outcome, retries: number, via: 'read' | 'scan', uid: number, index: number): Outcome['kind'] {
    const c = this.counts;
    c.reads++;
    c.retries += retries;
    switch (out.kind) {
      case 'value': {
        c.accepted++;
        // A scan that found a pid number no task holds now cannot name an owner: nothing to judge.
        if (uid === 0) break;
        const verdict = this.judge.judge(uid, index, out.word1, out.word2);
        if (verdict.broken.length > 0) this.violation({ via, index, uid, word1: out.word1, word2: out.word2, broken: verdict.broken, previous: verdict.previous });
        break;
      }
      case 'gone':
        c.gone++;
        break;
      case 'not-visible':
        c.notVisible++;
        break;
      case 'busy':
        c.busy++;
        break;
      case 'fault':
        c.faults++;
        this.violation({ via, index, uid, word1: 0, word2: 0, broken: ['no-fault'], previous: null });
        break;
      default:
        break;
    }
    return out.kind;
  }

  private violation(v: { via: 'read' | 'scan'; index: number; uid: number; word1: number; word2: number; broken: readonly SoakInvariant[]; previous: number | null }): void {
    this.counts.violatingReads++;
    // The first read to break an invariant is kept even when the kept list is full of others.
    const novel = v.broken.some((name) => this.invariants[name] === 0);
    for (const name of v.broken) this.invariants[name]++;
    if (novel && this.first.length >= FIRST_KEPT) this.first.pop();
    if (this.first.length < FIRST_KEPT && !this.first.some((f) => sameRead(f, v))) this.first.push({ reader: this.id, ...v, at: this.clock() });
  }
}
