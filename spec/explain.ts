/**
 * One sentence per violation that says why the invariant broke, in the design's words, built from
 * the counterexample's own states: which load of the reader's last attempt saw what, whom each
 * accepted word was really written for (a word zeroed by a clear or with its page belongs to
 * nobody), and what happened to `seq` between the two loads that compared it.
 * test/support/explanation-check.ts checks every sentence against the trace it explains.
 */
import { match } from 'ts-pattern';
import { observationText, type Plain, type Record_, type StepInfo } from './describe.js';
import type { InvariantName } from './invariants.js';
import { inSeqWindow, isKernelPc } from './steps.js';

export type Verdict = InvariantName | 'deadlock';

/** A state of a counterexample as the explanation reads it: the step that led to it and its variables. */
export interface TracedState {
  readonly step: StepInfo | null;
  readonly vars: Record_;
}

/** The value at `path` in a decoded state, or undefined. */
export const get = (r: Plain | undefined, ...path: (string | number)[]): Plain | undefined => {
  let v: Plain | undefined = r;
  for (const p of path) {
    if (v === undefined || typeof v !== 'object') return undefined;
    v = (v as Record<string, Plain>)[p as string];
  }
  return v;
};

const entries = (r: Plain | undefined): [string, Plain][] => (r !== undefined && typeof r === 'object' ? Object.entries(r) : []);

/** One load of a reader's last attempt, as the mapping served it. */
export interface Load {
  readonly step: number;
  /** The protocol's name of the load: `size`, `seq-begin`, `uid`, `gen`, `word1`, `word2`, `seq-end`. */
  readonly field: string;
  /** What the load returned: a number, or for a uid an owner name ('none' for 0). */
  readonly value: number | string;
  /** For a word: the owner it was written for, or 'none'. */
  readonly writtenFor: string;
  /** For a word: where it came from, in words ("written for B by kernel context K2's update at step 9"). */
  readonly origin: string;
}

/** The loads of the last attempt of the read or scan that the step at `end` completed. */
export interface ReadStory {
  readonly reader: string;
  readonly index: number;
  readonly loads: readonly Load[];
  /** Steps between the first and the last seq load that changed the slot's seq. */
  readonly seqChanges: readonly number[];
  /** A step between the two seq loads at which the slot's page was allocated again, zeroed. */
  readonly pageZeroed: number | null;
  /** A step between the two seq loads at which the slot's page was reclaimed to the zero page. */
  readonly zeroView: number | null;
}

const SLOT_FIELD: Readonly<Record<string, string>> = { 'seq-begin': 'seq', 'seq-end': 'seq', gen: 'gen', word1: 'word1', word2: 'word2' };

function slotVar(states: readonly TracedState[], at: number, index: number, field: string): Plain | undefined {
  return get(states[at].vars.slots, index, field);
}

function pageOfIndex(states: readonly TracedState[], index: number): number {
  const slots = (states[0].vars.slots as readonly Plain[]).length;
  const pages = (states[0].vars.pages as readonly Plain[]).length;
  return Math.floor(index / (slots / pages));
}

/** Where the word `word` (1 or 2) of slot `index`, as loaded at step `step`, came from. */
function wordOrigin(states: readonly TracedState[], step: number, index: number, word: 1 | 2): { writtenFor: string; origin: string } {
  const view = get(states[step - 1].vars.pages, pageOfIndex(states, index), 'view');
  if (view !== 'mapped') return { writtenFor: 'none', origin: `read through the ${String(view)} view, written for nobody` };
  const forField = `word${word}For`;
  const writtenFor = String(slotVar(states, step - 1, index, forField));
  for (let k = step - 1; k >= 1; k--) {
    const changed = slotVar(states, k, index, forField) !== slotVar(states, k - 1, index, forField) || slotVar(states, k, index, `word${word}`) !== slotVar(states, k - 1, index, `word${word}`);
    if (!changed) continue;
    const s = states[k].step as StepInfo;
    if (writtenFor !== 'none') return { writtenFor, origin: `written for ${writtenFor} by ${s.actorLabel}'s ${s.action} at step ${k}` };
    if (s.action === 'create.alloc') return { writtenFor, origin: `zeroed with its page, allocated again at step ${k}, and written for nobody` };
    return { writtenFor, origin: `zeroed by ${s.actorLabel}'s ${s.action} at step ${k}, written for nobody` };
  }
  return { writtenFor, origin: writtenFor === 'none' ? 'never written' : `written for ${writtenFor}` };
}

