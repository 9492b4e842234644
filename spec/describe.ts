/**
 * The spec's state and steps in the design's words, for traces and counterexamples: a packed state
 * decoded into named variables, and a step into its actor, action, choices and observation.
 * Conventions: owners are named A, B, C...; -1 stands for "none" in index and number fields.
 */
import type { LsmcSpec } from './index.js';
import { RF_SCAN, SLOT_FREE } from './codes.js';
import { type Observation, PHASES, VIEWS } from './vocabulary.js';
import { KERNEL_PCS, kernelStepName, type Load, READER_PCS, readerStepName, type StepName } from './steps.js';
import { kernelAt, ownerAt, readerAt, slotAt } from './context.js';
import { GLOBAL, KERNEL, OWNER, PAGE, PAGE_FIELDS, READER, SLOT } from './layout.js';
import { loadsSeqNext } from './kernel.js';
import { nextLifecycleStep } from './owner.js';
import { STALE } from './counters.js';
import { ownerName, ownerRef } from './names.js';
import { firstLoad } from './reader.js';

export type Plain = number | string | boolean | readonly Plain[] | { readonly [key: string]: Plain };
export type Record_ = { readonly [key: string]: Plain };

/** A reader's copy of a counter: its value, or 'stale' once a bump made it older (spec/counters.ts). */
const copy = (v: number): number | string => (v === STALE ? 'stale' : v);

export function actorName(spec: LsmcSpec, actor: number): string {
  const a = spec.actors;
  if (actor < a.firstKernel) return ownerName(actor);
  if (actor < a.firstReader) return `K${actor - a.firstKernel + 1}`;
  if (actor < a.grace) return `R${actor - a.firstReader + 1}`;
  return 'RCU';
}

/** The actor as a sentence names it: "task A", "kernel context K1", "reader R1", "RCU". */
export function actorLabel(spec: LsmcSpec, actor: number): string {
  const a = spec.actors;
  const name = actorName(spec, actor);
  if (actor < a.firstKernel) return `${spec.ctx.task ? 'task' : 'cgroup'} ${name}`;
  if (actor < a.firstReader) return `kernel context ${name}`;
  if (actor < a.grace) return `reader ${name}`;
  return 'the RCU grace period';
}

export const STATE_VARS = ['owners', 'slots', 'pages', 'publishedSize', 'allocator', 'pidCursor', 'kernel', 'readers'] as const;

