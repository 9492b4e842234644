/**
 * Replay: drive an implementation through a trace and compare, after each step, what it observed
 * and the parts of the state its adapter can show with what the trace says. The first mismatch
 * ends the trace with a divergence that names the step, the actor and action, expected and actual
 * side by side, and the steps before it. What the adapter cannot show or do is left out, and said.
 */
import { counterViews } from '../../spec/index.js';
import { behaviourOf } from '../../spec/variant.js';
import type { Config } from '../../spec/knobs.js';
import { type Adapter, type AdapterFactory, type Capabilities, type Evidence, type Observation, type TraceStep, VISIBLE_PART_NAMES, type WaitProbe, type VisiblePart, type VisibleReader, type VisibleState } from '../adapter/adapter.js';
import { fromItfValue } from '../trace/itf.js';
import { NO_OBSERVATION, OBSERVATION_FIELDS } from '../../spec/vocabulary.js';
import { observationText, type Plain } from '../../spec/describe.js';
import { OWNER_NAME, ownerName } from '../../spec/names.js';
import type { LoadedTrace } from './load.js';
import { SpecCursor, type Waiting } from './follow.js';

export interface Difference {
  readonly field: string;
  readonly expected: string;
  readonly actual: string;
}

export interface StepLine {
  readonly step: number;
  readonly actor: string;
  readonly action: string;
  readonly observation: string;
}

export type ReplayOutcome =
  | {
      readonly kind: 'match';
      readonly file: string;
      readonly steps: number;
      /** What the implementation really did at the trace's last step, for a counterexample: the bug, on real memory. */
      readonly reproduced: string | null;
    }
  | {
      /** The adapter cannot replay this trace at all (an operation-at-a-time adapter and interleaved operations, a step the implementation cannot express). */
      readonly kind: 'skipped';
      readonly file: string;
      readonly steps: number;
      readonly reason: string;
    }
  | {
      readonly kind: 'diverged';
      readonly file: string;
      readonly steps: number;
      /** 1-based: the trace's state index the step leads to. */
      readonly step: number;
      readonly actor: string;
      readonly action: string;
      /** What went differently: the step itself, its observation, or the visible state after it. */
      readonly what: 'step' | 'observation' | 'state';
      readonly reason: string;
      readonly differences: readonly Difference[];
      readonly before: readonly StepLine[];
      /** How the divergence relates to the trace's own story (a counterexample replayed in another variant). */
      readonly context: string | null;
    };

/** What replay leaves out for an adapter with these capabilities, each in a few words. */
export function notCompared(capabilities: Capabilities): string[] {
  const out = VISIBLE_PART_NAMES.filter((p) => !capabilities.shows.includes(p)).map((p) => `${p} (not shown by the adapter)`);
  if (capabilities.drive === 'operation')
    out.push('steps inside an operation (driven one whole operation at a time)', 'waits and refusals', 'traces whose operations interleave');
  return out;
}

/** How a trace made in one configuration is compared with an implementation run in another. */
export interface Comparison {
  readonly recorded: Config;
  readonly replayed: Config;
  readonly parts: readonly VisiblePart[];
}

const CONTEXT_STEPS = 4;

/**
 * The trace's state projected onto what an implementation can show, and the readers whose cache
 * the spec has dropped: a reader with no operation left never reads its cache again, so the spec
 * forgets it (spec/reader.ts, forgetIfDone) while an implementation keeps it; it is not compared.
 */
export type ExpectedState = Required<VisibleState> & { readonly forgotten: readonly string[] };

