/**
 * Replay: drive an implementation through a trace step by step and compare, after each step, what
 * it observed and the state a user can see with what the trace says. The first mismatch ends the
 * trace with a divergence that names the step, the actor and action, expected and actual side by
 * side, and the steps before it.
 */
import { makeCtx } from '../../spec/context.js';
import { genView, seqView } from '../../spec/counters.js';
import type { Config } from '../../spec/knobs.js';
import type { Adapter, AdapterFactory, Evidence, Observation, TraceStep, VisibleState } from '../adapter/adapter.js';
import { ACTION_VAR, fromItfValue, OBSERVATION_VAR, PICKS_VAR } from '../trace/itf.js';
import { OWNER_NAME, observationText, type Plain } from '../../spec/describe.js';
import type { LoadedTrace } from './load.js';
import { SpecCursor } from './follow.js';

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

const CONTEXT_STEPS = 4;

export function stepOf(state: Record<string, unknown>): TraceStep {
  const taken = String(state[ACTION_VAR]);
  const dot = taken.indexOf('.');
  const actor = dot < 0 ? taken : taken.slice(0, dot);
  const action = dot < 0 ? '' : taken.slice(dot + 1);
  const picks = fromItfValue(state[PICKS_VAR] as never) as Record<string, Plain>;
  const some = (name: string): Plain | undefined => {
    const p = picks[name] as { tag?: Plain; value?: Plain } | undefined;
    return p !== undefined && p.tag === 'Some' ? p.value : undefined;
  };
  const owner = some('owner');
  const value = some('value');
  const answer = some('answer');
  const index = some('index');
  return {
    actor,
    action,
    picks: {
      ...(typeof owner === 'string' ? { owner } : {}),
      ...(typeof value === 'number' ? { value } : {}),
      ...(typeof answer === 'string' ? { answer } : {}),
      ...(typeof index === 'number' ? { index } : {}),
    },
  };
}

export function observationOf(state: Record<string, unknown>): Observation {
  return fromItfValue(state[OBSERVATION_VAR] as never) as unknown as Observation;
}

/** The trace's state (made in `config`) projected onto what an implementation can show. */
export function expectedVisible(config: Config, vars: Record<string, Plain>): VisibleState {
  const c = makeCtx(config);
  const slots = (vars.slots as Record<string, Plain>[]).map((s) => ({
    alloc: String(s.alloc),
    seq: Number(s.seq),
    ident: (c.byUid ? s.uid : s.pid) as string | number,
    gen: Number(s.gen),
    word1: Number(s.word1),
    word2: Number(s.word2),
    word1For: Number(s.word1) === 0 ? 'none' : String(s.word1For),
    word2For: Number(s.word2) === 0 ? 'none' : String(s.word2For),
  }));
  const pages = (vars.pages as Record<string, Plain>[]).map((p) => ({ kernel: String(p.kernel), view: String(p.view) }));
  const owners: Record<string, { phase: string; pid: number; link: number }> = {};
  for (const [name, o] of Object.entries(vars.owners as Record<string, Record<string, Plain>>))
    owners[name] = { phase: String(o.phase), pid: Number(o.pid), link: Number(o.link) };
  return { slots, pages, publishedSize: Number(vars.publishedSize), owners };
}

/**
 * Differences between the trace's state and the implementation's; seq and gen are compared in the
 * form the configuration the trace was made in keeps them (spec/counters.ts). A slot's identity is compared only when
 * the replay records the same kind of identity (uid or pid number) as the trace.
 */
export function compareVisible(recorded: Config, replayed: Config, expected: VisibleState, actual: VisibleState): Difference[] {
  const c = makeCtx(recorded);
  const sameIdentity = recorded.knobs.ownerIdentity === replayed.knobs.ownerIdentity;
  const out: Difference[] = [];
  const same = (field: string, e: string | number, a: string | number): void => {
    if (e !== a) out.push({ field, expected: String(e), actual: String(a) });
  };
  expected.slots.forEach((e, i) => {
    const a = actual.slots[i];
    const at = `slots[${i}]`;
    same(`${at}.alloc`, e.alloc, a.alloc);
    same(`${at}.seq`, e.seq, seqView(c, a.seq));
    if (sameIdentity) same(`${at}.${c.byUid ? 'uid' : 'pid'}`, e.ident, a.ident);
    same(`${at}.gen`, e.gen, genView(c, a.gen));
    same(`${at}.word1`, e.word1, a.word1);
    same(`${at}.word2`, e.word2, a.word2);
    same(`${at}.word1For`, e.word1For, a.word1For);
    same(`${at}.word2For`, e.word2For, a.word2For);
  });
  expected.pages.forEach((e, p) => {
    same(`pages[${p}].kernel`, e.kernel, actual.pages[p].kernel);
    same(`pages[${p}].view`, e.view, actual.pages[p].view);
  });
  same('publishedSize', expected.publishedSize, actual.publishedSize);
  for (const [name, e] of Object.entries(expected.owners)) {
    const a = actual.owners[name];
    same(`owners.${name}.phase`, e.phase, a.phase);
    same(`owners.${name}.pid`, e.pid, a.pid);
    same(`owners.${name}.link`, e.link, a.link);
  }
  return out;
}

