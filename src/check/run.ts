/**
 * `lsmc check` as a function: a resolved configuration and options in, a report out. No printing,
 * no exiting: the command line renders the report and picks the exit code.
 */
import { DEADLOCK, explore, type ExploreOptions, type ExploreResult, type Stats } from '../../checker/explore.js';
import { exploreParallel } from '../../checker/parallel.js';
import type { FingerprintBits } from '../../checker/fingerprint.js';
import { actorLabel, STATE_VARS } from '../../spec/describe.js';
import { explainViolation, type Verdict } from '../../spec/explain.js';
import { buildSpec, type LsmcSpec } from '../../spec/index.js';
import { SPEC_MODULE } from '../../spec/make.js';
import { INVARIANTS, LIVENESS } from '../../spec/invariants.js';
import { reducedPathSlack } from '../../spec/persistent.js';
import { type Config, flatConfig } from '../../spec/knobs.js';
import { counterexampleHeader, type ItfTrace, toItf } from '../trace/itf.js';
import { replayPath, type Trace } from '../trace/replay.js';

export interface CheckRequest {
  readonly config: Config;
  readonly model: string;
  /** Invariant names to check; empty means all of them, deadlock included. */
  readonly invariants: readonly string[];
  readonly symmetry: boolean;
  /** Partial-order reduction (spec/persistent.ts); the explorer leaves it off where it would not keep a verdict. */
  readonly partialOrder: boolean;
  readonly maxStates?: number;
  readonly maxSeconds?: number;
  /** Go on after a violation and report every invariant that breaks (TLC's -continue). */
  readonly continueAfterViolation?: boolean;
  /** The command that reproduces this run, printed with every result. */
  readonly rerun: string;
  /** Bits per state fingerprint: 64 (the default), 96 or 128. */
  readonly fingerprintBits?: FingerprintBits;
  /**
   * Explore on this many worker threads (checker/parallel.ts); only runCheckOn uses them, and only
   * where no liveness graph is kept and no hook watches every transition.
   */
  readonly workers?: number;
}

/** One broken invariant with its shortest counterexample. */
export interface CheckViolation {
  readonly invariant: string;
  readonly explanation: string;
  readonly trace: Trace;
  readonly itf: ItfTrace;
}

export interface CheckReport {
  readonly result: 'ok' | 'violation' | 'limit';
  /** The first violation's (the only one without --continue). */
  readonly invariant: string | null;
  /** Why exploration stopped short of the whole space (for a violation: see ExploreResult.stopped). */
  readonly limitReason: string | null;
  /** Every invariant found broken, in the order BFS met them; the first is `invariant`. */
  readonly violations: readonly CheckViolation[];
  /** The run went on after violations (--continue). */
  readonly continued: boolean;
  /** The checked invariants that held on the whole space (empty if it was not all explored). */
  readonly held: readonly string[];
  readonly stats: Stats;
  readonly checked: readonly string[];
  readonly config: Record<string, string | number>;
  readonly model: string;
  readonly rerun: string;
  readonly explanation: string | null;
  /** What a reader of the verdict should know about how it was reached. */
  readonly notes: readonly string[];
  readonly trace: Trace | null;
  readonly itf: ItfTrace | null;
}

type CheckHooks = Pick<ExploreOptions, 'onProgress' | 'shouldStop' | 'progressEveryMs' | 'onStep'>;

/** The spec and what to check in it, as a request names them. */
function plan(request: CheckRequest) {
  const spec = buildSpec(request.config);
  const all = request.invariants.length === 0;
  const selected = new Set(request.invariants);
  let mask = 0;
  INVARIANTS.forEach((inv, i) => {
    if (all || selected.has(inv.name)) mask |= 1 << i;
  });
  const liveness = LIVENESS.map((l) => l.name).filter((n) => all || selected.has(n));
  const checkDeadlock = all || selected.has(DEADLOCK);
  const checked = all ? [...INVARIANTS.map((i) => i.name), ...LIVENESS.map((l) => l.name), DEADLOCK] : [...request.invariants];
  const options: ExploreOptions = {
    invariantMask: mask,
    liveness,
    checkDeadlock,
    symmetry: request.symmetry,
    partialOrder: request.partialOrder,
    maxStates: request.maxStates,
    maxSeconds: request.maxSeconds,
    continueAfterViolation: request.continueAfterViolation,
    fingerprintBits: request.fingerprintBits,
  };
  return { spec, liveness, checked, options };
}

/** Why liveness property `name` holds in `spec` without a search of its graph for a lasso: its behaviours are finite, or the spec says why; null when it takes a search. */
export function holdsWithoutSearch(spec: LsmcSpec, name: string): string | null {
  if (!spec.mayCycle) return 'with bounded budgets and bounded retries every behaviour is finite, so no read can go on for ever (deadlocks are checked separately)';
  return spec.liveness.find((p) => p.name === name)?.holdsWithoutSearch ?? null;
}