/** The trace's state (made in `config`) projected onto what an implementation can show. */
export function expectedVisible(config: Config, vars: Record<string, Plain>): ExpectedState {
  const byUid = config.knobs.ownerIdentity === 'uid';
  const rows = vars.slots as Record<string, Plain>[];
  const slots = rows.map((s) => ({
    seq: Number(s.seq),
    ident: (byUid ? s.uid : s.pid) as string | number,
    gen: Number(s.gen),
    word1: Number(s.word1),
    word2: Number(s.word2),
    word1For: Number(s.word1) === 0 ? 'none' : String(s.word1For),
    word2For: Number(s.word2) === 0 ? 'none' : String(s.word2For),
  }));
  const allocator = rows.map((s) => String(s.alloc));
  const pages = (vars.pages as Record<string, Plain>[]).map((p) => ({ kernel: String(p.kernel), view: String(p.view) }));
  const owners: Record<string, { phase: string; pid: number; link: number }> = {};
  for (const [name, o] of Object.entries(vars.owners as Record<string, Record<string, Plain>>))
    owners[name] = { phase: String(o.phase), pid: Number(o.pid), link: Number(o.link) };
  const alloc = vars.allocator as Record<string, Plain>;
  const epochs = rows.map((s) => Number(s.epoch));
  const cursors = { allocCursor: Number(alloc.cursor), freeList: (alloc.freeStack as Plain[]).map(Number), highWater: Number(alloc.highWater), epochs, pidCursor: Number(vars.pidCursor) };
  const references: Record<string, { refs: number; creating: boolean }> = {};
  for (const [name, o] of Object.entries(vars.owners as Record<string, Record<string, Plain>>)) references[name] = { refs: Number(o.refs), creating: o.creating === true };
  const held: Record<string, { index: number; rcu: boolean }> = {};
  for (const [name, k] of Object.entries(vars.kernel as Record<string, Record<string, Plain>>))
    held[name] = { index: Number(k.index), rcu: String(k.step).startsWith('update.') };
  for (const [name, o] of Object.entries(vars.owners as Record<string, Record<string, Plain>>)) held[name] = { index: Number(o.freeIndex), rcu: false };
  const readers: Record<string, VisibleReader> = {};
  const forgotten: string[] = [];
  const readerOps = config.bounds.readerOps;
  for (const [name, r] of Object.entries(vars.readers as Record<string, Record<string, Plain>>)) {
    const ident = Number(r.cacheIdent);
    readers[name] = {
      cacheOwner: String(r.cacheOwner),
      cacheIndex: Number(r.cacheIndex),
      // The raw ident: uid = owner + 1 in the spec, or pid number + 1.
      cacheIdent: ident < 0 ? -1 : byUid ? ownerName(ident - 1) : ident - 1,
      cacheGen: r.cacheGen === 'stale' ? 'stale' : Number(r.cacheGen),
      retries: Number(r.retries),
    };
    if (typeof readerOps === 'number' && readerOps >= 0 && Number(r.ops) >= readerOps) forgotten.push(name);
  }
  return { slots, allocator, pages, publishedSize: Number(vars.publishedSize), owners, cursors, references, held, readers, forgotten };
}

/**
 * Differences between the trace's state and the implementation's, in the parts the adapter shows;
 * seq and gen are compared in the form the configuration the trace was made in keeps them
 * (spec/counters.ts). A slot's identity is compared only when the replay records the same kind of
 * identity (uid or pid number) as the trace.
 */
