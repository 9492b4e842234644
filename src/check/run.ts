/**
 * `lsmc check` as a function: a resolved configuration and options in, a report out. No printing,
 * no exiting: the command line renders the report and picks the exit code.
 */
import { DEADLOCK, explore, type Progress, type Stats } from '../../checker/explore.js';
import { FINGERPRINT_BITS } from '../../checker/fingerprint.js';
import { actorLabel, STATE_VARS } from '../../spec/describe.js';
import { explainViolation, type Verdict } from '../../spec/explain.js';
import { buildSpec } from '../../spec/index.js';
import { INVARIANTS, LIVENESS } from '../../spec/invariants.js';
import { type Config, flatConfig } from '../../spec/knobs.js';
import { type ItfTrace, itfHeader, toItf } from '../trace/itf.js';
import { replayPath, type Trace } from '../trace/replay.js';

export interface CheckRequest {
  readonly config: Config;
  readonly model: string;
  /** Invariant names to check; empty means all of them, deadlock included. */
  readonly invariants: readonly string[];
  readonly symmetry: boolean;
  readonly maxStates?: number;
  readonly maxSeconds?: number;
  /** The command that reproduces this run, printed with every result. */
  readonly rerun: string;
}

export interface CheckReport {
  readonly result: 'ok' | 'violation' | 'limit';
  readonly invariant: string | null;
  readonly limitReason: string | null;
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

export function runCheck(
  request: CheckRequest,
  hooks: { onProgress?: (p: Progress) => void; shouldStop?: () => boolean; progressEveryMs?: number } = {},
): CheckReport {
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

  const outcome = explore(spec, {
    invariantMask: mask,
    liveness,
    checkDeadlock,
    symmetry: request.symmetry,
    maxStates: request.maxStates,
    maxSeconds: request.maxSeconds,
    onProgress: hooks.onProgress,
    shouldStop: hooks.shouldStop,
    progressEveryMs: hooks.progressEveryMs,
  });
  const config = flatConfig(request.config);
  const notes: string[] = [];
  if (liveness.length > 0 && !spec.mayCycle)
    notes.push('reader-progress holds without a search: with bounded budgets and bounded retries every behaviour is finite, so no read can go on for ever (deadlocks are checked separately).');
  if (liveness.length > 0 && spec.mayCycle && request.symmetry)
    notes.push('reader-progress is checked on the unreduced graph: symmetry reduction is off for this run.');
  if (spec.counters === 'abstract') notes.push('an unbounded budget keeps seq by its parity and gen by zero and parity, with readers\' copies marked stale by a bump: exact because counters never go back in this configuration (spec/counters.ts), so that the space stays finite.');
  const base = { stats: outcome.stats, checked, config, model: request.model, rerun: request.rerun, notes };
  if (outcome.kind !== 'violation') {
    return { ...base, result: outcome.kind, invariant: null, limitReason: outcome.kind === 'limit' ? outcome.reason : null, explanation: null, trace: null, itf: null };
  }
  const trace = replayPath(spec, outcome.path);
  const subject = outcome.path.subject === undefined ? null : actorLabel(spec, spec.actors.firstReader + outcome.path.subject);
  const explanation = explainViolation(outcome.invariant as Verdict, trace.states, subject);
  const itf = toItf(trace, STATE_VARS, itfHeader({
    description: `Counterexample to ${outcome.invariant}: ${explanation}`,
    status: 'violation',
    invariant: outcome.invariant,
    model: request.model,
    config,
    rerun: request.rerun,
    fingerprintBits: FINGERPRINT_BITS,
  }));
  return { ...base, result: 'violation', invariant: outcome.invariant, limitReason: null, explanation, trace, itf };
}