export function decodeState(spec: LsmcSpec, s: Uint8Array): Record_ {
  const c = spec.ctx;
  const L = c.L;
  const owners: Record<string, Plain> = {};
  for (let o = 0; o < L.owners; o++) {
    const at = ownerAt(c, o);
    owners[ownerName(o)] = {
      phase: PHASES[s[at + OWNER.phase]],
      pid: s[at + OWNER.pid] - 1,
      link: s[at + OWNER.link] - 1,
      refs: s[at + OWNER.refs],
      creating: s[at + OWNER.creating] !== 0,
      freeStep: KERNEL_PCS[s[at + OWNER.pc]],
      freeIndex: s[at + OWNER.pc] === 0 ? -1 : s[at + OWNER.index],
      freeEpoch: s[at + OWNER.epoch],
      freeLoadedSeq: s[at + OWNER.loaded] - 1,
    };
  }
  const slots: Plain[] = [];
  for (let i = 0; i < L.slots; i++) {
    const at = slotAt(c, i);
    const alloc = s[at + SLOT.alloc];
    const ident = s[at + SLOT.ident];
    slots.push({
      alloc: alloc === SLOT_FREE ? 'free' : alloc === c.pending ? 'grace' : ownerRef(alloc),
      epoch: s[at + SLOT.epoch],
      seq: s[at + SLOT.seq],
      [c.byUid ? 'uid' : 'pid']: c.byUid ? ownerRef(ident) : ident - 1,
      gen: s[at + SLOT.gen],
      word1: s[at + SLOT.w1],
      word2: s[at + SLOT.w2],
      word1For: ownerRef(s[at + SLOT.w1For]),
      word2For: ownerRef(s[at + SLOT.w2For]),
      current: s[at + SLOT.current] - 1,
    });
  }
  const pages: Plain[] = [];
  for (let p = 0; p < L.pages; p++) {
    const at = L.page + p * PAGE_FIELDS;
    pages.push({ kernel: s[at + PAGE.kernel] !== 0 ? 'present' : 'absent', view: VIEWS[s[at + PAGE.view]] });
  }
  const g = L.global;
  const freeStack: number[] = [];
  if (c.lifo) for (let t = 0; t < s[g + GLOBAL.freeTop]; t++) freeStack.push(s[L.freeStack + t]);
  const kernel: Record<string, Plain> = {};
  for (let k = 0; k < L.kernels; k++) {
    const at = kernelAt(c, k);
    const busy = s[at + KERNEL.pc] !== 0;
    kernel[`K${k + 1}`] = {
      step: KERNEL_PCS[s[at + KERNEL.pc]],
      owner: busy ? ownerName(s[at + KERNEL.owner]) : 'none',
      value: s[at + KERNEL.value],
      index: busy && s[at + KERNEL.pc] !== 1 ? s[at + KERNEL.index] : -1,
      epoch: s[at + KERNEL.epoch],
      loadedSeq: s[at + KERNEL.loaded] - 1,
      ops: s[at + KERNEL.ops],
    };
  }
  const readers: Record<string, Plain> = {};
  for (let r = 0; r < L.readers; r++) {
    const at = readerAt(c, r);
    const pc = s[at + READER.pc];
    const scan = (s[at + READER.flags] & RF_SCAN) !== 0;
    readers[`R${r + 1}`] = {
      step: pc === 0 ? 'idle' : `${scan ? 'scan' : 'read'}.${READER_PCS[pc]}`,
      ops: s[at + READER.ops],
      cacheOwner: ownerRef(s[at + READER.cacheOwner]),
      cacheIndex: s[at + READER.cacheOwner] === 0 ? -1 : s[at + READER.cacheIndex],
      cacheIdent: s[at + READER.cacheOwner] === 0 ? -1 : s[at + READER.cacheIdent],
      cacheGen: s[at + READER.cacheOwner] === 0 ? -1 : copy(s[at + READER.cacheGen]),
      target: ownerRef(s[at + READER.target]),
      index: pc === 0 ? -1 : s[at + READER.index],
      retries: s[at + READER.retries],
      flags: s[at + READER.flags],
      word1: s[at + READER.w1],
      word1For: ownerRef(s[at + READER.w1For]),
      word2: s[at + READER.w2],
      seq1: copy(s[at + READER.seq1]),
      seen: s[at + READER.seen],
    };
  }
  return {
    owners,
    slots,
    pages,
    publishedSize: s[g + GLOBAL.publishedSize],
    allocator: { lock: s[g + GLOBAL.allocLock] !== 0, cursor: s[g + GLOBAL.allocCursor], freeStack, highWater: s[g + GLOBAL.highWater] },
    pidCursor: s[g + GLOBAL.pidCursor],
    kernel,
    readers,
  };
}

export interface StepInfo {
  readonly actor: string;
  readonly actorLabel: string;
  /** The action as `mbt::actionTaken` names it, e.g. `spawn`, `create`, `create.alloc`, `read.uid`. */
  readonly action: StepName;
  /** The nondeterministic choices of the step, as `mbt::nondetPicks` records them. */
  readonly picks: Record_;
  readonly observation: Observation;
  /** Step-invariant bits the step broke. */
  readonly broke: number;
  /** For a reader's step: the field its load read (`seq-begin`, `uid`, ... `seq-end`, `size`); '' otherwise. */
  readonly load: Load | '';
}

function loadOf(pc: Load | 'idle'): Load {
  if (pc === 'idle') throw new Error('a reader step with no read under way');
  return pc;
}