export function compareVisible(cmp: Comparison, expected: ExpectedState, actual: VisibleState): Difference[] {
  const counters = counterViews(cmp.recorded);
  const byUid = cmp.recorded.knobs.ownerIdentity === 'uid';
  const sameIdentity = cmp.recorded.knobs.ownerIdentity === cmp.replayed.knobs.ownerIdentity;
  // The allocator's private state means the same only under the same index policy.
  const samePolicy = cmp.recorded.knobs.indexPolicy === cmp.replayed.knobs.indexPolicy;
  const out: Difference[] = [];
  const same = (field: string, e: string | number, a: string | number): void => {
    if (e !== a) out.push({ field, expected: String(e), actual: String(a) });
  };
  for (const part of cmp.parts) {
    if (actual[part] === undefined) {
      out.push({ field: part, expected: 'shown (the adapter declares it)', actual: 'not shown' });
      continue;
    }
    if (part === 'slots')
      expected.slots.forEach((e, i) => {
        const a = (actual.slots ?? [])[i];
        const at = `slots[${i}]`;
        same(`${at}.seq`, e.seq, counters.seq(a.seq));
        if (sameIdentity) same(`${at}.${byUid ? 'uid' : 'pid'}`, e.ident, a.ident);
        same(`${at}.gen`, e.gen, counters.gen(a.gen));
        same(`${at}.word1`, e.word1, a.word1);
        same(`${at}.word2`, e.word2, a.word2);
        same(`${at}.word1For`, e.word1For, a.word1For);
        same(`${at}.word2For`, e.word2For, a.word2For);
      });
    if (part === 'allocator') expected.allocator.forEach((e, i) => same(`slots[${i}].alloc`, e, (actual.allocator ?? [])[i]));
    if (part === 'pages')
      expected.pages.forEach((e, p) => {
        const a = (actual.pages ?? [])[p];
        same(`pages[${p}].kernel`, e.kernel, a.kernel);
        same(`pages[${p}].view`, e.view, a.view);
      });
    if (part === 'publishedSize') same('publishedSize', expected.publishedSize, actual.publishedSize ?? -1);
    if (part === 'owners')
      for (const [name, e] of Object.entries(expected.owners)) {
        const a = (actual.owners ?? {})[name];
        same(`owners.${name}.phase`, e.phase, a.phase);
        same(`owners.${name}.pid`, e.pid, a.pid);
        same(`owners.${name}.link`, e.link, a.link);
      }
    if (part === 'cursors') {
      const a = actual.cursors;
      const e = expected.cursors;
      if (a !== undefined && samePolicy) {
        same('allocator.cursor', e.allocCursor, a.allocCursor);
        same('allocator.freeStack', `[${e.freeList.join(', ')}]`, `[${a.freeList.join(', ')}]`);
        same('allocator.highWater', e.highWater, a.highWater);
        e.epochs.forEach((epoch, i) => same(`slots[${i}].epoch`, epoch, counters.epoch(a.epochs[i] ?? 0)));
      }
      if (a !== undefined) same('pidCursor', e.pidCursor, a.pidCursor);
    }
    if (part === 'references')
      for (const [name, e] of Object.entries(expected.references)) {
        const a = (actual.references ?? {})[name];
        same(`owners.${name}.refs`, e.refs, a.refs);
        // Only a locked create race keeps the flag; compared where both sides run it.
        if (cmp.recorded.knobs.createRace === cmp.replayed.knobs.createRace) same(`owners.${name}.creating`, String(e.creating), String(a.creating));
      }
    if (part === 'held')
      for (const [name, e] of Object.entries(expected.held)) {
        const a = (actual.held ?? {})[name];
        same(`${OWNER_NAME.test(name) ? 'owners' : 'kernel'}.${name}.held`, e.index, a?.index ?? -1);
        if (!OWNER_NAME.test(name)) same(`kernel.${name}.rcu`, String(e.rcu), String(a?.rcu ?? false));
      }
    if (part === 'readers') compareReaders(cmp, { counters, byUid, sameIdentity }, expected, actual, same);
  }
  // Shown in this order whatever the order of the declared parts.
  return out.sort((x, y) => fieldRank(x.field) - fieldRank(y.field));
}

/**
 * A reader's cache, where the spec keeps it. A gen the spec keeps as 'stale' (spec/counters.ts: a
 * bump made the copy older than the slot's gen) is any value other than the slot's gen now; a
 * number is compared in the form the trace's configuration keeps gen.
 */
function compareReaders(
  cmp: Comparison,
  view: { readonly counters: ReturnType<typeof counterViews>; readonly byUid: boolean; readonly sameIdentity: boolean },
  expected: ExpectedState,
  actual: VisibleState,
  same: (field: string, e: string | number, a: string | number) => void,
): void {
  const { counters, byUid, sameIdentity } = view;
  // Retries are counted only under a bound, and mean the same only under the same one.
  const sameBound = behaviourOf(cmp.recorded).retryBound === behaviourOf(cmp.replayed).retryBound;
  for (const [name, e] of Object.entries(expected.readers)) {
    const a = (actual.readers ?? {})[name];
    if (a === undefined) {
      same(`readers.${name}`, 'shown', 'absent');
      continue;
    }
    if (sameBound) same(`readers.${name}.retries`, e.retries, a.retries);
    if (expected.forgotten.includes(name)) continue;
    same(`readers.${name}.cacheOwner`, e.cacheOwner, a.cacheOwner);
    if (e.cacheOwner === 'none' || a.cacheOwner === 'none') continue;
    same(`readers.${name}.cacheIndex`, e.cacheIndex, a.cacheIndex);
    if (sameIdentity) same(`readers.${name}.${byUid ? 'cacheUid' : 'cachePid'}`, e.cacheIdent, a.cacheIdent);
    const slotGen = actual.slots?.[a.cacheIndex]?.gen;
    if (e.cacheGen === 'stale') {
      if (slotGen !== undefined && a.cacheGen === slotGen) same(`readers.${name}.cacheGen`, 'stale (older than the slot\'s gen)', `${a.cacheGen} (the slot's gen)`);
    } else if (typeof a.cacheGen === 'number') same(`readers.${name}.cacheGen`, e.cacheGen, counters.gen(a.cacheGen));
  }
}

