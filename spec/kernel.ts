/**
 * The kernel side (design.md section 4): create, update and destroy of an element, one shared load
 * or store per step. A step runs on a fresh copy of the state and returns false when it must wait
 * (a lock is held), in which case the copy is discarded.
 *
 * Steps that touch only the allocator's state (under its lock) are folded into the step before them:
 * no other actor can observe the difference, and it keeps the interleavings that matter.
 */
import { match } from 'ts-pattern';
import { ensurePage, releaseIndex, takeIndex } from './allocator.js';
import { ALIVE, FREED, UNBORN, VIEW_MAPPED, outcome } from './vocabulary.js';
import { bumpsSeq, inSeqWindow, KERNEL_PCS, type KernelPc, kpc } from './steps.js';
import { bumpGen, type Ctx, identOf, kernelAt, MUST_WAIT, NOT_ENABLED, ownerAt, pageOf, result, slotAt, TAKEN } from './context.js';
import { bumpSeq, storeSeq } from './reader.js';
import { completeUpdate, setCurrent } from './current.js';
import { GLOBAL, KERNEL, OWNER, PAGE, PAGE_FIELDS, SLOT } from './layout.js';
import { NO_CREATE_AFTER_FREE, NO_WRITE_AFTER_REUSE } from './invariants.js';

/**
 * Where the acting context keeps its registers. A kernel context keeps pc, owner, value and index
 * side by side; an owner's free path keeps pc and index in the owner's record. Made once per actor;
 * `owner` and `value` are loaded from the state before each step.
 */
export interface Regs {
  readonly pc: number;
  readonly index: number;
  /** With index, the element held: the slot's allocation epoch when it was taken or found. */
  readonly epoch: number;
  readonly loaded: number;
  /** One past the last register, so that finishing clears pc..end. */
  readonly end: number;
  readonly ownerAt: number;
  readonly valueAt: number;
  /** The owner whose free path this is, or -1 for a kernel context. */
  readonly fixedOwner: number;
  owner: number;
  value: number;
}

type Step = (c: Ctx, s: Uint8Array, r: Regs) => boolean;

const P = {
  idle: kpc('idle'),
  alloc: kpc('create.alloc'),
  map: kpc('create.map'),
  publish: kpc('create.publish'),
  linkEarly: kpc('create.link-early'),
  cSeqBegin: kpc('create.seq-begin'),
  cUid: kpc('create.uid'),
  cGen: kpc('create.gen'),
  cZero1: kpc('create.zero-word1'),
  cZero2: kpc('create.zero-word2'),
  cSeqEnd: kpc('create.seq-end'),
  link: kpc('create.link'),
  uSeqBegin: kpc('update.seq-begin'),
  uWord1: kpc('update.word1'),
  uWord2: kpc('update.word2'),
  uSeqEnd: kpc('update.seq-end'),
  dSeqBegin: kpc('destroy.seq-begin'),
  dUid: kpc('destroy.uid'),
  dGen: kpc('destroy.gen'),
  dZero1: kpc('destroy.zero-word1'),
  dZero2: kpc('destroy.zero-word2'),
  dSeqEnd: kpc('destroy.seq-end'),
  retire: kpc('destroy.retire'),
  choose: kpc('create.choose'),
  page: kpc('create.page'),
  unlock: kpc('create.unlock'),
  release: kpc('destroy.release'),
} as const;

export function kernelRegs(c: Ctx, k: number): Regs {
  const base = kernelAt(c, k);
  return {
    pc: base + KERNEL.pc,
    index: base + KERNEL.index,
    epoch: base + KERNEL.epoch,
    loaded: base + KERNEL.loaded,
    end: base + KERNEL.ops,
    ownerAt: base + KERNEL.owner,
    valueAt: base + KERNEL.value,
    fixedOwner: -1,
    owner: 0,
    value: 0,
  };
}

