/**
 * Coverage goals for test generation: every kind of step in every outcome it can have, refined
 * where the design has distinct paths through one step (which allocator path a create takes, which
 * pid number a spawn gets, whether a retire reclaims a page, in which phase of its owner's life an
 * operation starts). A goal is named without actors, so that it means the same under symmetry.
 */
import { RF_SCAN, RF_UID_MISMATCH } from './codes.js';
import { ALIVE, EXITED, FREED, OUTCOMES, type Outcome, REAPED, VIEW_MAPPED, outcome } from './vocabulary.js';
import type { Ctx } from './context.js';
import { kernelAt, ownerAt, pageOf, readerAt, slotAt } from './context.js';
import type { Action } from './actions.js';
import { type Load, partsOf, READER_PCS, readerStepName, STEP_NAMES, type StepName } from './steps.js';
import { firstLoad } from './reader.js';
import { heldByUpdate } from './kernel.js';
import { GLOBAL, KERNEL, OWNER, PAGE, PAGE_FIELDS, READER, SLOT } from './layout.js';
import { pidHeld } from './owner.js';
import { retriedAttributed } from './history.js';

export const QUALIFIERS = [
  '',
  'owner-alive',
  'owner-exited',
  'owner-reaped',
  'owner-freed',
  'new-page',
  'fresh-index',
  'reused-index',
  'page-again',
  'page-reclaimed',
  'with-element',
  'seq-odd',
  'seq-changed',
  'uid-mismatch',
  'gen-mismatch',
  'not-lowest-free',
  'some-held',
  'pid-not-lowest-free',
  'pid-reused',
  'after-retry',
  'wrapped',
  'uid-mismatch-after-retry',
  'gen-mismatch-after-retry',
  'after-attributed-retry',
  'uid-mismatch-after-attributed-retry',
] as const;
export type Qualifier = (typeof QUALIFIERS)[number];
const Q_ID: ReadonlyMap<Qualifier, number> = new Map(QUALIFIERS.map((q, i) => [q, i]));
const Q = (q: Qualifier): number => Q_ID.get(q) as number;

const NAME_ID = new Map(STEP_NAMES.map((n, i) => [n, i]));

export interface Goal {
  readonly step: StepName;
  readonly outcome: Outcome;
  readonly qualifier: Qualifier;
}

export const goalCount = STEP_NAMES.length * OUTCOMES.length * QUALIFIERS.length;

export function goalId(step: StepName, out: Outcome, q: Qualifier): number {
  const n = NAME_ID.get(step) as number;
  return (n * OUTCOMES.length + outcome(out)) * QUALIFIERS.length + Q(q);
}

/** The step of goal `id`, without building the goal (the generator asks it of every transition). */
export const stepOfGoal = (id: number): StepName => STEP_NAMES[Math.floor(id / (OUTCOMES.length * QUALIFIERS.length))];

export function goalOf(id: number): Goal {
  const q = id % QUALIFIERS.length;
  const rest = (id - q) / QUALIFIERS.length;
  const o = rest % OUTCOMES.length;
  return { step: STEP_NAMES[(rest - o) / OUTCOMES.length], outcome: OUTCOMES[o], qualifier: QUALIFIERS[q] };
}

export function goalName(g: Goal): string {
  return `${g.step} -> ${g.outcome}${g.qualifier === '' ? '' : ` [${g.qualifier}]`}`;
}

const PHASE_QUALIFIER: Record<number, Qualifier> = { [ALIVE]: 'owner-alive', [EXITED]: 'owner-exited', [REAPED]: 'owner-reaped', [FREED]: 'owner-freed' };

function reclaimed(c: Ctx, from: Uint8Array, to: Uint8Array): boolean {
  for (let p = 0; p < c.L.pages; p++) {
    const at = c.L.page + p * PAGE_FIELDS + PAGE.kernel;
    if (from[at] !== 0 && to[at] === 0) return true;
  }
  return false;
}

