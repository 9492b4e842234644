/**
 * The kernel side of the design (design.md section 4) as real code over shared memory: the owner
 * lifecycle (the kernel's task and cgroup tables), create, update and delete of an element by a
 * kernel context, the destroy that delete and the owner's free run, and the grace period.
 *
 * Every operation is a generator (see op.ts): `yield NAME` announces the next atomic step and the
 * code after it is that step. Names are the spec's, so that a trace step names the code it drives.
 */
import { ensurePage, pageOf, releaseIndex, takeIndex } from './allocator.js';
import {
  EPOCH_WAYS,
  G_ALLOC_LOCK,
  G_NEXT_UID,
  G_PID_CURSOR,
  G_PID_LOCK,
  G_PUBLISHED_SIZE,
  GEN,
  IDENT,
  O_CREATING,
  O_HELD,
  O_LINK,
  O_LOCK,
  O_PHASE,
  O_PID,
  O_REFS,
  O_UID,
  OWNER_WORDS,
  RCU_IDLE,
  RCU_LOOKING,
  SEQ,
  SLOT_PENDING,
  SLOT_WORDS,
  WORD1,
  WORD2,
  type SharedMemory,
} from './memory.js';
import { BLOCKED, NO_OUTCOME, type Op, outcome, type Outcome, tryLock, unlock, type Yielded } from './op.js';
import type { Behaviour } from '../../spec/variant.js';
import { ALIVE, EXITED, FREED, REAPED, UNBORN, VIEW_MAPPED } from '../../spec/vocabulary.js';


const disabled = (): Outcome => outcome('disabled');

type Steps = Generator<Yielded, void, void>;
/** Whose odd-seq window a bump opens or closes, as the step names say it (`free`: an owner's free path). */
type Writer = 'create' | 'update' | 'destroy' | 'free';

export class Kernel {
  constructor(
    readonly v: Behaviour,
    readonly m: SharedMemory,
  ) {}

  ownerWord(o: number, field: number): number {
    return this.m.at.owner + o * OWNER_WORDS + field;
  }

  owner(o: number, field: number): number {
    return this.m.load(this.ownerWord(o, field));
  }

  private setOwner(o: number, field: number, value: number): void {
    this.m.store(this.ownerWord(o, field), value);
  }

  private slotWord(index: number, field: number): number {
    return index * SLOT_WORDS + field;
  }

  private *lockOwner(o: number): Steps {
    while (!tryLock(this.m.ctl, this.ownerWord(o, O_LOCK))) yield BLOCKED;
  }

  private unlockOwner(o: number): void {
    unlock(this.m.ctl, this.ownerWord(o, O_LOCK));
  }

  /** What a slot records and lookups are keyed by: the never-reused uid, or the pid number. */
  identOf(o: number): number {
    return this.v.byUid ? this.owner(o, O_UID) : this.owner(o, O_PID);
  }

  // ---- owner lifecycle ----

  /** Task spawn (a pid number, cyclically, and a fresh uid) or cgroup mkdir. */
  *spawn(o: number): Op {
    if (this.owner(o, O_PHASE) !== UNBORN) return disabled();
    yield* this.lockOwner(o);
    while (!tryLock(this.m.ctl, G_PID_LOCK)) yield BLOCKED;
    const pid = this.v.task ? this.allocPid() : 0;
    // Recorded before the pid lock is let go: the next spawn's search (pidHeld) must see this pid
    // number taken, or two spawns at once, once the cursor wraps, could both be handed it.
    if (pid >= 0) {
      this.setOwner(o, O_PID, pid);
      this.setOwner(o, O_UID, Atomics.add(this.m.ctl, G_NEXT_UID, 1) + 1);
      this.setOwner(o, O_PHASE, ALIVE);
    }
    unlock(this.m.ctl, G_PID_LOCK);
    this.unlockOwner(o);
    return pid < 0 ? disabled() : NO_OUTCOME;
  }

  private pidHeld(pid: number): boolean {
    for (let x = 0; x < this.m.shape.owners; x++) {
      const phase = this.owner(x, O_PHASE);
      if ((phase === ALIVE || phase === EXITED) && this.owner(x, O_PID) === pid) return true;
    }
    return false;
  }

  /** idr_alloc_cyclic over pid numbers 1..pidNumbers: the first free one at or after the cursor. */
  private allocPid(): number {
    const n = this.v.pidNumbers;
    const cursor = this.m.load(G_PID_CURSOR);
    for (let d = 0; d < n; d++) {
      const p = (cursor + d) % n;
      if (this.pidHeld(p + 1)) continue;
      this.m.store(G_PID_CURSOR, (p + 1) % n);
      return p + 1;
    }
    return -1;
  }

