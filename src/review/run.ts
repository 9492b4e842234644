/**
 * One row of a review as a function: a variant in, its row out, through the same runCheck as
 * `lsmc check`, with a hook on every transition that keeps the memory peaks and the coverage goals hit.
 *
 * A variant whose reader-progress takes a search (an unbounded retry; with a retry bound the spec
 * decides it without one, spec/index.ts, however long the budgets) is checked in two runs, as
 * `lsmc check` checks each of its properties alone: the safety invariants and deadlock with
 * symmetry reduction, then reader-progress on the unreduced graph it needs (spec/index.ts keeps
 * symmetry off whenever liveness is checked). One run of both would explore the unreduced graph for
 * the safety invariants too: on the reference bounds, 187 million states and 21 GiB before it was
 * stopped, against 22 million with symmetry. The liveness run is held to a share of this machine's
 * memory, so that one such row cannot take the whole review down; a cell it leaves undecided says so.
 */
import { totalmem } from 'node:os';
import { DEADLOCK, type Progress } from '../../checker/explore.js';
import { buildSpec } from '../../spec/index.js';
import { INVARIANTS, LIVENESS } from '../../spec/invariants.js';
import { runCheck, searchesLiveness } from '../check/run.js';
import type { RunHooks } from '../worker/serve.js';
import { costMeter, costsOf } from './costs.js';
import { coverageMeter } from './coverage.js';
import { type Row, rowOf } from './matrix.js';
import type { Variant } from './variants.js';

export interface RowRequest {
  readonly variant: Variant;
  readonly model: string;
  readonly symmetry: boolean;
  readonly maxStates?: number;
  readonly maxSeconds?: number;
  readonly rerun: string;
  /** Rows run at once: each liveness run gets this share of the machine's memory. */
  readonly jobs?: number;
}

/** Bytes per state of a liveness run (fingerprints, links and the recorded graph), measured on the reference bounds: 21.5 GiB at 185 million states. */
const LIVENESS_BYTES_PER_STATE = 120;

/** The most states a liveness run may reach when `jobs` rows run at once: half the machine's memory, shared. */
export function livenessBudget(jobs: number): number {
  return Math.floor((totalmem() * 0.5) / Math.max(1, jobs) / LIVENESS_BYTES_PER_STATE);
}

/**
 * Rows explore without partial-order reduction: the costs are peaks over every reachable state,
 * which a reduced graph does not keep (the explorer would turn it off for the cost hook anyway).
 */
export function runRow(request: RowRequest, hooks: Partial<RunHooks<Progress>> = {}): Row {
  const { variant } = request;
  const meter = costMeter(variant.config);
  const goals = coverageMeter(variant.config);
  const watch: typeof meter.onStep = (...step) => {
    meter.onStep(...step);
    goals.onStep(...step);
  };
  const seen = () => ({ costs: costsOf(variant.config, meter.peaks()), coverage: goals.coverage() });
  const run = (invariants: readonly string[], maxStates: number | undefined, onStep?: typeof meter.onStep) =>
    runCheck(
      { config: variant.config, model: request.model, invariants, symmetry: request.symmetry, partialOrder: false, maxStates, maxSeconds: request.maxSeconds, continueAfterViolation: true, rerun: request.rerun },
      { ...hooks, onStep },
    );
  if (!searchesLiveness(buildSpec(variant.config), LIVENESS.map((l) => l.name))) return rowOf(variant, [run([], request.maxStates, watch)], seen());
  const safety = run([...INVARIANTS.map((i) => i.name), DEADLOCK], request.maxStates, watch);
  const budget = livenessBudget(request.jobs ?? 1);
  const byBudget = request.maxStates === undefined || budget < request.maxStates;
  const live = run(LIVENESS.map((l) => l.name), byBudget ? budget : request.maxStates);
  const why = byBudget ? `the review's memory budget for a liveness search (${budget.toLocaleString('en-US')} states); lsmc check --invariant reader-progress alone, or --max-states, may decide it` : undefined;
  return rowOf(variant, [safety, live], seen(), why);
}
