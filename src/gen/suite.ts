/**
 * Coverage-driven test generation: explore the configuration's whole state graph, note the first
 * transition (in BFS order, so on a shortest path) that hits each coverage goal, rebuild the path to
 * it, and keep, shortest first, every trace that hits a goal no shorter kept trace hits and is not
 * the start of another kept trace.
 */
import { ChunkedArray } from '../../checker/chunked.js';
import { explore, type Progress, type Stats } from '../../checker/explore.js';
import { consumersOf, type Goal, goalCount, goalName, goalOf, stepOfGoal } from '../../spec/coverage.js';
import { type WriteTable, writeGoalName, writeGoalSlug, writeGoalsOf, writeTable } from '../../spec/writes.js';
import { STATE_VARS } from '../../spec/describe.js';
import { type ActorRole, buildSpec, type LsmcSpec } from '../../spec/index.js';
import { continuation } from './continue.js';
import { OP_OUTCOMES, opOutcomeName, opOutcomeOf, opOutcomeSlug, opPart, ROLES } from './operations.js';
import { SequenceGoals } from './sequence.js';
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
  /** Goals reached, by kind: (step, outcome), pairs of steps of different actors, continuations, writes, an actor's operation then its next. */
  readonly goals: Readonly<Record<GoalKind, number>>;
  /** Outcome kinds and step kinds that occur in the suite. */
  readonly stats: Stats;
}

export type GoalKind = 'step' | 'pair' | 'continuation' | 'write' | 'sequence';

export interface SuiteRequest {
  readonly config: Config;
  /** Pair goals too (the default); a suite of many variants may leave them out for its size. */
  readonly pairs?: boolean;
  /** Write goals (spec/writes.ts) too (the default). */
  readonly writes?: boolean;
  /** Sequence goals (an actor's operation, then its next) too (the default). */
  readonly sequences?: boolean;
  readonly model: string;
  readonly rerun: string;
}

const slug = (g: Goal): string => `${g.step}-${g.outcome}${g.qualifier === '' ? '' : `-${g.qualifier}`}`;

/** The names of every step, write and sequence goal the path hits, in order of first hit. */
function goalsAlong(spec: LsmcSpec, actions: readonly number[], table: WriteTable | null, sequences: SequenceGoals): string[] {
  let state = new Uint8Array(spec.stateBytes);
  spec.init(state);
  const out: string[] = [];
  for (const a of actions) {
    const next = new Uint8Array(spec.stateBytes);
    const g = spec.goalOf(a, state, next, spec.step(a, state, next));
    out.push(goalName(goalOf(g)));
    if (table !== null) writeGoalsOf(table, stepOfGoal(g), state, next, (id) => out.push(writeGoalName(table, id)));
    if (sequences.on) {
      const key = sequences.goal(a, state, next);
      if (key >= 0) out.push(sequences.name(key));
    }
    state = next;
  }
  return out;
}

/**
 * A goal over two consecutive steps by different actors, at the grain of operations: the first
 * step's operation and outcome, then the second's (`create -> none`, then another actor's
 * `scan -> value`), where an operation is named by the step that starts it and an owner's every
 * step is its own. Finer pairs (every step name) would multiply a suite by tens. Actors are told
 * apart without their names, which symmetry does not keep: by kind (owner, kernel context, reader,
 * grace period); or, for two of one kind, by what the first step left its actor doing (still in an
 * operation while the second starts one or continues another kind of operation, or done while the
 * second continues one). Two steps of one kind whose actors cannot be told apart that way (one
 * done, the next starting; or both in the same kind of operation) make no pair goal.
 */
const pairName = (first: number, second: number): string => `${opOutcomeName(first)}, then another actor's ${opOutcomeName(second)}`;
const pairSlug = (first: number, second: number): string => `${opOutcomeSlug(first)}-then-${opOutcomeSlug(second)}`;