  /** Task exit (a zombie now) or cgroup rmdir. */
  *exit(o: number): Op {
    return yield* this.advance(o, ALIVE, EXITED);
  }

  /** The task is reaped: its pid number is released and may be handed out at once. */
  *reap(o: number): Op {
    if (!this.v.task) return disabled();
    const r = yield* this.advance(o, EXITED, REAPED);
    // By uid nothing is keyed by a released pid number; by pid, lookups still match on it.
    if (r.kind !== 'disabled' && this.v.byUid) this.setOwner(o, O_PID, 0);
    return r;
  }

  private *advance(o: number, from: number, to: number): Op {
    yield* this.lockOwner(o);
    const ok = this.owner(o, O_PHASE) === from;
    if (ok) this.setOwner(o, O_PHASE, to);
    this.unlockOwner(o);
    return ok ? NO_OUTCOME : disabled();
  }

  /** free_task() / css release: waits for creates' references, then destroys the element, if any. */
  *free(o: number): Op {
    const phase = this.owner(o, O_PHASE);
    if (phase !== (this.v.task ? REAPED : EXITED)) return disabled();
    for (;;) {
      yield* this.lockOwner(o);
      if (this.owner(o, O_REFS) === 0) break;
      this.unlockOwner(o);
      yield BLOCKED;
    }
    this.setOwner(o, O_PHASE, FREED);
    const link = this.owner(o, O_LINK);
    this.setOwner(o, O_LINK, 0);
    this.unlockOwner(o);
    if (link === 0) return NO_OUTCOME;
    const index = link - 1;
    this.setOwner(o, O_HELD, link);
    const r = yield* this.destroy('free', index, this.m.load(this.m.at.slotEpoch + index));
    this.setOwner(o, O_HELD, 0);
    return r;
  }

  // ---- create ----

  /** bpf_*_storage_get(F_CREATE): guard, then allocate, grow, initialise and link. */
  *create(k: number, o: number): Op {
    const v = this.v;
    const m = this.m;
    if (this.owner(o, O_PHASE) === UNBORN) return disabled();
    for (;;) {
      yield* this.lockOwner(o);
      if (!v.createLocked || this.owner(o, O_CREATING) === 0) break;
      this.unlockOwner(o);
      yield BLOCKED;
    }
    const phase = this.owner(o, O_PHASE);
    const linked = this.owner(o, O_LINK);
    let result: Outcome | null = null;
    if (v.createGuard && phase !== ALIVE) result = outcome('refused');
    else if (linked !== 0) result = outcome('exists', { index: linked - 1 });
    else {
      // The reference is create's whether or not it checked the owner first (precision 6).
      this.setOwner(o, O_REFS, this.owner(o, O_REFS) + 1);
      if (v.createLocked) this.setOwner(o, O_CREATING, 1);
    }
    this.unlockOwner(o);
    if (result !== null) return result;

    yield 'create.alloc';
    while (!tryLock(m.ctl, G_ALLOC_LOCK)) yield BLOCKED;
    const index = takeIndex(v, m, o);
    if (index < 0) {
      unlock(m.ctl, G_ALLOC_LOCK);
      yield* this.dropCreateReference(o);
      return outcome('nomem');
    }
    this.hold(k, index);
    ensurePage(m, index);
    const epoch = m.load(m.at.slotEpoch + index);
    const page = pageOf(m, index);

    for (const growth of v.publishAfterPage ? (['map', 'publish'] as const) : (['publish', 'map'] as const)) {
      if (growth === 'map' && m.load(m.at.pageView + page) !== VIEW_MAPPED) {
        yield 'create.map';
        m.store(m.at.pageView + page, VIEW_MAPPED);
      }
      const size = (page + 1) * m.shape.slotsPerPage;
      if (growth === 'publish' && v.publishedSize && m.load(G_PUBLISHED_SIZE) < size) {
        yield 'create.publish';
        m.store(G_PUBLISHED_SIZE, size);
      }
    }
    if (!v.linkAfterInit) {
      yield 'create.link-early';
      yield* this.link(o, index);
    }

    yield* this.seqBegin('create', index, epoch);
    yield 'create.uid';
    Atomics.store(m.slots, this.slotWord(index, IDENT), this.identOf(o));
    yield 'create.gen';
    Atomics.add(m.slots, this.slotWord(index, GEN), 1);
    if (v.zeroOnRecycle) {
      yield 'create.zero-word1';
      Atomics.store(m.slots, this.slotWord(index, WORD1), 0);
      yield 'create.zero-word2';
      Atomics.store(m.slots, this.slotWord(index, WORD2), 0);
    }
    yield* this.seqEnd('create', index, epoch);
    unlock(m.ctl, G_ALLOC_LOCK);
    if (v.linkAfterInit) {
      yield 'create.link';
      yield* this.link(o, index);
    }
    this.hold(k, -1);
    return outcome('created', { index });
  }