export function ownerRegs(c: Ctx, o: number): Regs {
  const base = ownerAt(c, o);
  return {
    pc: base + OWNER.pc,
    index: base + OWNER.index,
    epoch: base + OWNER.epoch,
    loaded: base + OWNER.loaded,
    end: base + OWNER.loaded + 1,
    ownerAt: 0,
    valueAt: 0,
    fixedOwner: o,
    owner: o,
    value: 0,
  };
}

function finish(s: Uint8Array, r: Regs): true {
  s.fill(0, r.pc, r.end);
  return true;
}

function countOp(c: Ctx, s: Uint8Array, k: number): void {
  if (c.kernelOps >= 0) s[kernelAt(c, k) + KERNEL.ops]++;
}

export function kernelHasBudget(c: Ctx, s: Uint8Array, k: number): boolean {
  return c.kernelOps < 0 || s[kernelAt(c, k) + KERNEL.ops] < c.kernelOps;
}

/** A store by the context that holds `r.owner`'s element into slot `index`: it must still be that owner's. */
function store(c: Ctx, s: Uint8Array, index: number, owner: number): void {
  const alloc = s[slotAt(c, index) + SLOT.alloc];
  if (alloc !== owner + 1 && alloc !== 0 && alloc !== c.pending) c.bad |= NO_WRITE_AFTER_REUSE;
}

function releaseCreateReference(c: Ctx, s: Uint8Array, owner: number): void {
  const at = ownerAt(c, owner);
  s[at + OWNER.refs]--;
  if (c.createLocked) s[at + OWNER.creating] = 0;
}

// ---- operation starts (the first step of each operation) ----

/** bpf_*_storage_get(F_CREATE): the guard check, then allocate and initialise unless the owner has an element. */
export function startCreate(c: Ctx, s: Uint8Array, k: number, o: number): number {
  const at = ownerAt(c, o);
  const phase = s[at + OWNER.phase];
  if (phase === UNBORN) return NOT_ENABLED;
  if (c.createLocked && s[at + OWNER.creating] !== 0) return MUST_WAIT;
  countOp(c, s, k);
  if (c.createGuard && phase !== ALIVE) return result(c, outcome('refused')), TAKEN;
  if (s[at + OWNER.link] !== 0) return result(c, outcome('exists'), s[at + OWNER.link] - 1), TAKEN;
  // The reference is create's whether or not it checked the owner first (precision 6).
  s[at + OWNER.refs]++;
  if (c.createLocked) s[at + OWNER.creating] = 1;
  const base = kernelAt(c, k);
  s[base + KERNEL.pc] = P.alloc;
  s[base + KERNEL.owner] = o;
  return TAKEN;
}

/** A program that holds the owner updates its element's value: seq odd, word 1, word 2, seq even. */
export function startUpdate(c: Ctx, s: Uint8Array, k: number, o: number, v: number): number {
  const at = ownerAt(c, o);
  if (s[at + OWNER.phase] === UNBORN) return NOT_ENABLED;
  countOp(c, s, k);
  const link = s[at + OWNER.link];
  if (link === 0) return result(c, outcome('enoent')), TAKEN;
  const base = kernelAt(c, k);
  s[base + KERNEL.pc] = P.uSeqBegin;
  s[base + KERNEL.owner] = o;
  s[base + KERNEL.value] = v;
  s[base + KERNEL.index] = link - 1;
  s[base + KERNEL.epoch] = s[slotAt(c, link - 1) + SLOT.epoch];
  return TAKEN;
}

/** bpf_*_storage_delete: unlink owner->index, then the destroy steps. */
export function startDelete(c: Ctx, s: Uint8Array, k: number, o: number): number {
  const at = ownerAt(c, o);
  if (s[at + OWNER.phase] === UNBORN) return NOT_ENABLED;
  countOp(c, s, k);
  const link = s[at + OWNER.link];
  if (link === 0) return result(c, outcome('enoent')), TAKEN;
  s[at + OWNER.link] = 0;
  const base = kernelAt(c, k);
  s[base + KERNEL.pc] = P.dSeqBegin;
  s[base + KERNEL.owner] = o;
  s[base + KERNEL.index] = link - 1;
  s[base + KERNEL.epoch] = s[slotAt(c, link - 1) + SLOT.epoch];
  return TAKEN;
}