/** Which allocator path create.alloc took: a page never used, one allocated again after reclaim, or an index in a present page; a cyclic search that wrapped, or a free index below the one taken. */
function allocPath(c: Ctx, from: Uint8Array, to: Uint8Array, k: number): Qualifier {
  const index = to[kernelAt(c, k) + KERNEL.index];
  const page = pageOf(c, index);
  // The cyclic search went past the last index and round to the first: every index from the cursor on was taken.
  if (c.policy === 'cyclic' && index < from[c.L.global + GLOBAL.allocCursor]) return 'wrapped';
  // What sets cyclic and lifo apart from lowest: a free index below the one taken.
  for (let i = 0; i < index; i++) if (from[slotAt(c, i) + SLOT.alloc] === 0) return 'not-lowest-free';
  if (from[c.L.page + page * PAGE_FIELDS + PAGE.kernel] === 0) {
    for (let i = page * c.slotsPerPage; i < (page + 1) * c.slotsPerPage; i++) if (from[slotAt(c, i) + SLOT.epoch] !== 0) return 'page-again';
    return 'new-page';
  }
  return from[slotAt(c, index) + SLOT.epoch] === 0 ? 'fresh-index' : 'reused-index';
}

/**
 * Which pid number a spawn got, where the cyclic pid allocator differs from the obvious: one a
 * reaped task still records (by pid, its element may outlive it: hazard 2), or one above a free one.
 */
function pidPath(c: Ctx, from: Uint8Array, to: Uint8Array, o: number): Qualifier {
  const pid = to[ownerAt(c, o) + OWNER.pid];
  for (let x = 0; x < c.L.owners; x++) {
    const phase = from[ownerAt(c, x) + OWNER.phase];
    if (x !== o && (phase === REAPED || phase === FREED) && from[ownerAt(c, x) + OWNER.pid] === pid) return 'pid-reused';
  }
  // OWNER.pid holds the pid number + 1.
  for (let p = 0; p < pid - 1; p++) if (!pidHeld(c, from, p)) return 'pid-not-lowest-free';
  return '';
}

/**
 * Why a read ended or retried where one step can do so for different reasons: the second seq load
 * found a write in progress or a completed one; the owner is gone by its uid or by its gen.
 */
function readerCause(c: Ctx, from: Uint8Array, to: Uint8Array, at: number, pc: Load, out: Outcome): Qualifier {
  // A scan must forget the owner a retried attempt attributed the slot to; that shows only in how a
  // later attempt that attributes it to nobody ends (the lone reader's, under SpecOptions.history).
  if (out !== 'retry' && out !== 'none' && (from[at + READER.flags] & RF_SCAN) !== 0 && retriedAttributed(c, from))
    return out === 'gone' ? 'uid-mismatch-after-attributed-retry' : 'after-attributed-retry';
  if (pc === 'uid' && out === 'none') return attributedPhase(c, to, at);
  if (pc === 'seq-end' && (out === 'retry' || out === 'busy')) {
    const index = from[at + READER.index];
    const mapped = from[c.L.page + pageOf(c, index) * PAGE_FIELDS + PAGE.view] === VIEW_MAPPED;
    return mapped && (from[slotAt(c, index) + SLOT.seq] & 1) !== 0 ? 'seq-odd' : 'seq-changed';
  }
  // What an attempt carries over from the one it retries (the owner a scan attributed the slot to,
  // the words, the first seq) shows only in how a later attempt ends: the same ends, after a retry.
  const kind = (from[at + READER.flags] & RF_SCAN) !== 0 ? 'scan' : 'read';
  // A retried attempt's first load is a step of its own name already.
  const retried = from[at + READER.retries] > 0 && READER_PCS[firstLoad(c, kind)] !== pc;
  if (out === 'gone' && (pc === 'seq-end' || pc === 'word2')) {
    const uid = (from[at + READER.flags] & RF_UID_MISMATCH) !== 0;
    if (retried) return uid ? 'uid-mismatch-after-retry' : 'gen-mismatch-after-retry';
    return uid ? 'uid-mismatch' : 'gen-mismatch';
  }
  return retried && (out === 'value' || out === 'fault') ? 'after-retry' : '';
}

/** The phase of the owner a scan's uid load attributed the slot to ('' for a read, or for nobody). */
function attributedPhase(c: Ctx, to: Uint8Array, at: number): Qualifier {
  if ((to[at + READER.flags] & RF_SCAN) === 0) return '';
  const target = to[at + READER.target];
  return target === 0 ? '' : (PHASE_QUALIFIER[to[ownerAt(c, target - 1) + OWNER.phase]] ?? '');
}

/** The goal the transition `action` (the step `name`) from `from` to `to`, which returned `out`, hits. */
export function goalOfStep(c: Ctx, a: Action, name: StepName, actorBase: { firstKernel: number; firstReader: number }, from: Uint8Array, to: Uint8Array, out: Outcome): number {
  return goalId(name, out, qualifierOf(c, a, name, actorBase, from, to, out));
}