/** The name of the step `action` would take from `before`, whether or not it can be taken there. */
export function stepName(spec: LsmcSpec, before: Uint8Array, action: number): StepName {
  const a = spec.actions[action];
  const c = spec.ctx;
  switch (a.kind) {
    case 'lifecycle': {
      const step = nextLifecycleStep(c, before, a.owner);
      if (step === 'destroy') {
        const pc = KERNEL_PCS[before[ownerAt(c, a.owner) + OWNER.pc]];
        if (pc === 'idle') throw new Error('a free step with no destroy under way');
        return kernelStepName(pc, true, loadsSeqNext(c, before, spec.ownerRegs[a.owner]));
      }
      if (step === 'none') throw new Error('a lifecycle step with nothing to do');
      if (c.task) return step;
      return step === 'spawn' ? 'mkdir' : step === 'exit' ? 'rmdir' : step;
    }
    case 'kernel-step': {
      const k = a.actor - spec.actors.firstKernel;
      const pc = KERNEL_PCS[before[kernelAt(c, k) + KERNEL.pc]];
      if (pc === 'idle') throw new Error('a kernel step with no operation under way');
      return kernelStepName(pc, false, loadsSeqNext(c, before, spec.kernelRegs[k]));
    }
    case 'reader-step': {
      const at = readerAt(c, a.actor - spec.actors.firstReader);
      const scan = (before[at + READER.flags] & RF_SCAN) !== 0;
      return readerStepName(scan ? 'scan' : 'read', loadOf(READER_PCS[before[at + READER.pc]]));
    }
    case 'grace':
      return 'grace-period';
    default:
      return a.kind;
  }
}

/** Names the step `action` takes from `before` and what it returned; `after` receives the successor. */
export function describeStep(spec: LsmcSpec, before: Uint8Array, action: number, after: Uint8Array): StepInfo {
  const a = spec.actions[action];
  const c = spec.ctx;
  const name = stepName(spec, before, action);
  const picks: Record<string, Plain> = {};
  if (a.kind === 'create' || a.kind === 'update' || a.kind === 'delete' || a.kind === 'lookup') picks.owner = ownerName(a.owner);
  if (a.kind === 'update') picks.value = a.value;
  if (a.kind === 'lookup' && !c.byUid) picks.answer = ownerName(a.answer);
  if (a.kind === 'scan' || a.kind === 'grace') picks.index = a.index;
  const load = ((): Load | '' => {
    if (a.kind === 'reader-step') return loadOf(READER_PCS[before[readerAt(c, a.actor - spec.actors.firstReader) + READER.pc]]);
    if (a.kind === 'read' || a.kind === 'scan') return loadOf(READER_PCS[firstLoad(c, a.kind)]);
    return '';
  })();
  const r = spec.take(action, before, after);
  if (r.kind !== 'taken') throw new Error(`describeStep: ${actorName(spec, a.actor)}.${name} is not taken here (${r.kind})`);
  return { load, actor: actorName(spec, a.actor), actorLabel: actorLabel(spec, a.actor), action: name, picks, observation: r.observation, broke: r.broke };
}

/** The observation in the words a reviewer reads: `value(A, 1)`, `gone (A, index 0)`, `created (index 0)`. */
export function observationText(o: Observation): string {
  switch (o.kind) {
    case 'none':
      return '';
    case 'value':
      return o.word1 === o.word2 ? `value(${o.owner}, ${o.word1})` : `value(${o.owner}, ${o.word1}|${o.word2})`;
    case 'index':
      return `index ${o.index} for ${o.owner}`;
    case 'gone':
    case 'not-visible':
    case 'fault':
      return o.index >= 0 ? `${o.kind} (${o.owner}, index ${o.index})` : `${o.kind} (${o.owner})`;
    case 'created':
    case 'updated':
    case 'deleted':
    case 'exists':
      return `${o.kind} (index ${o.index})`;
    default:
      return o.owner === 'none' ? o.kind : `${o.kind} (${o.owner})`;
  }
}