const fieldRank = (field: string): number => ['slots', 'pages', 'publishedSize', 'owners', 'allocator', 'pidCursor', 'kernel', 'readers'].findIndex((p) => field.startsWith(p));

function compareObservation(e: Observation, a: Observation): Difference[] {
  const out: Difference[] = [];
  for (const f of OBSERVATION_FIELDS) if (e[f] !== a[f]) out.push({ field: `observation.${f}`, expected: String(e[f]), actual: String(a[f]) });
  return out;
}

/**
 * What the implementation's own memory shows went wrong at a trace's last step: an accepted value
 * whose words were written for another owner or by two writes, a real fault, a slot holding words
 * of an owner it does not belong to, two owners linked to one index, a freed owner with an element.
 */
export function realEvidence(o: Observation, ev: Evidence, after: VisibleState): string | null {
  const facts: string[] = [];
  const alloc = after.allocator ?? [];
  if (o.kind === 'value') {
    const foreign = [ev.word1For, ev.word2For].filter((f) => f !== undefined && f !== 'none' && f !== o.owner);
    if (foreign.length > 0) facts.push(`it accepted ${observationText(o)} from words written for ${[...new Set(foreign)].join(' and ')} (stale)`);
    const holder = ev.index === undefined ? undefined : alloc[ev.index];
    if (holder !== undefined && OWNER_NAME.test(holder) && holder !== o.owner) facts.push(`it accepted ${observationText(o)} from slot ${ev.index}, which holds ${holder}'s element`);
    else if (ev.slotOwner !== undefined && ev.slotOwner !== o.owner)
      facts.push(`it accepted ${observationText(o)} from slot ${ev.index}, which ${ev.slotOwner === 'none' ? 'is empty' : `belongs to ${ev.slotOwner}`}`);
    if (o.word1 !== o.word2 || ev.word1For !== ev.word2For)
      facts.push(`it accepted word 1 = ${o.word1} (for ${ev.word1For}) with word 2 = ${o.word2} (for ${ev.word2For}), from different writes (torn)`);
  }
  if (o.kind === 'fault') facts.push(`its reader touched an unmapped page at index ${o.index}: a real fault`);
  (after.slots ?? []).forEach((s, i) => {
    const holder = alloc[i];
    if (holder === undefined || !OWNER_NAME.test(holder)) return;
    const foreign = [s.word1For, s.word2For].filter((f) => f !== 'none' && f !== holder);
    if (foreign.length > 0) facts.push(`slot ${i} belongs to ${holder} but holds a word written for ${foreign[0]}`);
  });
  const owners = after.owners ?? {};
  const links = Object.entries(owners).filter(([, x]) => x.link >= 0);
  for (const [a, x] of links) for (const [b, y] of links) if (a < b && x.link === y.link) facts.push(`${a} and ${b} are both linked to index ${x.link}`);
  for (const [a, x] of links) if (x.phase === 'freed') facts.push(`${a} is freed but linked to index ${x.link}`);
  if (after.owners !== undefined && Object.values(owners).every((x) => x.phase === 'freed')) {
    const leaked = alloc.flatMap((a, i) => (OWNER_NAME.test(a) ? [`slot ${i} (allocated to ${a})`] : []));
    if (leaked.length > 0) facts.push(`every owner is freed, yet ${leaked.join(' and ')} is still allocated (a leak)`);
  }
  return facts.length === 0 ? null : `the implementation reproduced it: ${facts.join('; ')}`;
}

export function replayTrace(trace: LoadedTrace, factory: AdapterFactory): ReplayOutcome {
  return finishTrace(startTrace(trace, factory));
}