function compareObservation(e: Observation, a: Observation): Difference[] {
  const out: Difference[] = [];
  for (const f of ['kind', 'owner', 'index', 'word1', 'word2'] as const)
    if (e[f] !== a[f]) out.push({ field: `observation.${f}`, expected: String(e[f]), actual: String(a[f]) });
  return out;
}

/**
 * What the implementation's own memory shows went wrong at a trace's last step: an accepted value
 * whose words were written for another owner or by two writes, a real fault, a slot holding words
 * of an owner it does not belong to, two owners linked to one index, a freed owner with an element.
 */
export function realEvidence(o: Observation, ev: Evidence, after: VisibleState): string | null {
  const facts: string[] = [];
  if (o.kind === 'value') {
    const foreign = [ev.word1For, ev.word2For].filter((f) => f !== undefined && f !== 'none' && f !== o.owner);
    if (foreign.length > 0) facts.push(`it accepted ${observationText(o)} from words written for ${[...new Set(foreign)].join(' and ')} (stale)`);
    const holder = ev.index === undefined ? undefined : after.slots[ev.index]?.alloc;
    if (holder !== undefined && OWNER_NAME.test(holder) && holder !== o.owner) facts.push(`it accepted ${observationText(o)} from slot ${ev.index}, which holds ${holder}'s element`);
    else if (ev.slotOwner !== undefined && ev.slotOwner !== o.owner)
      facts.push(`it accepted ${observationText(o)} from slot ${ev.index}, which ${ev.slotOwner === 'none' ? 'is empty' : `belongs to ${ev.slotOwner}`}`);
    if (o.word1 !== o.word2 || ev.word1For !== ev.word2For)
      facts.push(`it accepted word 1 = ${o.word1} (for ${ev.word1For}) with word 2 = ${o.word2} (for ${ev.word2For}), from different writes (torn)`);
  }
  if (o.kind === 'fault') facts.push(`its reader touched an unmapped page at index ${o.index}: a real fault`);
  after.slots.forEach((s, i) => {
    if (!OWNER_NAME.test(s.alloc)) return;
    const foreign = [s.word1For, s.word2For].filter((f) => f !== 'none' && f !== s.alloc);
    if (foreign.length > 0) facts.push(`slot ${i} belongs to ${s.alloc} but holds a word written for ${foreign[0]}`);
  });
  const links = Object.entries(after.owners).filter(([, x]) => x.link >= 0);
  for (const [a, x] of links) for (const [b, y] of links) if (a < b && x.link === y.link) facts.push(`${a} and ${b} are both linked to index ${x.link}`);
  for (const [a, x] of links) if (x.phase === 'freed') facts.push(`${a} is freed but linked to index ${x.link}`);
  if (Object.values(after.owners).every((x) => x.phase === 'freed')) {
    const leaked = after.slots.flatMap((s, i) => (OWNER_NAME.test(s.alloc) ? [`slot ${i} (allocated to ${s.alloc})`] : []));
    if (leaked.length > 0) facts.push(`every owner is freed, yet ${leaked.join(' and ')} is still allocated (a leak)`);
  }
  return facts.length === 0 ? null : `the implementation reproduced it: ${facts.join('; ')}`;
}

