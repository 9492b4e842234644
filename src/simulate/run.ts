/**
 * `lsmc simulate` as a function: a resolved configuration and options in, a report out, with the
 * counterexample replayed into a trace and ITF as `lsmc check` gives them. No printing, no exiting.
 */
import { STATE_VARS } from '../../spec/describe.js';
import { explainViolation, type Verdict } from '../../spec/explain.js';
import { buildSpec, type LsmcSpec } from '../../spec/index.js';
import { type Config, flatConfig } from '../../spec/knobs.js';
import { counterexampleHeader, type ItfTrace, toItf } from '../trace/itf.js';
import { replayPath, type Trace } from '../trace/replay.js';
import { search, type SearchProgress } from './search.js';
import { selectInvariants } from './selection.js';
import type { ActionClasses } from './walk.js';

export interface SimulationRequest {
  readonly config: Config;
  readonly model: string;
  /** Invariant names to judge; empty means every safety invariant and deadlock. */
  readonly invariants: readonly string[];
  readonly runs: number;
  readonly depth: number;
  readonly seed: number;
  /** The command that reproduces this run, seed included. */
  readonly rerun: string;
}

export interface SimulationReport {
  readonly result: 'ok' | 'violation' | 'interrupted';
  readonly runs: number;
  readonly requestedRuns: number;
  readonly steps: number;
  readonly depth: number;
  readonly seed: number;
  /** Timings: the only fields that differ between two runs with the same seed. */
  readonly seconds: number;
  readonly stepsPerSecond: number;
  readonly invariant: string | null;
  readonly explanation: string | null;
  readonly originalLength: number | null;
  readonly shrunkLength: number | null;
  readonly shrinkTries: number;
  readonly checked: readonly string[];
  readonly config: Record<string, string | number>;
  readonly model: string;
  readonly rerun: string;
  readonly notes: readonly string[];
  readonly trace: Trace | null;
  readonly itf: ItfTrace | null;
}

/**
 * The shrinking budget: walks judged, and actions probed (steps x actions in the spec), at most.
 * Enough to bring the hazards' counterexamples close to their shortest; the work bound holds
 * shrinking to about ten seconds on large bounds, where each try costs more.
 */
export const MAX_SHRINK_TRIES = 20_000;
export const MAX_SHRINK_WORK = 500_000_000;

/**
 * The swarm weighs actions by actor and by kind (lifecycle, create, lookup, scan, ...). A kernel
 * context's and a reader's next step continue an operation; every other action starts one (an
 * owner's lifecycle steps each count as one, since each is a step of its own life).
 */
export function actionClasses(spec: LsmcSpec): ActionClasses {
  const kinds = [...new Set(spec.actions.map((a) => a.kind))];
  return {
    actorOf: Int32Array.from(spec.actions, (a) => a.actor),
    kindOf: Int32Array.from(spec.actions, (a) => kinds.indexOf(a.kind)),
    continues: Uint8Array.from(spec.actions, (a) => (a.kind === 'kernel-step' || a.kind === 'reader-step' ? 1 : 0)),
    actors: spec.actorCount,
    kinds: kinds.length,
  };
}

export function runSimulation(
  request: SimulationRequest,
  hooks: { onProgress?: (p: SearchProgress) => void; shouldStop?: () => boolean; progressEveryMs?: number } = {},
): SimulationReport {
  const spec = buildSpec(request.config);
  const selection = selectInvariants(spec, request.invariants);
  const outcome = search(spec, actionClasses(spec), selection, {
    runs: request.runs,
    depth: request.depth,
    seed: request.seed,
    maxShrinkTries: MAX_SHRINK_TRIES,
    maxShrinkWork: MAX_SHRINK_WORK,
    shouldStop: hooks.shouldStop,
    onProgress: hooks.onProgress,
    progressEveryMs: hooks.progressEveryMs,
  });
  const config = flatConfig(request.config);
  const notes: string[] = [];
  if (spec.counters === 'abstract') notes.push('an unbounded budget keeps seq by its parity and gen by zero and parity, with readers\' copies marked stale by a bump: exact because counters never go back in this configuration (spec/counters.ts), as lsmc check does.');
  if (outcome.shrinkInterrupted) notes.push('shrinking was interrupted: the counterexample is the shortest found so far.');
  else if (outcome.shrinkBudgetSpent) notes.push(`shrinking stopped at its budget, after ${outcome.shrinkTries} tries: a shorter counterexample may exist.`);
  const seconds = outcome.searchSeconds + outcome.shrinkSeconds;
  const base = {
    runs: outcome.runs,
    requestedRuns: request.runs,
    steps: outcome.steps,
    depth: request.depth,
    seed: request.seed,
    seconds,
    stepsPerSecond: outcome.searchSeconds > 0 ? Math.round(outcome.steps / outcome.searchSeconds) : outcome.steps,
    originalLength: outcome.originalLength,
    shrunkLength: outcome.shrunkLength,
    shrinkTries: outcome.shrinkTries,
    checked: selection.checked,
    config,
    model: request.model,
    rerun: request.rerun,
    notes,
  };
  if (outcome.result !== 'violation') return { ...base, result: outcome.result, invariant: null, explanation: null, trace: null, itf: null };
  const { actions, invariant } = outcome;
  if (actions === null || invariant === null) throw new Error('a violation without a walk');

  const trace = replayPath(spec, { actions });
  const explanation = explainViolation(invariant as Verdict, trace.states);
  const itf = toItf(trace, STATE_VARS, counterexampleHeader(
    { invariant, explanation, model: request.model, config, rerun: request.rerun },
    { producedBy: 'simulate', seed: request.seed, runs: request.runs, depth: request.depth },
  ));
  return { ...base, result: 'violation', invariant, explanation, trace, itf };
}