  private hold(k: number, index: number): void {
    this.m.store(this.m.at.held + k, index + 1);
  }

  private *link(o: number, index: number): Steps {
    yield* this.lockOwner(o);
    this.setOwner(o, O_LINK, index + 1);
    this.releaseReference(o);
    this.unlockOwner(o);
  }

  private *dropCreateReference(o: number): Steps {
    yield* this.lockOwner(o);
    this.releaseReference(o);
    this.unlockOwner(o);
  }

  private releaseReference(o: number): void {
    this.setOwner(o, O_REFS, this.owner(o, O_REFS) - 1);
    if (this.v.createLocked) this.setOwner(o, O_CREATING, 0);
  }

  // ---- the odd-seq window ----

  private lockWord(index: number, epoch: number): number {
    return this.m.at.elementLock + index * EPOCH_WAYS + (epoch % EPOCH_WAYS);
  }

  /**
   * Opens the window. Under writers=single it takes the element's writer lock and bumps seq
   * atomically; under plain-seq the bump is a plain load and, a step later, a plain store.
   */
  private *seqBegin(prefix: Writer, index: number, epoch: number): Steps {
    const seq = this.slotWord(index, SEQ);
    if (this.v.singleWriter) {
      yield `${prefix}.seq-begin`;
      while (!tryLock(this.m.ctl, this.lockWord(index, epoch))) yield BLOCKED;
      Atomics.add(this.m.slots, seq, 1);
      return;
    }
    yield `${prefix}.seq-begin.load`;
    const loaded = Atomics.load(this.m.slots, seq);
    yield `${prefix}.seq-begin`;
    Atomics.store(this.m.slots, seq, loaded + 1);
  }

  /** Closes the window; the caller's step goes on after it. */
  private *seqEnd(prefix: Writer, index: number, epoch: number): Steps {
    const seq = this.slotWord(index, SEQ);
    if (this.v.singleWriter) {
      yield `${prefix}.seq-end`;
      Atomics.add(this.m.slots, seq, 1);
      unlock(this.m.ctl, this.lockWord(index, epoch));
      return;
    }
    yield `${prefix}.seq-end.load`;
    const loaded = Atomics.load(this.m.slots, seq);
    yield `${prefix}.seq-end`;
    Atomics.store(this.m.slots, seq, loaded + 1);
  }

  // ---- update ----

  /** A program holding the owner writes both words of its element inside an odd-seq window. */
  *update(k: number, o: number, value: number): Op {
    const m = this.m;
    if (this.owner(o, O_PHASE) === UNBORN) return disabled();
    // The read-side marker goes up before the index is looked up, so that a grace period that
    // runs in between keeps every pending index.
    const rcu = m.at.rcu + k;
    m.store(rcu, RCU_LOOKING);
    const link = this.owner(o, O_LINK);
    if (link === 0) {
      m.store(rcu, RCU_IDLE);
      return outcome('enoent');
    }
    const index = link - 1;
    m.store(rcu, index + 1);
    this.hold(k, index);
    const epoch = m.load(m.at.slotEpoch + index);
    yield* this.seqBegin('update', index, epoch);
    yield 'update.word1';
    Atomics.store(m.slots, this.slotWord(index, WORD1), value);
    yield 'update.word2';
    Atomics.store(m.slots, this.slotWord(index, WORD2), value);
    yield* this.seqEnd('update', index, epoch);
    this.hold(k, -1);
    m.store(rcu, RCU_IDLE);
    return outcome('updated', { index });
  }

  // ---- delete and destroy ----

  /** bpf_*_storage_delete: unlink owner->index, then destroy. */
  *delete(k: number, o: number): Op {
    if (this.owner(o, O_PHASE) === UNBORN) return disabled();
    yield* this.lockOwner(o);
    const link = this.owner(o, O_LINK);
    this.setOwner(o, O_LINK, 0);
    this.unlockOwner(o);
    if (link === 0) return outcome('enoent');
    const index = link - 1;
    this.hold(k, index);
    const r = yield* this.destroy('destroy', index, this.m.load(this.m.at.slotEpoch + index));
    this.hold(k, -1);
    return r;
  }