function qualifierOf(c: Ctx, a: Action, name: StepName, actorBase: { firstKernel: number; firstReader: number }, from: Uint8Array, to: Uint8Array, out: Outcome): Qualifier {
  const p = partsOf(name);
  switch (a.kind) {
    case 'lifecycle':
      if (p.kind === 'kernel') return p.pc === 'destroy.retire' && reclaimed(c, from, to) ? 'page-reclaimed' : '';
      if (name === 'spawn') return pidPath(c, from, to, a.owner);
      return name === 'free' && from[ownerAt(c, a.owner) + OWNER.link] !== 0 ? 'with-element' : '';
    case 'create':
    case 'update':
    case 'delete':
    case 'lookup':
      return PHASE_QUALIFIER[from[ownerAt(c, a.owner) + OWNER.phase]] ?? '';
    case 'kernel-step':
      if (p.kind !== 'kernel') return '';
      if (p.pc === 'create.alloc' && out === 'none') return allocPath(c, from, to, a.actor - actorBase.firstKernel);
      return p.pc === 'destroy.retire' && reclaimed(c, from, to) ? 'page-reclaimed' : '';
    case 'read':
      return '';
    case 'scan':
      // A scan whose first load is the uid (no seq check) attributes the slot in its first step.
      return READER_PCS[firstLoad(c, 'scan')] === 'uid' && out === 'none' ? attributedPhase(c, to, readerAt(c, a.actor - actorBase.firstReader)) : '';
    case 'reader-step':
      return p.kind === 'load' ? readerCause(c, from, to, readerAt(c, a.actor - actorBase.firstReader), p.load, out) : '';
    case 'grace': {
      let held = false;
      for (let i = 0; i < c.L.slots; i++) if (to[slotAt(c, i) + SLOT.alloc] === c.pending && heldByUpdate(c, to, i)) held = true;
      return held ? 'some-held' : reclaimed(c, from, to) ? 'page-reclaimed' : '';
    }
  }
}

/**
 * What reads the state each step changes, for goals that reach their consequences: a goal's trace
 * ends at its step, so a wrong value that step leaves in state no user sees (a cursor, a free list,
 * a reference, a marker, a cache) would show only at a later step that reads it. Generation extends
 * the trace to the nearest such step (src/gen/continue.ts).
 */
const CONSUMERS: Partial<Record<StepName, readonly StepName[]>> = {
  // The pid cursor and pid table: the next spawn; by pid number, a lookup of the number.
  spawn: ['spawn'],
  reap: ['spawn', 'lookup'],
  // The owner's phase: the create guard, and a lookup.
  exit: ['create', 'lookup'],
  mkdir: ['create'],
  rmdir: ['create', 'lookup'],
  free: ['lookup', 'create'],
  // The reference create takes: the owner's free must wait for it.
  create: ['free'],
  // The allocator's cursor, free list, high-water mark and the slot's epoch: the next allocation.
  'create.alloc': ['create.alloc'],
  'create.map': ['scan'],
  'create.publish': ['scan'],
  'create.uid': ['scan'],
  'create.gen': ['scan'],
  'create.link-early': ['lookup', 'update'],
  'create.seq-end': ['lookup', 'scan'],
  'create.link': ['lookup', 'update', 'delete', 'free'],
  // The RCU marker and the element an update holds: the grace period it keeps off.
  update: ['grace-period'],
  'update.word1': ['scan', 'read'],
  'update.word2': ['scan', 'read'],
  'update.seq-end': ['grace-period', 'read'],
  delete: ['lookup', 'update', 'create'],
  'destroy.uid': ['scan'],
  'destroy.gen': ['scan'],
  'destroy.seq-end': ['grace-period', 'create.alloc'],
  'destroy.retire': ['create.alloc'],
  'free.uid': ['scan'],
  'free.gen': ['scan'],
  'free.seq-end': ['grace-period', 'create.alloc'],
  'free.retire': ['create.alloc'],
  'grace-period': ['create.alloc'],
  // The reader's cached index, uid and gen: its next read.
  lookup: ['read'],
};

/** The steps that read what `step` changed (none: the trace's own later steps already do, or nothing does). */
export function consumersOf(step: StepName): readonly StepName[] {
  return CONSUMERS[step] ?? [];
}

/**
 * The goals the design allows in a configuration: what a complete suite would hit. Built from the
 * protocol, not from exploration, so that what a configuration cannot reach shows as missing.
 */