/** Whether checking `liveness` in `spec` takes a search of its graph for a lasso. */
export const searchesLiveness = (spec: LsmcSpec, liveness: readonly string[]): boolean => liveness.some((name) => holdsWithoutSearch(spec, name) === null);

/** `lsmc check` on this thread, with every hook the explorer offers. */
export function runCheck(request: CheckRequest, hooks: CheckHooks = {}): CheckReport {
  const p = plan(request);
  return reportOf(request, p.spec, p.liveness, p.checked, explore(p.spec, { ...p.options, ...hooks }));
}

/**
 * `lsmc check` as the command line runs it: on request.workers worker threads where the parallel
 * explorer can keep every verdict (no liveness graph, no transition hook), on this thread otherwise.
 */
export async function runCheckOn(request: CheckRequest, hooks: Omit<CheckHooks, 'onStep'> = {}): Promise<CheckReport> {
  const p = plan(request);
  // A state limit is met at a fixed point on this thread (every POLL_EVERY states); worker threads
  // stop on a timer, past the limit by however far they got, so counts and verdicts would vary run
  // to run and differ from the review's row, which explores here.
  if (request.workers === undefined || searchesLiveness(p.spec, p.liveness) || request.maxStates !== undefined)
    return reportOf(request, p.spec, p.liveness, p.checked, explore(p.spec, { ...p.options, ...hooks }));
  const outcome = await exploreParallel(p.spec, { ...p.options, ...hooks, workers: request.workers, source: { module: SPEC_MODULE, arg: request.config } });
  return reportOf(request, p.spec, p.liveness, p.checked, outcome);
}

function reportOf(request: CheckRequest, spec: LsmcSpec, liveness: readonly string[], checked: readonly string[], outcome: ExploreResult): CheckReport {
  const config = flatConfig(request.config);
  const notes: string[] = [];
  // What holds without a search holds however far the search got.
  const decided = liveness.filter((name) => holdsWithoutSearch(spec, name) !== null);
  for (const name of decided) notes.push(`${name} holds without a search: ${holdsWithoutSearch(spec, name)}.`);
  if (searchesLiveness(spec, liveness) && request.symmetry)
    notes.push('reader-progress is checked on the unreduced graph: symmetry reduction is off for this run.');
  if (request.partialOrder && spec.mayCycle)
    notes.push('partial-order reduction is off for this run: with infinite behaviours it would need a cycle proviso, which lsmc\'s reduction does not have (spec/persistent.ts).');
  if (outcome.stats.partialOrder && outcome.kind === 'violation')
    notes.push(`found with partial-order reduction: a counterexample may be up to ${reducedPathSlack(spec.ctx)} steps longer than the true shortest (an owner's exit or reap it did not need, each at most once); --no-por gives the true shortest.`);
  if (request.maxStates !== undefined && (request.workers ?? 1) > 1)
    notes.push('--max-states explores on one thread, so that the search stops at the same state every run (worker threads stop on a timer, at a state that varies).');
  if (spec.counters === 'abstract') notes.push('an unbounded budget keeps seq by its parity and gen by zero and parity, with readers\' copies marked stale by a bump: exact because counters never go back in this configuration (spec/counters.ts), so that the space stays finite.');
  if (outcome.stats.collisionProbability > 1e-3 && outcome.stats.fingerprintBits < 128)
    notes.push(`the ${outcome.stats.fingerprintBits}-bit collision estimate passes 1e-3: a state may have been taken for another; rerun with --fingerprint ${outcome.stats.fingerprintBits === 64 ? 96 : 128} (4 more bytes per state).`);
  const base = { stats: outcome.stats, checked, config, model: request.model, rerun: request.rerun, notes, continued: request.continueAfterViolation === true };
  if (outcome.kind !== 'violation') {
    const held = outcome.kind === 'ok' ? checked : decided;
    return { ...base, result: outcome.kind, invariant: null, limitReason: outcome.kind === 'limit' ? outcome.reason : null, violations: [], held, explanation: null, trace: null, itf: null };
  }
  const violations = outcome.violations.map(({ invariant, path }): CheckViolation => {
    const trace = replayPath(spec, path);
    const subject = path.subject === undefined ? null : actorLabel(spec, spec.actors.firstReader + path.subject);
    const explanation = explainViolation(invariant as Verdict, trace.states, subject);
    const itf = toItf(trace, STATE_VARS, counterexampleHeader({ invariant, explanation, model: request.model, config, rerun: request.rerun }, { fingerprintBits: outcome.stats.fingerprintBits }));
    return { invariant, explanation, trace, itf };
  });
  const first = violations[0];
  const stopped = outcome.stopped === 'first-violation' || outcome.stopped === 'all-broken' ? null : outcome.stopped;
  const held = outcome.stopped === null ? checked.filter((name) => !violations.some((v) => v.invariant === name)) : decided;
  return { ...base, result: 'violation', invariant: first.invariant, limitReason: stopped, violations, held, explanation: first.explanation, trace: first.trace, itf: first.itf };
}