/** A trace whose implementation is open and has its plan (it may be running it ahead already). */
export interface StartedTrace {
  readonly trace: LoadedTrace;
  readonly adapter: Adapter;
  /** What the spec makes wait after each step; null for an adapter driven by whole operations. */
  readonly waits: readonly (readonly Waiting[])[] | null;
}

/** Opens the implementation (on `lane`, see AdapterFactory.lanes) and hands it the trace's plan. */
export function startTrace(trace: LoadedTrace, factory: AdapterFactory, lane = 0): StartedTrace {
  const adapter = factory.open(trace.config, lane);
  try {
    if (adapter.capabilities.drive !== 'step') return { trace, adapter, waits: null };
    const waits = waitsAlong(trace);
    adapter.plan?.(trace.steps.map((step, i) => ({ step, probes: waits[i].map(probeOf) })));
    return { trace, adapter, waits };
  } catch (e) {
    adapter.close();
    throw e;
  }
}

/** Replays a started trace to its end or its first divergence, and closes its implementation. */
export function finishTrace({ trace, adapter, waits }: StartedTrace): ReplayOutcome {
  try {
    return waits === null ? driveOperations(trace, adapter) : drive(trace, adapter, waits);
  } finally {
    adapter.close();
  }
}

/** Why one step of an implementation does not match the spec's step. */
export interface Mismatch {
  readonly what: 'step' | 'observation' | 'state';
  readonly reason: string;
  readonly differences: readonly Difference[];
}

type Checked = { readonly mismatch: Mismatch | null; readonly observation: Observation; readonly evidence: Evidence; readonly inexpressible?: string };

function refused(step: TraceStep, expected: Observation, result: { kind: 'blocked' | 'refused'; reason: string }): Mismatch {
  const taken = `${step.actor} takes ${step.action}${expected.kind === 'none' ? '' : ` -> ${observationText(expected)}`}`;
  return { what: 'step', reason: result.reason, differences: [{ field: 'step', expected: taken, actual: result.kind === 'blocked' ? 'blocked (must wait)' : 'cannot take it' }] };
}

/** The observation and then the state after a step (or, driven by operations, after an operation). */
function checkResult(adapter: Adapter, step: TraceStep, cmp: Comparison, expected: { readonly observation: Observation; readonly visible: ExpectedState }, observation: Observation): Mismatch | null {
  const obs = compareObservation(expected.observation, observation);
  if (obs.length > 0) return { what: 'observation', reason: `${step.actor} observed ${observationText(observation) || 'nothing'}, the trace says ${observationText(expected.observation) || 'nothing'}`, differences: obs };
  const state = compareVisible(cmp, expected.visible, adapter.visible());
  if (state.length > 0) return { what: 'state', reason: `after ${step.actor}.${step.action} the shared state differs in ${state.length} field(s)`, differences: state };
  return null;
}

/**
 * Takes one step on the implementation and checks it against the spec's: that it is taken, what it
 * observes, the visible state after it, and (with a cursor that has taken the same step) that every
 * operation the spec makes wait waits in the implementation too.
 */
export function checkStep(
  adapter: Adapter,
  step: TraceStep,
  expected: { readonly observation: Observation; readonly visible: ExpectedState },
  cmp: Comparison,
  waiting: readonly Waiting[],
): Checked {
  const batched = adapter.stepAndProbe?.(step, waiting.map(probeOf));
  const result = batched?.result ?? adapter.step(step);
  if (result.kind === 'inexpressible') return { mismatch: null, observation: NO_OBSERVATION, evidence: {}, inexpressible: result.reason };
  if (result.kind !== 'took') return { mismatch: refused(step, expected.observation, result), observation: NO_OBSERVATION, evidence: {} };
  const { observation, evidence } = result;
  const at = (mismatch: Mismatch | null): Checked => ({ mismatch, observation, evidence });
  const mismatch = checkResult(adapter, step, cmp, expected, observation);
  if (mismatch !== null) return at(mismatch);
  for (const [i, w] of waiting.entries()) {
    const probe = batched?.probes[i] ?? adapter.probeWait(w.actor, w.action, w.picks);
    // A refused operation that the implementation cannot even start ('idle') is refused too.
    if (probe === 'waits' || (w.refused !== undefined && probe === 'idle')) continue;
    if (w.refused !== undefined) {
      return at({
        what: 'step',
        reason: `after this step the spec refuses ${w.actor} ${w.refused}, but the implementation made it`,
        differences: [{ field: `${w.actor} ${w.action} (refused)`, expected: 'refused', actual: 'made' }],
      });
    }
    const what = w.action === null ? `${w.actor}'s next step` : `${w.actor}'s ${w.action}`;
    return at({
      what: 'step',
      reason: probe === 'took' ? `after this step the spec makes ${what} wait, but the implementation took it` : `after this step the spec has ${w.actor} in an operation that waits, but the implementation has none under way`,
      differences: [{ field: `${w.actor} (waiting)`, expected: 'waits', actual: probe === 'took' ? 'went on' : 'no operation' }],
    });
  }
  return at(null);
}