/** The owner's free path unlinks its element, if any, and goes on with the destroy steps. */
export function startFreeDestroy(c: Ctx, s: Uint8Array, o: number): void {
  const at = ownerAt(c, o);
  const link = s[at + OWNER.link];
  if (link === 0) return;
  s[at + OWNER.link] = 0;
  s[at + OWNER.pc] = P.dSeqBegin;
  s[at + OWNER.index] = link - 1;
  s[at + OWNER.epoch] = s[slotAt(c, link - 1) + SLOT.epoch];
}

// ---- create ----

function needed(c: Ctx, s: Uint8Array, pc: number, index: number): boolean {
  const page = pageOf(c, index);
  if (pc === P.map) return s[c.L.page + page * PAGE_FIELDS + PAGE.view] !== VIEW_MAPPED;
  if (pc === P.publish) return c.publishedSize && s[c.L.global + GLOBAL.publishedSize] < (page + 1) * c.slotsPerPage;
  if (pc === P.linkEarly) return !c.linkAfterInit;
  return true;
}

/** After `done`, the next step of create's growth path that is needed (publishOrder decides the order). */
function afterGrowth(c: Ctx, s: Uint8Array, done: number, index: number): number {
  const order = c.publishAfterPage ? [P.map, P.publish, P.linkEarly, P.cSeqBegin] : [P.publish, P.map, P.linkEarly, P.cSeqBegin];
  for (let i = order.indexOf(done) + 1; i < order.length; i++) if (needed(c, s, order[i], index)) return order[i];
  return P.cSeqBegin;
}

/**
 * The allocator's lock is held from create.alloc to create.seq-end, and what happens under it that
 * only the allocator sees (choosing the index, allocating and zeroing an absent page) is folded
 * into the step that takes the lock. That is Lipton's reduction: taking a lock is a right mover, and
 * the folded work commutes with every step another actor can take meanwhile (no one else touches
 * the allocator without the lock, and a page the allocator zeroes is absent, so no reader sees its
 * memory: its view is unmapped or the zero page, and a late store into it is zeroed whether it
 * comes just before or just after). So every interleaving of the unfolded steps reaches what one of
 * the folded ones does. Likewise the lock's release at create.seq-end and destroy.retire's
 * take-release-give-back. The literal twin (c.literal) takes them one by one; test/literal-twin
 * holds the two to the same verdicts.
 */
const createAlloc: Step = (c, s, r) => {
  const lock = c.L.global + GLOBAL.allocLock;
  if (s[lock] !== 0) return false;
  s[lock] = 1;
  return c.literal ? then(s, r, P.choose) : createChoose(c, s, r);
};

const createChoose: Step = (c, s, r) => {
  const index = takeIndex(c, s, r.owner);
  if (index < 0) {
    s[c.L.global + GLOBAL.allocLock] = 0;
    releaseCreateReference(c, s, r.owner);
    result(c, outcome('nomem'));
    return finish(s, r);
  }
  s[r.index] = index;
  s[r.epoch] = s[slotAt(c, index) + SLOT.epoch];
  if (c.literal && s[c.L.page + pageOf(c, index) * PAGE_FIELDS + PAGE.kernel] === 0) return then(s, r, P.page);
  return createPage(c, s, r);
};

const createPage: Step = (c, s, r) => {
  const index = s[r.index];
  ensurePage(c, s, index);
  s[r.pc] = afterGrowth(c, s, P.alloc, index);
  return true;
};

const createUnlock: Step = (c, s, r) => {
  s[c.L.global + GLOBAL.allocLock] = 0;
  if (c.linkAfterInit) return then(s, r, P.link);
  result(c, outcome('created'), s[r.index]);
  return finish(s, r);
};