  /**
   * Clears the element inside an odd-seq window; then after-grace hands the index to the grace
   * period, immediate returns it to the allocator at once.
   */
  private *destroy(prefix: 'destroy' | 'free', index: number, epoch: number): Op {
    const m = this.m;
    yield* this.seqBegin(prefix, index, epoch);
    yield `${prefix}.uid`;
    Atomics.store(m.slots, this.slotWord(index, IDENT), 0);
    yield `${prefix}.gen`;
    Atomics.add(m.slots, this.slotWord(index, GEN), 1);
    if (this.v.zeroOnRecycle) {
      yield `${prefix}.zero-word1`;
      Atomics.store(m.slots, this.slotWord(index, WORD1), 0);
      yield `${prefix}.zero-word2`;
      Atomics.store(m.slots, this.slotWord(index, WORD2), 0);
    }
    yield* this.seqEnd(prefix, index, epoch);
    if (this.v.reuseAfterGrace) {
      m.store(m.at.slotAlloc + index, SLOT_PENDING);
      return outcome('deleted', { index });
    }
    yield `${prefix}.retire`;
    while (!tryLock(m.ctl, G_ALLOC_LOCK)) yield BLOCKED;
    releaseIndex(this.v, m, index);
    unlock(m.ctl, G_ALLOC_LOCK);
    return outcome('deleted', { index });
  }

  // ---- grace period ----

  /**
   * The grace period of the element that was in slot `index`: once no kernel context can still hold
   * it, the index goes back to the allocator. Disabled while the index is not waiting for one or a
   * kernel context may still hold it.
   */
  *gracePeriod(index: number): Op {
    const m = this.m;
    while (!tryLock(m.ctl, G_ALLOC_LOCK)) yield BLOCKED;
    if (m.load(m.at.slotAlloc + index) !== SLOT_PENDING || this.heldByUpdate(index)) {
      unlock(m.ctl, G_ALLOC_LOCK);
      return disabled();
    }
    releaseIndex(this.v, m, index);
    unlock(m.ctl, G_ALLOC_LOCK);
    return NO_OUTCOME;
  }

  private heldByUpdate(index: number): boolean {
    for (let k = 0; k < this.m.shape.kernels; k++) {
      const marker = this.m.load(this.m.at.rcu + k);
      if (marker === RCU_LOOKING || marker === index + 1) return true;
    }
    return false;
  }

  // ---- what the lookup syscall and scans ask of the kernel ----

  /** Owner records whose element a lookup for owner `o` may return (by uid: o's own; by pid: any with o's pid). */
  lookupCandidates(o: number): number[] {
    const out: number[] = [];
    const pid = this.owner(o, O_PID);
    for (let x = 0; x < this.m.shape.owners; x++) {
      if (this.owner(x, O_LINK) === 0) continue;
      if (this.v.byUid ? x === o : this.owner(x, O_PID) === pid) out.push(x);
    }
    return out;
  }

  /** Whether a lookup may be asked about owner `o`: by uid, once it exists; by pid, while it holds its pid number. */
  maySee(o: number): boolean {
    const phase = this.owner(o, O_PHASE);
    return this.v.byUid ? phase !== UNBORN : phase === ALIVE || phase === EXITED;
  }

  /**
   * The lookup syscall's read of owner `o`'s element: its link, then the slot's uid and gen, under
   * the owner's lock so that no unlink comes between them (one atomic step, precision 2).
   */
  *readElement(o: number): Generator<Yielded, { index: number; ident: number; gen: number } | null, void> {
    yield* this.lockOwner(o);
    const link = this.owner(o, O_LINK);
    const index = link - 1;
    const out = link === 0 ? null : { index, ident: Atomics.load(this.m.slots, this.slotWord(index, IDENT)), gen: Atomics.load(this.m.slots, this.slotWord(index, GEN)) };
    this.unlockOwner(o);
    return out;
  }

  /** The task holding pid number `pid` now (what /proc would say), or -1. */
  taskWithPid(pid: number): number {
    for (let x = 0; x < this.m.shape.owners; x++) {
      const phase = this.owner(x, O_PHASE);
      if ((phase === ALIVE || phase === EXITED) && this.owner(x, O_PID) === pid) return x;
    }
    return -1;
  }

  /** The owner record with uid `uid`, or -1. */
  ownerWithUid(uid: number): number {
    for (let x = 0; x < this.m.shape.owners; x++) if (this.owner(x, O_UID) === uid) return x;
    return -1;
  }
}