export function replayTrace(trace: LoadedTrace, factory: AdapterFactory): ReplayOutcome {
  const adapter = factory.open(trace.config);
  try {
    return drive(trace, adapter);
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

/**
 * Takes one step on the implementation and checks it against the spec's: that it is taken, what it
 * observes, the visible state after it, and (with a cursor that has taken the same step) that every
 * operation the spec makes wait waits in the implementation too.
 */
export function checkStep(
  adapter: Adapter,
  step: TraceStep,
  expected: { readonly observation: Observation; readonly visible: VisibleState; readonly recorded: Config; readonly replayed: Config },
  cursor: SpecCursor | null,
): { readonly mismatch: Mismatch | null; readonly observation: Observation; readonly evidence: Evidence } {
  const none = { kind: 'none', owner: 'none', index: -1, word1: -1, word2: -1 };
  const result = adapter.step(step);
  if (result.kind !== 'took') {
    const e = expected.observation;
    const taken = `${step.actor} takes ${step.action}${e.kind === 'none' ? '' : ` -> ${observationText(e)}`}`;
    return { mismatch: { what: 'step', reason: result.reason, differences: [{ field: 'step', expected: taken, actual: result.kind === 'blocked' ? 'blocked (must wait)' : 'cannot take it' }] }, observation: none, evidence: {} };
  }
  const { observation, evidence } = result;
  const at = (mismatch: Mismatch | null) => ({ mismatch, observation, evidence });
  const obs = compareObservation(expected.observation, observation);
  if (obs.length > 0) return at({ what: 'observation', reason: `${step.actor} observed ${observationText(observation) || 'nothing'}, the trace says ${observationText(expected.observation) || 'nothing'}`, differences: obs });
  const state = compareVisible(expected.recorded, expected.replayed, expected.visible, adapter.visible());
  if (state.length > 0) return at({ what: 'state', reason: `after ${step.actor}.${step.action} the shared state differs in ${state.length} field(s)`, differences: state });
  for (const w of cursor?.waiting() ?? []) {
    const probe = adapter.probeWait(w.actor, w.action, w.picks);
    // A refused operation that the implementation cannot even start ('idle') is refused too.
    if (probe === 'waits' || (w.refused !== undefined && probe === 'idle')) continue;
    if (w.refused !== undefined) {
      return at({
        what: 'step',
        reason: `after this step the spec refuses ${w.actor} ${w.refused}, but the implementation made it`,
        differences: [{ field: `${w.actor} ${w.action} (refused)`, expected: 'refused', actual: 'made' }],
      });
    }
    const what = w.action === '' ? `${w.actor}'s next step` : `${w.actor}'s ${w.action}`;
    return at({
      what: 'step',
      reason: probe === 'took' ? `after this step the spec makes ${what} wait, but the implementation took it` : `after this step the spec has ${w.actor} in an operation that waits, but the implementation has none under way`,
      differences: [{ field: `${w.actor} (waiting)`, expected: 'waits', actual: probe === 'took' ? 'went on' : 'no operation' }],
    });
  }
  return at(null);
}

function drive(trace: LoadedTrace, adapter: Adapter): ReplayOutcome {
  const states = trace.itf.states as readonly Record<string, unknown>[];
  const lines: StepLine[] = [];
  const steps = states.length - 1;
  const plain = (i: number): Record<string, Plain> => Object.fromEntries(Object.entries(states[i]).map(([k, v]) => [k, fromItfValue(v as never)]));
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
  const visibleAt = (i: number): VisibleState => expectedVisible(trace.recorded, plain(i));
  const first = compareVisible(trace.recorded, trace.config, visibleAt(0), adapter.visible());
  if (first.length > 0)
    return { kind: 'diverged', file: trace.file, steps, step: 0, actor: '-', action: 'init', what: 'state', reason: 'the initial state differs', differences: first, before: [], context: null };
  let reproduced: string | null = null;
  // Waits are checked while the spec, in the replay's configuration, can follow the trace.
  let cursor: SpecCursor | null = new SpecCursor(trace.config);
  for (let i = 1; i < states.length; i++) {
    const step = stepOf(states[i]);
    if (cursor !== null && !cursor.follow(step)) cursor = null;
    const checked = checkStep(adapter, step, { observation: observationOf(states[i]), visible: visibleAt(i), recorded: trace.recorded, replayed: trace.config }, cursor);
    if (checked.mismatch !== null)
      return { kind: 'diverged', file: trace.file, steps, step: i, actor: step.actor, action: step.action, ...checked.mismatch, before: lines.slice(-CONTEXT_STEPS), context: context(i) };
    lines.push({ step: i, actor: step.actor, action: step.action, observation: observationText(checked.observation) });
    if (i === steps && trace.invariant !== null)
      reproduced = realEvidence(checked.observation, checked.evidence, adapter.visible()) ?? `the implementation took every step, the last one ${observationText(checked.observation) || step.action}`;
  }
  return { kind: 'match', file: trace.file, steps, reproduced };
}