const createMap: Step = (c, s, r) => {
  const index = s[r.index];
  s[c.L.page + pageOf(c, index) * PAGE_FIELDS + PAGE.view] = VIEW_MAPPED;
  s[r.pc] = afterGrowth(c, s, P.map, index);
  return true;
};

const createPublish: Step = (c, s, r) => {
  const index = s[r.index];
  s[c.L.global + GLOBAL.publishedSize] = (pageOf(c, index) + 1) * c.slotsPerPage;
  s[r.pc] = afterGrowth(c, s, P.publish, index);
  return true;
};

function link(c: Ctx, s: Uint8Array, r: Regs): void {
  const at = ownerAt(c, r.owner);
  s[at + OWNER.link] = s[r.index] + 1;
  if (s[at + OWNER.phase] === FREED) c.bad |= NO_CREATE_AFTER_FREE;
  releaseCreateReference(c, s, r.owner);
}

const createLinkEarly: Step = (c, s, r) => {
  link(c, s, r);
  s[r.pc] = P.cSeqBegin;
  return true;
};

const IN_WINDOW: readonly boolean[] = KERNEL_PCS.map(inSeqWindow);

/**
 * The per-element writer exclusion of precision 1: another actor is inside a window on the same
 * element (same index, same allocation epoch). A late writer to an old element and the new
 * element's initialisation are different elements, so they do not exclude each other.
 */
function elementBusy(c: Ctx, s: Uint8Array, r: Regs): boolean {
  const index = s[r.index];
  const epoch = s[r.epoch];
  const busy = (pcAt: number, indexAt: number, epochAt: number): boolean =>
    pcAt !== r.pc && IN_WINDOW[s[pcAt]] && s[indexAt] === index && s[epochAt] === epoch;
  for (let k = 0; k < c.L.kernels; k++) {
    const base = kernelAt(c, k);
    if (busy(base + KERNEL.pc, base + KERNEL.index, base + KERNEL.epoch)) return true;
  }
  for (let o = 0; o < c.L.owners; o++) {
    const base = ownerAt(c, o);
    if (busy(base + OWNER.pc, base + OWNER.index, base + OWNER.epoch)) return true;
  }
  return false;
}

/** Opens an odd-seq window; under writers=single it waits while another writer is in one on the element. */
function seqBegin(c: Ctx, s: Uint8Array, r: Regs): boolean {
  if (c.singleWriter && elementBusy(c, s, r)) return false;
  bump(c, s, r);
  return true;
}

/** Writes seq + 1: atomically under writers=single; under plain-seq the value loaded a step before, + 1. */
function bump(c: Ctx, s: Uint8Array, r: Regs): void {
  if (c.singleWriter) {
    bumpSeq(c, s, s[r.index]);
    return;
  }
  storeSeq(c, s, s[r.index], s[r.loaded]);
  s[r.loaded] = 0;
}

const seqEnd = bump;

/**
 * Under writers=plain-seq a seq bump is a plain load and then a plain store, two steps: the first
 * run of a seq step only loads (and keeps the value + 1 in a register), so that two writers can
 * lose an increment or move seq backwards.
 */
const loadFirst =
  (step: Step): Step =>
  (c, s, r) => {
    if (c.singleWriter || s[r.loaded] !== 0) return step(c, s, r);
    s[r.loaded] = s[slotAt(c, s[r.index]) + SLOT.seq] + 1;
    return true;
  };

/** True when the next run of the actor's seq step is the load half of a plain-seq bump. */
export function loadsSeqNext(c: Ctx, s: Uint8Array, r: Regs): boolean {
  return !c.singleWriter && SEQ_STEPS[s[r.pc]] && s[r.loaded] === 0;
}

function then(s: Uint8Array, r: Regs, pc: number): true {
  s[r.pc] = pc;
  return true;
}