/** The trace variables expectedVisible and inOperation read: the others (the step's own record) are not converted. */
const COMPARED_VARS = ['slots', 'pages', 'owners', 'allocator', 'pidCursor', 'publishedSize', 'kernel', 'readers'] as const;

/** What every way of driving a trace needs: its states as plain values, and the divergence's context. */
function traceView(trace: LoadedTrace, adapter: Adapter) {
  const states = trace.itf.states as readonly Record<string, unknown>[];
  const steps = states.length - 1;
  const plain = (i: number): Record<string, Plain> => {
    const out: Record<string, Plain> = {};
    for (const k of COMPARED_VARS) if (k in states[i]) out[k] = fromItfValue(states[i][k] as never);
    return out;
  };
  const context = (step: number): string | null => {
    const notes: string[] = [];
    const changed = Object.entries(trace.config.knobs).filter(([k, v]) => trace.recorded.knobs[k as keyof typeof trace.recorded.knobs] !== v);
    if (changed.length > 0) notes.push(`the trace was made with ${changed.map(([k]) => `${k}=${trace.recorded.knobs[k as keyof typeof trace.recorded.knobs]}`).join(', ')}; replayed with ${changed.map(([k, v]) => `${k}=${v}`).join(', ')}`);
    if (trace.invariant !== null) {
      notes.push(
        step === steps
          ? `this is the step where the trace breaks ${trace.invariant}: the implementation does not do what the bug needs`
          : `the trace breaks ${trace.invariant} at step ${steps}; the implementation leaves its path ${steps - step} step(s) before that`,
      );
    }
    return notes.length === 0 ? null : `${notes.join('; ')}.`;
  };
  const cmp: Comparison = { recorded: trace.recorded, replayed: trace.config, parts: adapter.capabilities.shows };
  const visibleAt = (i: number): ExpectedState => expectedVisible(trace.recorded, plain(i));
  const first = compareVisible(cmp, visibleAt(0), adapter.visible());
  const initial: ReplayOutcome | null =
    first.length === 0 ? null : { kind: 'diverged', file: trace.file, steps, step: 0, actor: '-', action: 'init', what: 'state', reason: 'the initial state differs', differences: first, before: [], context: null };
  return { steps, plain, context, cmp, visibleAt, initial };
}

const probeOf = (w: Waiting): WaitProbe => ({ actor: w.actor, start: w.action, picks: w.picks });

/** What the spec makes wait after each step of the trace: checked while the spec, in the replay's configuration, can follow it. */
function waitsAlong(trace: LoadedTrace): Waiting[][] {
  let cursor: SpecCursor | null = new SpecCursor(trace.config);
  return trace.steps.map((step) => {
    if (cursor !== null && !cursor.follow(step)) cursor = null;
    return cursor?.waiting() ?? [];
  });
}

