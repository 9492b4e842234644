/**
 * A simulation cut into shards, and the shards' reports merged back into one. A shard is a whole
 * simulation of its own (its seed, its share of the walks), so it runs the same wherever it runs:
 * on a worker thread here, or on a worker on another machine through the queue. The plan depends
 * only on the request and the shard count, and the merge only on the shards' reports in shard
 * order, so the merged report is the same however, wherever and in whatever order they ran.
 *
 * The merge keeps the shards up to the first one that broke an invariant, in shard order, and
 * drops the rest: the runs and steps it reports are those shards' walks, whether or not later
 * shards had run when it was decided, so a run that stops early to save time counts the same.
 */
import { buildSpec } from '../../spec/index.js';
import { flatConfig } from '../../spec/knobs.js';
import type { SimulationReport, SimulationRequest } from './run.js';
import { selectInvariants } from './selection.js';

/** Seeds are fast-check's 32-bit seeds, kept non-negative as `--seed` takes them. */
const SEED_MASK = 0x7fffffff;

/**
 * Shard k's seed. Shard 0 keeps the request's seed, so one shard is the simulation as it always
 * ran; the others scramble (seed, k) with a 32-bit finaliser (MurmurHash3's) so that neighbouring
 * seeds and shards do not start fast-check's generator in nearby states.
 */
export function shardSeed(seed: number, k: number): number {
  if (k === 0) return seed;
  let h = (seed ^ Math.imul(k, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) & SEED_MASK;
}

/** Shard k's walks: the runs split as evenly as they go, the first shards taking one more. */
export function shardRuns(runs: number, shards: number, k: number): number {
  return Math.floor(runs / shards) + (k < runs % shards ? 1 : 0);
}

/**
 * The shards of a request. `rerunOf` gives the command that runs one shard alone (its seed and
 * runs, one shard): a shard's counterexample carries it, so that it reproduces without the others.
 */
export function shardsOf(request: SimulationRequest, shards: number, rerunOf: (seed: number, runs: number) => string): SimulationRequest[] {
  if (shards === 1) return [request];
  return Array.from({ length: shards }, (_, k) => {
    const seed = shardSeed(request.seed, k);
    const runs = shardRuns(request.runs, shards, k);
    return { ...request, seed, runs, rerun: rerunOf(seed, runs) };
  });
}

/**
 * Whether the reports so far decide the merge: some shard broke an invariant and every shard
 * before it has its report. Later shards may then be stopped; their reports would be dropped.
 */
export function decided(reports: readonly (SimulationReport | undefined)[]): boolean {
  for (const r of reports) {
    if (r === undefined) return false;
    if (r.result === 'violation') return true;
  }
  return false;
}

/**
 * One report from the shards' (undefined for a shard that never ran: interrupted before it
 * started). `seconds` is the whole run's wall time, which is what steps per second are over.
 */
export function mergeShards(request: SimulationRequest, reports: readonly (SimulationReport | undefined)[], seconds: number): SimulationReport {
  const first = reports[0];
  if (reports.length === 1 && first !== undefined) return first;
  const broke = reports.findIndex((r) => r?.result === 'violation');
  const counted = decided(reports) ? reports.slice(0, broke + 1) : reports;
  const ran = counted.filter((r): r is SimulationReport => r !== undefined);
  const runs = ran.reduce((n, r) => n + r.runs, 0);
  const steps = ran.reduce((n, r) => n + r.steps, 0);
  const base = {
    runs,
    requestedRuns: request.runs,
    steps,
    depth: request.depth,
    seed: request.seed,
    seconds,
    stepsPerSecond: seconds > 0 ? Math.round(steps / seconds) : steps,
    checked: ran[0]?.checked ?? selectInvariants(buildSpec(request.config), request.invariants).checked,
    config: flatConfig(request.config),
    model: request.model,
    rerun: request.rerun,
  };
  const shard = (k: number): string => `shard ${k + 1} of ${reports.length} (seed ${shardSeed(request.seed, k)}, ${shardRuns(request.runs, reports.length, k).toLocaleString('en-US')} walks)`;
  if (decided(reports)) {
    const r = counted[broke] as SimulationReport;
    const notes = [...r.notes, `${shard(broke)} found it; the counterexample's rerun runs that shard alone: ${r.rerun}`];
    return { ...r, ...base, notes };
  }
  const complete = ran.length === reports.length && ran.every((r) => r.result === 'ok');
  const notes = [...new Set(ran.flatMap((r) => r.notes))];
  return { ...base, result: complete ? 'ok' : 'interrupted', invariant: null, explanation: null, originalLength: null, shrunkLength: null, shrinkTries: 0, notes, trace: null, itf: null };
}