const createSeqBegin: Step = (c, s, r) => seqBegin(c, s, r) && then(s, r, P.cUid);

const createUid: Step = (c, s, r) => {
  s[slotAt(c, s[r.index]) + SLOT.ident] = identOf(c, s, r.owner);
  return then(s, r, P.cGen);
};

const createGen: Step = (c, s, r) => {
  bumpGen(c, s, s[r.index]);
  return then(s, r, c.zeroOnRecycle ? P.cZero1 : P.cSeqEnd);
};

function writeWord(c: Ctx, s: Uint8Array, index: number, word: 1 | 2, value: number, forOwner: number): void {
  const slot = slotAt(c, index);
  s[slot + (word === 1 ? SLOT.w1 : SLOT.w2)] = value;
  s[slot + (word === 1 ? SLOT.w1For : SLOT.w2For)] = forOwner;
}

const createZero1: Step = (c, s, r) => {
  writeWord(c, s, s[r.index], 1, 0, r.owner + 1);
  return then(s, r, P.cZero2);
};

const createZero2: Step = (c, s, r) => {
  writeWord(c, s, s[r.index], 2, 0, r.owner + 1);
  return then(s, r, P.cSeqEnd);
};

/** Ends the initialisation window and releases the allocator lock; the element's value is now zero. */
const createSeqEnd: Step = (c, s, r) => {
  const index = s[r.index];
  seqEnd(c, s, r);
  setCurrent(c, s, index, 1);
  return c.literal ? then(s, r, P.unlock) : createUnlock(c, s, r);
};

const createLink: Step = (c, s, r) => {
  link(c, s, r);
  result(c, outcome('created'), s[r.index]);
  return finish(s, r);
};

// ---- update ----

const updateSeqBegin: Step = (c, s, r) => {
  const index = s[r.index];
  if (!seqBegin(c, s, r)) return false;
  store(c, s, index, r.owner);
  return then(s, r, P.uWord1);
};

const updateWord1: Step = (c, s, r) => {
  const index = s[r.index];
  store(c, s, index, r.owner);
  writeWord(c, s, index, 1, r.value, r.owner + 1);
  return then(s, r, P.uWord2);
};

const updateWord2: Step = (c, s, r) => {
  const index = s[r.index];
  store(c, s, index, r.owner);
  writeWord(c, s, index, 2, r.value, r.owner + 1);
  return then(s, r, P.uSeqEnd);
};

const updateSeqEnd: Step = (c, s, r) => {
  const index = s[r.index];
  store(c, s, index, r.owner);
  seqEnd(c, s, r);
  completeUpdate(c, s, index, r.owner, r.value);
  result(c, outcome('updated'), index);
  return finish(s, r);
};

// ---- destroy (after the unlink that started it) ----

const destroySeqBegin: Step = (c, s, r) => {
  if (!seqBegin(c, s, r)) return false;
  setCurrent(c, s, s[r.index], 0);
  return then(s, r, P.dUid);
};

const destroyUid: Step = (c, s, r) => {
  s[slotAt(c, s[r.index]) + SLOT.ident] = 0;
  return then(s, r, P.dGen);
};

const destroyGen: Step = (c, s, r) => {
  bumpGen(c, s, s[r.index]);
  return then(s, r, c.zeroOnRecycle ? P.dZero1 : P.dSeqEnd);
};

const destroyZero1: Step = (c, s, r) => {
  writeWord(c, s, s[r.index], 1, 0, 0);
  return then(s, r, P.dZero2);
};

const destroyZero2: Step = (c, s, r) => {
  writeWord(c, s, s[r.index], 2, 0, 0);
  return then(s, r, P.dSeqEnd);
};

/** Ends the clear; after-grace hands the index to the grace period, immediate returns it now. */
const destroySeqEnd: Step = (c, s, r) => {
  const index = s[r.index];
  seqEnd(c, s, r);
  if (!c.reuseAfterGrace) return then(s, r, P.retire);
  s[slotAt(c, index) + SLOT.alloc] = c.pending;
  result(c, outcome('deleted'), index);
  return finish(s, r);
};

