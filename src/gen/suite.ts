/**
 * Coverage-driven test generation: explore the configuration's whole state graph, note the first
 * transition (in BFS order, so on a shortest path) that hits each coverage goal, rebuild the path to
 * it, and keep, shortest first, every trace that hits a goal no shorter kept trace hits and is not
 * the start of another kept trace.
 */
import { explore, type Progress, type Stats } from '../../checker/explore.js';
import { type Goal, goalCount, goalName, goalOf } from '../../spec/coverage.js';
import { STATE_VARS } from '../../spec/describe.js';
import { buildSpec, type LsmcSpec } from '../../spec/index.js';
import { type Config, flatConfig } from '../../spec/knobs.js';
import { type ItfTrace, itfHeader, toItf } from '../trace/itf.js';
import { replayPath } from '../trace/replay.js';

export interface SuiteTrace {
  /** File name, without directory: NNN-goal.itf.json, numbered shortest first. */
  readonly name: string;
  readonly goal: string;
  /** Every goal the trace hits, in order of first hit. */
  readonly covers: readonly string[];
  readonly steps: number;
  readonly itf: ItfTrace;
}

export interface Suite {
  readonly traces: readonly SuiteTrace[];
  readonly reached: readonly string[];
  /** Goals the protocol allows that this configuration never reached. */
  readonly unreached: readonly string[];
  /** Outcome kinds and step kinds that occur in the suite. */
  readonly stats: Stats;
}

export interface SuiteRequest {
  readonly config: Config;
  readonly model: string;
  readonly rerun: string;
}

const slug = (g: Goal): string => `${g.step}-${g.outcome}${g.qualifier === '' ? '' : `-${g.qualifier}`}`;

function goalsAlong(spec: LsmcSpec, actions: readonly number[]): number[] {
  let state = new Uint8Array(spec.stateBytes);
  spec.init(state);
  const out: number[] = [];
  for (const a of actions) {
    const next = new Uint8Array(spec.stateBytes);
    out.push(spec.goalOf(a, state, next, spec.step(a, state, next)));
    state = next;
  }
  return out;
}

export function generateSuite(
  request: SuiteRequest,
  hooks: { onProgress?: (p: Progress) => void; shouldStop?: () => boolean } = {},
): Suite | { readonly interrupted: true; readonly stats: Stats } {
  const spec = buildSpec(request.config);
  const firstHit = new Int32Array(goalCount).fill(-1);
  const hitFrom: number[] = [];
  const hitAction: number[] = [];
  const hitGoal: number[] = [];
  const result = explore(spec, {
    invariantMask: 0,
    liveness: [],
    checkDeadlock: false,
    symmetry: true,
    onProgress: hooks.onProgress,
    shouldStop: hooks.shouldStop,
    onStep: (a, fromId, from, to, r) => {
      const g = spec.goalOf(a, from, to, r);
      if (firstHit[g] !== -1) return;
      firstHit[g] = hitGoal.length;
      hitGoal.push(g);
      hitFrom.push(fromId);
      hitAction.push(a);
    },
  });
  if (result.kind === 'violation') throw new Error('generation explores with no invariant, so it cannot find a violation');
  if (result.kind === 'limit') return { interrupted: true, stats: result.stats };

  const candidates = hitGoal.map((g, i) => {
    const path = result.pathTo(hitFrom[i], hitAction[i], (b, from, to, r) => spec.goalOf(b, from, to, r) === g);
    return { goal: g, order: i, actions: path.actions, covers: goalsAlong(spec, path.actions) };
  });
  candidates.sort((x, y) => x.actions.length - y.actions.length || x.order - y.order);
  const covered = new Set<number>();
  const fresh = candidates.filter((c) => {
    const adds = c.covers.some((g) => !covered.has(g));
    for (const g of c.covers) covered.add(g);
    return adds;
  });
  // A trace that is the start of a longer one is replayed, state for state, by the longer one.
  const key = (actions: readonly number[]): string => actions.join(',');
  const starts = new Set<string>();
  for (const c of fresh) for (let n = 1; n < c.actions.length; n++) starts.add(key(c.actions.slice(0, n)));
  const kept = fresh.filter((c) => !starts.has(key(c.actions)));

  const config = flatConfig(request.config);
  const traces = kept.map((c, i): SuiteTrace => {
    const goal = goalOf(c.goal);
    const name = `${String(i + 1).padStart(3, '0')}-${slug(goal)}.itf.json`;
    const covers = [...new Set(c.covers)].map((g) => goalName(goalOf(g)));
    const itf = toItf(replayPath(spec, { actions: c.actions }), STATE_VARS, itfHeader({
      producedBy: 'lsmc gen',
      description: `Coverage trace: a shortest path to ${goalName(goal)}`,
      status: 'coverage',
      goal: goalName(goal),
      covers,
      model: request.model,
      config,
      rerun: request.rerun,
    }));
    return { name, goal: goalName(goal), covers, steps: c.actions.length, itf };
  });
  const reached = new Set(hitGoal.map((g) => goalName(goalOf(g))));
  const unreached = spec.possibleGoals().map(goalName).filter((n) => !reached.has(n));
  return { traces, reached: hitGoal.map((g) => goalName(goalOf(g))).sort(), unreached, stats: result.stats };
}
