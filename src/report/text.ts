/**
 * `lsmc check` for people: the verdict, the numbers, and a counterexample that names the actors,
 * shows only what changed at each step, and says in one sentence why the invariant broke.
 */
import type { Plain, Record_, StepInfo } from '../../spec/describe.js';
import { observationText } from '../../spec/describe.js';
import { loadGloss, partsOf, stepFacts, type StepName } from '../../spec/steps.js';
import { get, loadAt, readerIndexAt } from '../../spec/explain.js';
import type { Stats } from '../../checker/explore.js';
import type { CheckReport } from '../check/run.js';
import type { Trace } from '../trace/replay.js';
import { PLAIN, type Style } from './style.js';

const WINDOW: Readonly<Record<string, string>> = { create: 'initialisation', update: 'update', destroy: 'clear' };

/**
 * A seq step's gloss says what the step did to seq, not what the protocol meant it to do: a bump
 * that leaves seq even (two plain increments racing, hazard 7) is shown as such.
 */
function seqGloss(action: StepName, before: Record_, after: Record_, actor: string): string | null {
  const p = partsOf(action);
  const facts = stepFacts(action);
  if (p.kind !== 'kernel' || facts.seq === null) return null;
  const index = p.onFreePath ? get(before, 'owners', actor, 'freeIndex') : get(before, 'kernel', actor, 'index');
  if (typeof index !== 'number' || index < 0) return null;
  const was = get(before, 'slots', index, 'seq');
  const now = get(after, 'slots', index, 'seq');
  if (typeof was !== 'number' || typeof now !== 'number') return null;
  const window = WINDOW[facts.op];
  if (p.loadHalf) return `loads seq = ${was} (the first half of a plain increment)`;
  const begin = facts.seq === 'begin';
  const lock = facts.op === 'create' && !begin ? ', releases the allocator lock' : '';
  const verb = now === was + 1 ? `bumps seq ${was} -> ${now}` : `stores seq = ${now} (it was ${was})`;
  if (begin === ((now & 1) === 1)) return `${verb}, ${begin ? 'odd' : 'even'}: ${window} ${begin ? 'begins' : 'done'}${lock}`;
  return begin
    ? `${verb}, EVEN: the ${window} begins, but readers see no write in progress`
    : `${verb}, ODD: the ${window} is done, but readers see a write in progress${lock}`;
}

/** What a reader's load returned, from the trace's states: `= 2`, `= 0 (written for B)`. */
function loaded(trace: Trace, i: number): string {
  const index = readerIndexAt(trace.states, i);
  const load = index < 0 ? null : loadAt(trace.states, i, index);
  if (load === null || load.field === 'size') return '';
  const whose = load.field === 'word1' || load.field === 'word2' ? ` (written for ${load.writtenFor === 'none' ? 'nobody' : load.writtenFor})` : '';
  return ` = ${String(load.value)}${whose}`;
}

/** What step i of the trace did, in words: the step's gloss, with what a load returned or what a seq bump made of seq. */
export function gloss(trace: Trace, i: number): string {
  const step = trace.states[i].step as StepInfo;
  const action = step.action;
  const seq = seqGloss(action, trace.states[i - 1].vars, trace.states[i].vars, step.actor);
  if (seq !== null) return seq;
  const facts = stepFacts(action);
  if (action === 'read' || action === 'scan') return `${facts.gloss}; ${step.load === '' ? 'makes its first load' : loadGloss(step.load)}${loaded(trace, i)}`;
  if (partsOf(action).kind === 'load') return `${facts.gloss}${loaded(trace, i)}`;
  return facts.gloss;
}

/**
 * Left out of the per-step changes, though kept in the ITF trace: ghost bookkeeping only the checker
 * reads, the step counters the action line already names, and operation budgets.
 */
const HIDDEN = /^(readers\.R\d+\.(flags|seen|step|ops)|kernel\.K\d+\.(step|ops|epoch)|owners\.(?:[A-Z]|O[0-9]+)\.(freeStep|freeIndex|freeEpoch)|slots\[\d+\]\.epoch)$/;

function flatten(v: Plain, path: string, out: Map<string, string>): void {
  if (Array.isArray(v)) {
    v.forEach((x, i) => flatten(x, `${path}[${i}]`, out));
    if (path.endsWith('freeStack')) out.set(path, `[${v.join(', ')}]`);
    return;
  }
  if (typeof v === 'object' && v !== null) {
    for (const [k, x] of Object.entries(v as Record_)) flatten(x, path === '' ? k : `${path}.${k}`, out);
    return;
  }
  out.set(path, v === -1 ? '-' : String(v));
}

/** Every value a step changed that a person reads (HIDDEN aside), in the state's order: path, old value ('-' when new), new value. */
export function changedValues(before: Record_, after: Record_): { path: string; was: string; now: string }[] {
  const a = new Map<string, string>();
  const b = new Map<string, string>();
  flatten(before, '', a);
  flatten(after, '', b);
  const out: { path: string; was: string; now: string }[] = [];
  for (const [path, value] of b) {
    if (HIDDEN.test(path) || /freeStack\[\d+\]$/.test(path)) continue;
    const old = a.get(path);
    if (old !== value) out.push({ path, was: old ?? '-', now: value });
  }
  return out;
}

function changes(before: Record_, after: Record_, style: Style): string[] {
  return changedValues(before, after).map((c) => `${c.path} ${style.was(c.was)} -> ${style.now(c.now)}`);
}