/** The load a reader's step `j` made from slot `index`, as the mapping served it; null for a step that loads nothing. */
export function loadAt(states: readonly TracedState[], j: number, index: number): Load | null {
  const field = states[j].step?.load ?? '';
  if (field === '') return null;
  const before = states[j - 1].vars;
  const mapped = get(before.pages, pageOfIndex(states, index), 'view') === 'mapped';
  const slotField = field === 'uid' ? (get(before.slots, index, 'uid') !== undefined ? 'uid' : 'pid') : SLOT_FIELD[field];
  const raw = slotField === undefined ? get(before, 'publishedSize') : slotVar(states, j - 1, index, slotField);
  const zero = slotField === 'uid' ? 'none' : slotField === 'pid' ? -1 : 0;
  const value = mapped || slotField === undefined ? (typeof raw === 'number' || typeof raw === 'string' ? raw : zero) : zero;
  const word = field === 'word1' ? 1 : field === 'word2' ? 2 : 0;
  const w = word === 0 ? { writtenFor: '', origin: '' } : wordOrigin(states, j, index, word);
  return { step: j, field, value, ...w };
}

/** The slot index a reader's step `j` loads from: its register before the step, or after a starting step. */
export function readerIndexAt(states: readonly TracedState[], j: number): number {
  const actor = states[j].step?.actor ?? '';
  for (const vars of [states[j - 1].vars, states[j].vars]) {
    const index = get(vars.readers, actor, 'index');
    if (typeof index === 'number' && index >= 0) return index;
  }
  const picked = states[j].step?.picks.index;
  return typeof picked === 'number' ? picked : -1;
}

export function readStory(states: readonly TracedState[], end: number): ReadStory | null {
  const last = states[end].step;
  if (last === null || !/^R[0-9]+$/.test(last.actor)) return null;
  const reader = last.actor;
  const index = get(states[end - 1].vars.readers, reader, 'index');
  if (typeof index !== 'number' || index < 0) return null;
  const steps: number[] = [];
  for (let j = end; j >= 1; j--) {
    const s = states[j].step;
    if (s === null || s.actor !== reader) continue;
    if (j < end && s.observation.kind === 'retry') break;
    steps.unshift(j);
    if (s.action === 'read' || s.action === 'scan') break;
  }
  const page = pageOfIndex(states, index);
  const loads = steps.map((j) => loadAt(states, j, index)).filter((l): l is Load => l !== null);
  const seqLoads = loads.filter((l) => l.field === 'seq-begin' || l.field === 'seq-end');
  const seqChanges: number[] = [];
  let pageZeroed: number | null = null;
  let zeroView: number | null = null;
  if (seqLoads.length >= 2) {
    for (let k = seqLoads[0].step + 1; k < seqLoads[seqLoads.length - 1].step; k++) {
      if (slotVar(states, k, index, 'seq') !== slotVar(states, k - 1, index, 'seq')) seqChanges.push(k);
      if (get(states[k].vars.pages, page, 'kernel') === 'present' && get(states[k - 1].vars.pages, page, 'kernel') === 'absent') pageZeroed ??= k;
      if (get(states[k].vars.pages, page, 'view') === 'zero-page' && get(states[k - 1].vars.pages, page, 'view') === 'mapped') zeroView ??= k;
    }
  }
  return { reader, index, loads, seqChanges, pageZeroed, zeroView };
}