const destroyRetire: Step = (c, s, r) => {
  if (s[c.L.global + GLOBAL.allocLock] !== 0) return false;
  s[c.L.global + GLOBAL.allocLock] = 1;
  return c.literal ? then(s, r, P.release) : destroyRelease(c, s, r);
};

const destroyRelease: Step = (c, s, r) => {
  const index = s[r.index];
  releaseIndex(c, s, index);
  s[c.L.global + GLOBAL.allocLock] = 0;
  result(c, outcome('deleted'), index);
  return finish(s, r);
};

const idle: Step = () => false;

const stepFor = (pc: KernelPc): Step =>
  match(pc)
    .with('idle', () => idle)
    .with('create.alloc', () => createAlloc)
    .with('create.map', () => createMap)
    .with('create.publish', () => createPublish)
    .with('create.link-early', () => createLinkEarly)
    .with('create.seq-begin', () => createSeqBegin)
    .with('create.uid', () => createUid)
    .with('create.gen', () => createGen)
    .with('create.zero-word1', () => createZero1)
    .with('create.zero-word2', () => createZero2)
    .with('create.seq-end', () => createSeqEnd)
    .with('create.link', () => createLink)
    .with('update.seq-begin', () => updateSeqBegin)
    .with('update.word1', () => updateWord1)
    .with('update.word2', () => updateWord2)
    .with('update.seq-end', () => updateSeqEnd)
    .with('destroy.seq-begin', () => destroySeqBegin)
    .with('destroy.uid', () => destroyUid)
    .with('destroy.gen', () => destroyGen)
    .with('destroy.zero-word1', () => destroyZero1)
    .with('destroy.zero-word2', () => destroyZero2)
    .with('destroy.seq-end', () => destroySeqEnd)
    .with('destroy.retire', () => destroyRetire)
    .with('create.choose', () => createChoose)
    .with('create.page', () => createPage)
    .with('create.unlock', () => createUnlock)
    .with('destroy.release', () => destroyRelease)
    .exhaustive();

const SEQ_STEPS: readonly boolean[] = KERNEL_PCS.map(bumpsSeq);
const STEPS: readonly Step[] = KERNEL_PCS.map((pc, i) => (SEQ_STEPS[i] ? loadFirst(stepFor(pc)) : stepFor(pc)));

/** The next step of whatever operation the registers are in. */
export function continueOp(c: Ctx, s: Uint8Array, r: Regs): number {
  if (r.fixedOwner < 0) {
    r.owner = s[r.ownerAt];
    r.value = s[r.valueAt];
  }
  return STEPS[s[r.pc]](c, s, r) ? TAKEN : MUST_WAIT;
}

/** True while a kernel context holds index `index` inside an update (the grace period waits for it). */
export function heldByUpdate(c: Ctx, s: Uint8Array, index: number): boolean {
  for (let k = 0; k < c.L.kernels; k++) {
    const base = kernelAt(c, k);
    const pc = s[base + KERNEL.pc];
    if (pc >= P.uSeqBegin && pc <= P.uSeqEnd && s[base + KERNEL.index] === index) return true;
  }
  return false;
}

/**
 * The grace period of the element that was in slot `index` ends, once no kernel context still holds
 * it, and the index goes back to the allocator (under its lock). Each destroyed element has a grace
 * period of its own (call_rcu per element), so two pending indices return in either order.
 */
export function graceStep(c: Ctx, s: Uint8Array, index: number): number {
  if (s[slotAt(c, index) + SLOT.alloc] !== c.pending) return NOT_ENABLED;
  if (s[c.L.global + GLOBAL.allocLock] !== 0 || heldByUpdate(c, s, index)) return MUST_WAIT;
  releaseIndex(c, s, index);
  return TAKEN;
}