export function renderTrace(trace: Trace, style: Style = PLAIN): string[] {
  const lines: string[] = [];
  const width = String(trace.states.length - 1).length;
  trace.states.forEach((st, i) => {
    const n = String(i).padStart(width);
    // State `loop` is where the lasso comes back to: the loop is the steps after it.
    const loopMark = trace.loop === i ? '   <- the loop comes back to this state' : '';
    if (st.step === null) {
      lines.push(`  ${n}  initial state${loopMark}`);
      return;
    }
    const g = gloss(trace, i);
    const obs = observationText(st.step.observation);
    const picks = Object.values(st.step.picks).map(String).join(', ');
    const action = picks === '' ? st.step.action : `${st.step.action}(${picks})`;
    lines.push(`  ${n}  ${st.step.actorLabel}: ${action}${g ? ` -- ${g}` : ''}${obs ? `  => ${obs}` : ''}${loopMark}`);
    const diff = changes(trace.states[i - 1].vars, st.vars, style);
    for (let k = 0; k < diff.length; k += 3) lines.push(`  ${' '.repeat(width)}      ${diff.slice(k, k + 3).join('; ')}`);
  });
  if (trace.loop !== undefined)
    lines.push(`  ${' '.repeat(width)}  ... and back to state ${trace.loop}: steps ${trace.loop + 1}-${trace.states.length - 1} repeat for ever`);
  return lines;
}

const num = (n: number): string => n.toLocaleString('en-US');

export const stepsText = (n: number): string => `${n} step${n === 1 ? '' : 's'}`;
/** A counterexample's length as people read it: a lasso (a liveness counterexample) says it is one. */
export const lengthText = (steps: number, lasso: boolean): string => (lasso ? `a lasso of ${stepsText(steps)}` : stepsText(steps));
export const traceLength = (t: Trace): string => lengthText(t.states.length - 1, t.loop !== undefined);

/** A violation for people: which invariant (or liveness property), why in one sentence, then the steps. `how` says how the trace was found. */
export function renderViolation(invariant: string, explanation: string, how: string, trace: Trace, style: Style = PLAIN): string[] {
  // A lasso breaks a liveness property, which is not an invariant of states.
  return [`${style.bad(trace.loop === undefined ? 'Invariant' : 'Property')} ${style.invariant(invariant)} ${style.bad('is violated.')}`, `  ${explanation}`, '', `Counterexample (${how}):`, ...renderTrace(trace, style), ''];
}

/** Which reductions the run used, as the stats line says it. */
function reductions(s: Stats): string {
  const on = [...(s.symmetry ? ['symmetry'] : []), ...(s.partialOrder ? [`partial-order (${num(s.persistentStates)} states took one step)`] : [])];
  return on.length === 0 ? '' : ` (${on.join(' and ')} reduction on)`;
}

/** `p holds`, `p, q hold`. */
const hold = (names: readonly string[], style: Style): string => `${names.map(style.invariant).join(', ')} hold${names.length === 1 ? 's' : ''}`;

/** What a run stopped early decided all the same: a property that holds without a search (its note says why). */
const decidedAnyway = (r: CheckReport, style: Style): string => (r.held.length === 0 ? '' : `, though ${hold(r.held, style)} without a search`);

export function renderCheck(r: CheckReport, style: Style = PLAIN): string {
  const s = r.stats;
  const out: string[] = [];
  if (r.result === 'violation') {
    const shortest = s.partialOrder ? 'a shortest one of the reduced graph' : 'a shortest one';
    for (const v of r.violations) out.push(...renderViolation(v.invariant, v.explanation, v.trace.loop === undefined ? `${traceLength(v.trace)}, ${shortest}` : traceLength(v.trace), v.trace, style));
    if (r.continued) {
      const broken = r.violations.map((v) => `${style.invariant(v.invariant)} (${traceLength(v.trace)})`).join(', ');
      const rest = r.limitReason !== null
        ? `; ${style.partial(`stopped early (${r.limitReason})`)}: the others were not fully checked${decidedAnyway(r, style)}`
        : r.held.length > 0 ? `; ${hold(r.held, style)} on every reachable state` : '';
      out.push(`${style.bad(`${r.violations.length} of ${r.checked.length} checked properties violated:`)} ${broken}${rest}.`);
    }
  } else if (r.result === 'ok') {
    out.push(`${style.good('No violation:')} ${r.checked.map(style.invariant).join(', ')} hold on every reachable state.`);
  } else {
    out.push(`${style.partial(`Stopped early (${r.limitReason})`)} with no violation found: the bounded space was not fully explored${decidedAnyway(r, style)}.`);
  }
  out.push(`  ${num(s.distinctStates)} distinct states, ${num(s.transitions)} transitions, depth ${s.depth}${reductions(s)}`);
  out.push(
    `  ${s.seconds.toFixed(1)} s${s.workers > 0 ? ` on ${s.workers} worker thread${s.workers === 1 ? '' : 's'}` : ''}, ${num(s.statesPerSecond)} states/s, ${s.bytesPerState.toFixed(1)} bytes/state; ` +
      `${s.fingerprintBits}-bit fingerprints, collision probability (optimistic) ${s.collisionProbability.toExponential(1)}`,
  );
  out.push(`  model ${r.model}: ${Object.entries(r.config).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  for (const note of r.notes) out.push(`  Note: ${note}`);
  out.push(`Rerun: ${r.rerun}`);
  return out.join('\n');
}