export function possibleGoals(c: Ctx): Goal[] {
  const out: Goal[] = [];
  const add = (step: StepName, outs: readonly Outcome[], qs: readonly Qualifier[] = ['']): void => {
    for (const o of outs) for (const q of qs) out.push({ step, outcome: o, qualifier: q });
  };
  // Under lifecycle=stay-alive an owner is spawned and never exits, so nothing of its later life
  // (exit, reap, rmdir, its free path, an operation on an exited owner, a pid number released) can
  // be hit: counting those as possible would blame on the bounds what the lifecycle rules out.
  const phases: Qualifier[] = c.stayAlive ? ['owner-alive'] : c.task ? ['owner-alive', 'owner-exited', 'owner-reaped', 'owner-freed'] : ['owner-alive', 'owner-exited', 'owner-freed'];
  type Bump = `${'create' | 'update' | 'destroy' | 'free'}.${'seq-begin' | 'seq-end'}`;
  const seq = (name: Bump): StepName[] => (c.singleWriter ? [name] : [`${name}.load`, name]);
  const reuse = c.reuseAfterGrace;
  const reclaimQs: Qualifier[] = c.reclaim === 'never' ? [''] : ['', 'page-reclaimed'];

  if (c.stayAlive) {
    // The pid cursor only moves up while no number is released: each spawn gets the lowest free one.
    add(c.task ? 'spawn' : 'mkdir', ['none']);
  } else if (c.task) {
    // By uid a reaped task forgets its pid number, so only by pid can a spawn meet one still recorded.
    add('spawn', ['none'], ['', ...(c.pidNumbers > 1 ? (['pid-not-lowest-free'] as Qualifier[]) : []), ...(c.byUid ? [] : (['pid-reused'] as Qualifier[]))]);
    add('exit', ['none']);
    add('reap', ['none']);
  } else {
    add('mkdir', ['none']);
    add('rmdir', ['none']);
  }
  if (!c.stayAlive) add('free', ['none'], ['', 'with-element']);
  const destroy = (prefix: 'free' | 'destroy'): void => {
    for (const n of seq(`${prefix}.seq-begin`)) add(n, ['none']);
    add(`${prefix}.uid`, ['none']);
    add(`${prefix}.gen`, ['none']);
    if (c.zeroOnRecycle) {
      add(`${prefix}.zero-word1`, ['none']);
      add(`${prefix}.zero-word2`, ['none']);
    }
    const ends = seq(`${prefix}.seq-end`);
    for (const n of ends.slice(0, -1)) add(n, ['none']);
    add(ends[ends.length - 1], [reuse ? 'deleted' : 'none']);
    if (!reuse) add(`${prefix}.retire`, ['deleted'], reclaimQs);
  };
  if (!c.stayAlive) destroy('free');

  add('create', ['none', 'exists'], ['owner-alive']);
  add('create', c.createGuard ? ['refused'] : ['none', 'exists'], phases.slice(1));
  // An owner is unlinked when freed; only a create that skips the guard can link it again.
  const linkable = c.createGuard ? phases.filter((q) => q !== 'owner-freed') : phases;
  for (const op of ['update', 'delete'] as const) {
    add(op, ['enoent'], phases);
    add(op, ['none'], linkable);
  }
  const allocQs: Qualifier[] = ['new-page', 'fresh-index', 'reused-index', ...(c.reclaim === 'never' ? [] : (['page-again'] as Qualifier[])), ...(c.policy === 'lowest' ? [] : (['not-lowest-free'] as Qualifier[])), ...(c.policy === 'cyclic' && c.L.slots > 1 ? (['wrapped'] as Qualifier[]) : [])];
  // Under abstract counters the epoch counts modulo 4 (spec/counters.ts), so an index handed out a
  // fourth time again reads as never handed out: the label is then "fresh or a fourth reuse", which
  // one slot a page reaches too.
  add('create.alloc', ['none'], c.slotsPerPage > 1 || c.counters === 'abstract' ? allocQs : allocQs.filter((q) => q !== 'fresh-index'));
  add('create.alloc', ['nomem']);
  add('create.map', ['none']);
  if (c.publishedSize) add('create.publish', ['none']);
  if (!c.linkAfterInit) add('create.link-early', ['none']);
  for (const n of seq('create.seq-begin')) add(n, ['none']);
  add('create.uid', ['none']);
  add('create.gen', ['none']);
  if (c.zeroOnRecycle) {
    add('create.zero-word1', ['none']);
    add('create.zero-word2', ['none']);
  }
  const cEnds = seq('create.seq-end');
  for (const n of cEnds.slice(0, -1)) add(n, ['none']);
  add(cEnds[cEnds.length - 1], [c.linkAfterInit ? 'none' : 'created']);
  if (c.linkAfterInit) add('create.link', ['created']);
  for (const n of seq('update.seq-begin')) add(n, ['none']);
  add('update.word1', ['none']);
  add('update.word2', ['none']);
  const uEnds = seq('update.seq-end');
  for (const n of uEnds.slice(0, -1)) add(n, ['none']);
  add(uEnds[uEnds.length - 1], ['updated']);
  destroy('destroy');
  // An update may hold the element an owner's free path retired, so one kernel context is enough;
  // owners that stay alive retire only by a delete, which the lone context cannot run beside an update.
  const held: Qualifier[] = c.stayAlive && c.L.kernels < 2 ? [] : ['some-held'];
  if (reuse) add('grace-period', ['none'], [...reclaimQs, ...held]);

  // By pid number a reaped task is no longer found: only an alive or exited one is looked up or attributed.
  const visible: Qualifier[] = c.byUid ? phases : phases.filter((q) => q === 'owner-alive' || q === 'owner-exited');
  add('lookup', ['gone'], visible);
  add('lookup', ['index'], visible.filter((q) => linkable.includes(q)));
  // Reads and scans: what each load can end with.
  const faults: Outcome[] = c.publishedSize && c.reclaim !== 'unmap' && c.publishAfterPage ? [] : ['fault'];
  const retries: Outcome[] = c.checksSeq ? ['retry', ...(c.retryBound >= 0 ? (['busy'] as Outcome[]) : [])] : [];
  for (const kind of ['read', 'scan'] as const) {
    const loads: Load[] = [];
    if (kind === 'read' && c.publishedSize) loads.push('size');
    if (c.checksSeq) loads.push('seq-begin');
    if (kind === 'scan' || c.checksUid) loads.push('uid');
    if (c.checksGen) loads.push('gen');
    loads.push('word1', 'word2');
    if (c.checksSeq) loads.push('seq-end');
    // What a scan's retry carries over (spec/history.ts), and whom its uid load attributes the slot to.
    const carried = kind === 'scan' && c.history && c.L.readers === 1 && c.checksSeq;
    const bounded: Outcome[] = c.retryBound >= 0 ? ['busy'] : [];
    const attributable = visible;
    loads.forEach((load, i) => {
      const outs: Outcome[] = load === 'size' ? ['none', 'not-visible'] : ['none', ...faults];
      if (load === 'seq-begin') outs.push(...retries);
      // Under a retry bound an attempt after a retry ends as a first one does, qualified so.
      const afterRetry = c.checksSeq && c.retryBound > 0 && i > 0;
      if (afterRetry) add(readerStepName(kind, load), faults, ['after-retry']);
      if (carried) {
        const name = readerStepName(kind, load);
        add(name, [...faults, ...(i === 0 || i === loads.length - 1 ? bounded : [])], ['after-attributed-retry']);
        if (i === loads.length - 1) {
          add(name, ['value'], ['after-attributed-retry']);
          add(name, ['gone'], ['uid-mismatch-after-attributed-retry']);
        }
      }
      if (i === loads.length - 1) {
        outs.splice(outs.indexOf('none'), 1);
        const name = readerStepName(kind, load);
        add(name, outs);
        add(name, ['value'], afterRetry ? ['', 'after-retry'] : ['']);
        const mismatches: Qualifier[] = kind === 'scan' ? ['uid-mismatch'] : [...(c.checksUid ? (['uid-mismatch'] as Qualifier[]) : []), ...(c.checksGen ? (['gen-mismatch'] as Qualifier[]) : [])];
        add(name, ['gone'], mismatches);
        if (afterRetry) add(name, ['gone'], mismatches.map((q): Qualifier => (q === 'uid-mismatch' ? 'uid-mismatch-after-retry' : 'gen-mismatch-after-retry')));
        if (load === 'seq-end') add(name, retries, ['seq-odd', 'seq-changed']);
        return;
      }
      // The first attempt cannot give up; a retry re-announces the first load as a step of its own.
      add(i === 0 ? kind : readerStepName(kind, load), i === 0 ? outs.filter((o) => o !== 'busy') : outs);
      if (kind === 'scan' && load === 'uid') add(i === 0 ? kind : readerStepName(kind, load), ['none'], attributable);
      const again = c.retryBound === 1 ? outs.filter((o) => o !== 'retry') : outs;
      if (i === 0 && c.checksSeq && (load === 'seq-begin' || load === 'size')) add(readerStepName(kind, load), again);
    });
  }
  return out;
}