function wordsSentence(story: ReadStory): string {
  const w1 = story.loads.find((l) => l.field === 'word1');
  const w2 = story.loads.find((l) => l.field === 'word2');
  if (w1 === undefined || w2 === undefined) return '';
  return `word 1 (loaded at step ${w1.step}) was ${w1.origin}, and word 2 (step ${w2.step}) was ${w2.origin}`;
}

function seqSentence(states: readonly TracedState[], story: ReadStory): string {
  const seq = story.loads.filter((l) => l.field === 'seq-begin' || l.field === 'seq-end');
  if (seq.length < 2) return ' It made no seq check that could have noticed.';
  const [a, b] = [seq[0], seq[seq.length - 1]];
  if (a.value !== b.value) return '';
  if (story.seqChanges.length === 0) {
    const writers = writersInWindow(states, a.step - 1, story.index);
    if (writers.length === 0) return ` Both its seq loads (steps ${a.step} and ${b.step}) read ${a.value}, and no write bumped seq in between.`;
    return ` Both its seq loads (steps ${a.step} and ${b.step}) read ${a.value}, an even value, though ${writers.join(' and ')}: so it saw no write in progress.`;
  }
  const changes = story.seqChanges.length <= 4 ? `at steps ${story.seqChanges.join(', ')}` : `${story.seqChanges.length} times`;
  const why =
    story.pageZeroed !== null
      ? `: the page was allocated again, zeroed, at step ${story.pageZeroed}, and seq counted up from 0 to the same value`
      : story.zeroView !== null && b.value === 0
        ? `: the page was reclaimed at step ${story.zeroView}, and its zero page reads seq as 0`
        : '';
  return ` Both its seq loads (steps ${a.step} and ${b.step}) read ${a.value}, though seq changed ${changes} in between${why}.`;
}

/** The writers inside an odd-seq window on slot `index` in state `at`, each with the step that opened it. */
function writersInWindow(states: readonly TracedState[], at: number, index: number): string[] {
  const vars = states[at].vars;
  const out: string[] = [];
  const opened = (actor: string, op: string): void => {
    for (let k = at; k >= 1; k--) {
      const s = states[k].step;
      if (s === null || s.actor !== actor || !s.action.endsWith('.seq-begin')) continue;
      const seq = slotVar(states, k, index, 'seq');
      out.push(`${s.actorLabel} was inside its ${op}, whose seq-begin at step ${k} left seq ${typeof seq === 'number' && seq % 2 === 0 ? `even (${seq})` : `odd (${String(seq)})`}`);
      return;
    }
  };
  for (const [name, k] of entries(vars.kernel)) {
    const step = get(k, 'step');
    if (isKernelPc(step) && inSeqWindow(step) && get(k, 'index') === index) opened(name, step.split('.')[0]);
  }
  for (const [name, o] of entries(vars.owners)) {
    const step = get(o, 'freeStep');
    if (isKernelPc(step) && inSeqWindow(step) && get(o, 'freeIndex') === index) opened(name, 'clear');
  }
  return out;
}