/**
 * How a state was first reached, packed in one number per state (no object per state): the step's
 * (operation, outcome), its actor's kind, and whether the actor is still in that operation.
 */
const pack = (pair: number, role: ActorRole, busy: boolean): number => ((pair * 4 + ROLES.indexOf(role)) << 1) | (busy ? 1 : 0);
const unpack = (x: number): { pair: number; role: ActorRole; busy: boolean } => ({ busy: (x & 1) === 1, role: ROLES[(x >>> 1) & 3], pair: x >>> 3 });

/** The spec generation explores: with the history bytes where sequence goals are asked for and there is a lone kernel context or reader to keep one for. */
export function generationSpec(config: Config, sequences: boolean): LsmcSpec {
  const b = config.bounds;
  return buildSpec(config, { history: sequences && (b.kernelContexts === 1 || b.readers === 1) });
}

export function generateSuite(
  request: SuiteRequest,
  hooks: { onProgress?: (p: Progress) => void; shouldStop?: () => boolean } = {},
): Suite | { readonly interrupted: true; readonly stats: Stats } {
  const spec = generationSpec(request.config, request.sequences !== false);
  const pairsToo = request.pairs !== false;
  const writesToo = request.writes !== false;
  const table = writeTable(spec.ctx);
  const sequences = new SequenceGoals(spec);
  const firstHit = new Int32Array(goalCount).fill(-1);
  const hitFrom: number[] = [];
  const hitAction: number[] = [];
  const hitGoal: number[] = [];
  // How each state was first reached, for pair goals.
  const arrivals = ChunkedArray.int32();
  arrivals.push(-1);
  let arriving = -1;
  const pairHits = new Map<number, { from: number; action: number; first: number; second: number }>();
  const writeHits = new Map<number, { from: number; action: number }>();
  const sequenceHits = new Map<number, { from: number; action: number }>();
  let writeFrom = 0;
  let writeAction = 0;
  const onWrite = (id: number): void => {
    if (!writeHits.has(id)) writeHits.set(id, { from: writeFrom, action: writeAction });
  };
  const result = explore(spec, {
    invariantMask: 0,
    liveness: [],
    checkDeadlock: false,
    symmetry: true,
    onProgress: hooks.onProgress,
    shouldStop: hooks.shouldStop,
    onStep: (a, fromId, from, to, r) => {
      const g = spec.goalOf(a, from, to, r);
      if (pairsToo) {
        const role = spec.roleOf(a);
        const here = opOutcomeOf(role, g);
        arriving = pack(here, role, spec.busyIn(a, to));
        const packed = arrivals.get(fromId);
        if (packed >= 0) {
          const before = unpack(packed);
          const starting = !spec.busyIn(a, from);
          // An owner's steps are all of its life (free, then free.*); a kernel context's and a reader's are of their operation.
          const other = before.role !== role || (before.busy ? starting || opPart(before.pair) !== opPart(here) : !starting);
          const key = before.pair * OP_OUTCOMES + here;
          if (other && !pairHits.has(key)) pairHits.set(key, { from: fromId, action: a, first: before.pair, second: here });
        }
      }
      if (sequences.on) {
        const key = sequences.goal(a, from, to);
        if (key >= 0 && !sequenceHits.has(key)) sequenceHits.set(key, { from: fromId, action: a });
      }
      if (writesToo) {
        writeFrom = fromId;
        writeAction = a;
        writeGoalsOf(table, stepOfGoal(g), from, to, onWrite);
      }
      if (firstHit[g] !== -1) return;
      firstHit[g] = hitGoal.length;
      hitGoal.push(g);
      hitFrom.push(fromId);
      hitAction.push(a);
    },
    onNewState: pairsToo ? () => arrivals.push(arriving) : undefined,
  });
  if (result.kind === 'violation') throw new Error('generation explores with no invariant, so it cannot find a violation');
  if (result.kind === 'limit') return { interrupted: true, stats: result.stats };

  const named = (actions: readonly number[]): string[] => goalsAlong(spec, actions, writesToo ? table : null, sequences);
  const stepGoals = hitGoal.map((g, i) => {
    const path = result.pathTo(hitFrom[i], hitAction[i], (b, from, to, r) => spec.goalOf(b, from, to, r) === g);
    return { goal: goalName(goalOf(g)), slug: slug(goalOf(g)), kind: 'step' as GoalKind, order: i, actions: path.actions, covers: named(path.actions) };
  });
  let order = hitGoal.length;
  const pairs = [...pairHits.values()].map((p) => {
    const path = result.pathTo(p.from, p.action, (b, from, to, r) => opOutcomeOf(spec.roleOf(b), spec.goalOf(b, from, to, r)) === p.second);
    const goal = pairName(p.first, p.second);
    return { goal, slug: pairSlug(p.first, p.second), kind: 'pair' as GoalKind, order: order++, actions: path.actions, covers: [...named(path.actions), goal] };
  });
  const writes = [...writeHits].map(([id, w]) => {
    const path = result.pathTo(w.from, w.action, (b, from, to, r) => {
      let hit = false;
      writeGoalsOf(table, stepOfGoal(spec.goalOf(b, from, to, r)), from, to, (x) => (hit ||= x === id));
      return hit;
    });
    return { goal: writeGoalName(table, id), slug: writeGoalSlug(table, id), kind: 'write' as GoalKind, order: order++, actions: path.actions, covers: named(path.actions) };
  });
  const sequenced = [...sequenceHits].map(([key, w]) => {
    const path = result.pathTo(w.from, w.action, (b, from, to) => sequences.goal(b, from, to) === key);
    return { goal: sequences.name(key), slug: sequences.slug(key), kind: 'sequence' as GoalKind, order: order++, actions: path.actions, covers: named(path.actions) };
  });
  // Every step goal's trace carried on to the nearest step that reads what its goal step changed.
  const continued = stepGoals.flatMap((c, i) => {
    const step = goalOf(hitGoal[i]).step;
    const ext = continuation(spec, c.actions, consumersOf(step));
    if (ext === null) return [];
    const actions = [...c.actions, ...ext.actions];
    const goal = `${c.goal}, then ${ext.step}`;
    return [{ goal, slug: `${c.slug}-then-${ext.step}`, kind: 'continuation' as GoalKind, order: order + i, actions, covers: [...named(actions), goal] }];
  });
  const candidates = [...stepGoals, ...pairs, ...writes, ...sequenced, ...continued];
  candidates.sort((x, y) => x.actions.length - y.actions.length || x.order - y.order);
  const covered = new Set<string>();
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
  const describeGoal = (c: (typeof candidates)[number]): string =>
    c.kind === 'continuation' ? `a shortest path to ${c.goal} (the nearest step that reads what the goal step changed)` : `a shortest path to ${c.goal}`;
  const traces = kept.map((c, i): SuiteTrace => {
    const name = `${String(i + 1).padStart(3, '0')}-${c.slug}.itf.json`;
    const covers = [...new Set(c.covers)];
    const itf = toItf(replayPath(spec, { actions: c.actions }), STATE_VARS, itfHeader({
      producedBy: 'lsmc gen',
      description: `Coverage trace: ${describeGoal(c)}`,
      status: 'coverage',
      goal: c.goal,
      covers,
      model: request.model,
      config,
      rerun: request.rerun,
    }));
    return { name, goal: c.goal, covers, steps: c.actions.length, itf };
  });
  const reached = new Set(hitGoal.map((g) => goalName(goalOf(g))));
  const unreached = spec.possibleGoals().map(goalName).filter((n) => !reached.has(n));
  const goals = { step: stepGoals.length, pair: pairs.length, continuation: continued.length, write: writes.length, sequence: sequenced.length };
  return { traces, reached: hitGoal.map((g) => goalName(goalOf(g))).sort(), unreached, goals, stats: result.stats };
}