function drive(trace: LoadedTrace, adapter: Adapter, waits: readonly (readonly Waiting[])[]): ReplayOutcome {
  const { steps, context, cmp, visibleAt, initial } = traceView(trace, adapter);
  if (initial !== null) return initial;
  const lines: StepLine[] = [];
  let reproduced: string | null = null;
  for (let i = 1; i <= steps; i++) {
    const step = trace.steps[i - 1];
    const checked = checkStep(adapter, step, { observation: trace.observations[i - 1], visible: visibleAt(i) }, cmp, waits[i - 1]);
    if (checked.inexpressible !== undefined) return { kind: 'skipped', file: trace.file, steps, reason: `step ${i} (${step.actor}.${step.action}) cannot be expressed by the ${adapter.name} implementation: ${checked.inexpressible}` };
    if (checked.mismatch !== null)
      return { kind: 'diverged', file: trace.file, steps, step: i, actor: step.actor, action: step.action, ...checked.mismatch, before: lines.slice(-CONTEXT_STEPS), context: context(i) };
    lines.push({ step: i, actor: step.actor, action: step.action, observation: observationText(checked.observation) });
    if (i === steps && trace.invariant !== null)
      reproduced = realEvidence(checked.observation, checked.evidence, adapter.visible()) ?? `the implementation took every step, the last one ${observationText(checked.observation) || step.action}`;
  }
  return { kind: 'match', file: trace.file, steps, reproduced };
}

/** Whether `actor` is in the middle of an operation in a trace state (the trace's own variables say it). */
function inOperation(vars: Record<string, Plain>, actor: string): boolean {
  const step = (group: string, field: string): Plain | undefined => ((vars[group] as Record<string, Record<string, Plain>> | undefined)?.[actor] ?? {})[field];
  if (/^K[0-9]+$/.test(actor)) return step('kernel', 'step') !== 'idle';
  if (/^R[0-9]+$/.test(actor)) return step('readers', 'step') !== 'idle';
  if (OWNER_NAME.test(actor)) return step('owners', 'freeStep') !== 'idle';
  return false;
}

/**
 * An adapter driven one whole operation at a time: each operation runs at its first step, and its
 * observation and the state after it are compared at its last; no other actor's step may come in
 * between (such a trace is skipped, with the reason), and waits cannot be probed.
 */
function driveOperations(trace: LoadedTrace, adapter: Adapter): ReplayOutcome {
  const { steps, plain, context, cmp, visibleAt, initial } = traceView(trace, adapter);
  if (initial !== null) return initial;
  const lines: StepLine[] = [];
  let reproduced: string | null = null;
  let open: { readonly actor: string; readonly startedAt: number; readonly observation: Observation; readonly evidence: Evidence } | null = null;
  for (let i = 1; i <= steps; i++) {
    const step = trace.steps[i - 1];
    if (open !== null && open.actor !== step.actor)
      return { kind: 'skipped', file: trace.file, steps, reason: `step ${i} (${step.actor}.${step.action}) comes inside ${open.actor}'s operation begun at step ${open.startedAt}, and the adapter runs whole operations only` };
    const startedAt: number = open === null ? i : open.startedAt;
    let done: { observation: Observation; evidence: Evidence };
    if (open === null) {
      const result = adapter.step(step);
      if (result.kind === 'inexpressible') return { kind: 'skipped', file: trace.file, steps, reason: `step ${i} (${step.actor}.${step.action}) cannot be expressed by the ${adapter.name} implementation: ${result.reason}` };
      if (result.kind !== 'took') return { kind: 'diverged', file: trace.file, steps, step: i, actor: step.actor, action: step.action, ...refused(step, trace.observations[i - 1], result), before: lines.slice(-CONTEXT_STEPS), context: context(i) };
      done = result;
    } else {
      done = open;
    }
    open = inOperation(plain(i), step.actor) ? { actor: step.actor, startedAt, observation: done.observation, evidence: done.evidence } : null;
    if (open !== null) continue;
    const mismatch = checkResult(adapter, step, cmp, { observation: trace.observations[i - 1], visible: visibleAt(i) }, done.observation);
    if (mismatch !== null) return { kind: 'diverged', file: trace.file, steps, step: i, actor: step.actor, action: step.action, ...mismatch, before: lines.slice(-CONTEXT_STEPS), context: context(i) };
    lines.push({ step: i, actor: step.actor, action: step.action, observation: observationText(done.observation) });
    if (i === steps && trace.invariant !== null)
      reproduced = realEvidence(done.observation, done.evidence, adapter.visible()) ?? `the implementation ran every operation, the last one ${observationText(done.observation) || step.action}`;
  }
  return { kind: 'match', file: trace.file, steps, reproduced };
}