/** `subject`: for a liveness violation, the actor that never makes progress (e.g. "reader R1"). */
export function explainViolation(invariant: Verdict, states: readonly TracedState[], subject: string | null = null): string {
  const end = states.length - 1;
  const last = states[end].step;
  const before = states[Math.max(0, end - 1)].vars;
  const after = states[end].vars;
  const label = last?.actorLabel ?? 'the initial state';
  const who = label.charAt(0).toUpperCase() + label.slice(1);
  const obs = last === null ? '' : observationText(last.observation);
  const owner = last?.observation.owner ?? 'none';
  const story = (): ReadStory | null => readStory(states, end);
  return match(invariant)
    .with('unique-slot', () => {
      const byIndex = new Map<Plain, string[]>();
      for (const [name, o] of entries(after.owners)) {
        const link = get(o, 'link');
        if (link !== -1 && link !== undefined) byIndex.set(link, [...(byIndex.get(link) ?? []), name]);
      }
      const shared = [...byIndex.entries()].find(([, names]) => names.length > 1);
      return shared ? `Owners ${shared[1].join(' and ')} are both linked to index ${String(shared[0])}.` : 'Two linked elements share an index.';
    })
    .with('no-stale-read', 'no-foreign-read', (name) => {
      const s = story();
      const whose = name === 'no-stale-read' ? 'not written for it' : 'written for another owner';
      if (s === null) return `${who} accepted ${obs} as owner ${owner}'s value, but its words were ${whose}.`;
      return `${who} accepted ${obs} as owner ${owner}'s value, but ${wordsSentence(s)}.${seqSentence(states, s)}`;
    })
    .with('no-torn-read', () => {
      const s = story();
      if (s === null) return `${who} accepted ${obs}: its two words come from different writes.`;
      const w1 = s.loads.find((l) => l.field === 'word1');
      const w2 = s.loads.find((l) => l.field === 'word2');
      return `${who} accepted ${obs}: word 1 (step ${w1?.step}) held ${w1?.value} and word 2 (step ${w2?.step}) held ${w2?.value}, so they come from different writes.${seqSentence(states, s)}`;
    })
    .with('linearizable-read', () => {
      const s = story();
      const span = s === null || s.loads.length === 0 ? '' : ` (steps ${s.loads[0].step} to ${s.loads[s.loads.length - 1].step})`;
      return `${who} accepted ${obs}, which was never owner ${owner}'s current value while the read was under way${span}.`;
    })
    .with('no-fault', () => `${who} loaded from index ${String(last?.observation.index)}, whose page is not mapped in user space.`)
    .with('covered', () => {
      for (const [name, o] of entries(after.owners)) {
        const link = get(o, 'link');
        if (typeof link === 'number' && link >= 0)
          return `Owner ${name} is linked to index ${link}, which readers may not touch (published size ${String(after.publishedSize)}).`;
      }
      return 'A linked index lies outside the part of the mapping readers may touch.';
    })
    .with('zero-is-empty', () => {
      const s = story();
      const checked = s?.loads.filter((l) => l.field === 'uid' || l.field === 'gen') ?? [];
      const seen = checked.map((l) => `${l.field} ${l.value} at step ${l.step}`).join(' and ');
      return seen === ''
        ? `${who} accepted ${obs} from a slot that held no initialised element (uid none or gen 0) when it read the value, and it checked neither.`
        : `${who} accepted ${obs} though it loaded ${seen}: the slot held no initialised element.`;
    })
    .with('no-leak', () => {
      const held = (after.slots as readonly Plain[]).map((s, i) => [i, get(s, 'alloc')] as const).filter(([, a]) => a !== 'free' && a !== 'grace');
      const list = held.map(([i, a]) => `index ${i} (allocated to ${String(a)})`).join(', ');
      return `Every owner is freed and every actor idle, yet ${list} ${held.length === 1 ? 'is' : 'are'} never returned to the allocator.`;
    })
    .with('no-create-after-free', () => `${who} linked a new element for owner ${String(last?.picks.owner ?? get(before.kernel, last?.actor ?? '', 'owner'))} after that owner was freed.`)
    .with('no-write-after-reuse', () => {
      const k = get(before.kernel, last?.actor ?? '');
      const index = get(k, 'index');
      const slotOwner = typeof index === 'number' ? get(after.slots, index, 'alloc') : undefined;
      return `${who} wrote into index ${String(index)} for owner ${String(get(k, 'owner'))} after the index had been reallocated to owner ${String(slotOwner)}.`;
    })
    .with('reader-progress', () => {
      const reader = subject ?? 'A reader';
      return `${reader.charAt(0).toUpperCase()}${reader.slice(1)} retries its read for ever while the loop below repeats: it never returns an observation.`;
    })
    .with('deadlock', () => {
      const busy = [...entries(after.kernel), ...entries(after.readers)].filter(([, r]) => get(r, 'step') !== 'idle').map(([n]) => n);
      return `No actor can take a step, yet ${busy.join(', ') || 'an owner'} ${busy.length === 1 ? 'is' : 'are'} still in the middle of an operation.`;
    })
    .exhaustive();
}
