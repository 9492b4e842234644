/**
 * The explorer (checker/explore.ts) and its fair-cycle search (checker/liveness.ts) on hand-made
 * specs whose state graphs are small enough to count by hand. Every lasso is checked by replaying
 * it through the spec, never by comparing it with a stored answer: many lassos can be right.
 */
import { describe, expect, it } from 'vitest';
import { explore, type ExploreOptions, type ExploreResult, type Path } from '../../checker/explore.js';
import type { InvariantInfo, LivenessProperty, Spec } from '../../checker/spec.js';

/** `step` for an action it does not take: any negative number (not enabled, or must wait). */
const NOT_TAKEN = -1;
const WAITS = -2;

// ---- a spec that is an explicit graph ----

interface Edge {
  readonly from: number;
  readonly to: number;
  readonly actor: number;
}

/**
 * A state is one node number (byte 0, padded to 4 bytes); action i is edge i, enabled exactly in
 * its source node. Subject k of the property `progress` is pending in the nodes of pending[k].
 */
class GraphSpec implements Spec {
  readonly stateBytes = 4;
  readonly actionCount: number;
  readonly invariants: readonly InvariantInfo[] = [];
  readonly liveness: readonly LivenessProperty[];
  readonly mayCycle = true;

  constructor(
    readonly edges: readonly Edge[],
    readonly actorCount: number,
    pending: readonly (readonly number[])[],
    private readonly start = 0,
  ) {
    this.actionCount = edges.length;
    this.liveness = [{ name: 'progress', subjects: pending.length, pending: (s, k) => pending[k].includes(s[0]), holdsWithoutSearch: null }];
  }

  actorOf(action: number): number {
    return this.edges[action].actor;
  }
  init(out: Uint8Array): void {
    out.fill(0);
    out[0] = this.start;
  }
  step(action: number, from: Uint8Array, to: Uint8Array): number {
    const e = this.edges[action];
    // Odd edges say "must wait" where even ones say "not enabled": both mean not taken, for the
    // explorer's counts and for the enabled actors that fairness is judged on.
    if (from[0] !== e.from) return action % 2 === 0 ? NOT_TAKEN : WAITS;
    to.set(from);
    to[0] = e.to;
    return 0;
  }
  violations(): number {
    return 0;
  }
  isFinal(): boolean {
    return true;
  }
  canonicalize(): void {}
}

const LIVE: ExploreOptions = { invariantMask: 0, liveness: ['progress'], checkDeadlock: false, symmetry: false };

function replay(spec: Spec, actions: readonly number[]): Uint8Array[] {
  const states = [new Uint8Array(spec.stateBytes)];
  spec.init(states[0]);
  for (const a of actions) {
    const next = new Uint8Array(spec.stateBytes);
    expect(spec.step(a, states[states.length - 1], next), `action ${a} on the path is taken`).toBeGreaterThanOrEqual(0);
    states.push(next);
  }
  return states;
}

function enabledActors(spec: Spec, s: Uint8Array): Set<number> {
  const out = new Set<number>();
  const to = new Uint8Array(spec.stateBytes);
  for (let a = 0; a < spec.actionCount; a++) if (spec.step(a, s, to) >= 0) out.add(spec.actorOf(a));
  return out;
}

const same = (a: Uint8Array, b: Uint8Array): boolean => a.every((x, i) => x === b[i]);

/**
 * What makes a lasso a counterexample to "subject never pending for ever" under weak fairness: a
 * path from init whose last state is the state at `loop`, with the subject pending all along the
 * loop, and every actor enabled throughout the loop taking a step in it.
 */
function expectLasso(spec: Spec, result: ExploreResult, prop: LivenessProperty): { path: Path; states: Uint8Array[] } {
  expect(result.kind).toBe('violation');
  if (result.kind !== 'violation') throw new Error('unreachable');
  expect(result.invariant).toBe(prop.name);
  const path = result.path;
  const loop = path.loop ?? -1;
  const subject = path.subject ?? -1;
  expect(subject).toBeGreaterThanOrEqual(0);
  expect(loop).toBeGreaterThanOrEqual(0);
  expect(loop).toBeLessThan(path.actions.length); // the loop takes at least one step
  const states = replay(spec, path.actions);
  expect(same(states[states.length - 1], states[loop]), 'the last state steps back to the loop state').toBe(true);
  const loopStates = states.slice(loop);
  for (const s of loopStates) expect(prop.pending(s, subject)).toBe(true);
  const always = loopStates.map((s) => enabledActors(spec, s)).reduce((acc, e) => new Set([...acc].filter((x) => e.has(x))));
  const stepping = new Set(path.actions.slice(loop).map((a) => spec.actorOf(a)));
  for (const actor of always) expect(stepping.has(actor), `actor ${actor} is enabled throughout the loop and steps in it`).toBe(true);
  return { path, states };
}

describe('fair-cycle search', () => {
  it('reports a cycle in which the subject stays pending, as a lasso from init that loops back', () => {
    // 0 -> 1 -> 2 -> 3 -> 1: the subject is pending in 1, 2, 3 and never gets out.
    const spec = new GraphSpec(
      [
        { from: 0, to: 1, actor: 0 },
        { from: 1, to: 2, actor: 0 },
        { from: 2, to: 3, actor: 0 },
        { from: 3, to: 1, actor: 0 },
      ],
      1,
      [[1, 2, 3]],
    );
    const { path, states } = expectLasso(spec, explore(spec, LIVE), spec.liveness[0]);
    expect(path.subject).toBe(0);
    expect(spec.liveness[0].pending(states[0], 0)).toBe(false); // the prefix is real: init is not in the loop
    expect(path.loop).toBeGreaterThanOrEqual(1);
  });

  it('a loop at the initial state itself has an empty prefix', () => {
    const spec = new GraphSpec([{ from: 0, to: 0, actor: 0 }], 1, [[0]]);
    const { path } = expectLasso(spec, explore(spec, LIVE), spec.liveness[0]);
    expect(path.loop).toBe(0);
  });

  it('does not report a cycle that is unfair to an actor enabled all along it', () => {
    // Actor 0 spins 1 -> 2 -> 1; actor 1 can end the wait from both 1 and 2 and never does in the
    // cycle. Weak fairness rules the spin out.
    const spec = new GraphSpec(
      [
        { from: 0, to: 1, actor: 0 },
        { from: 1, to: 2, actor: 0 },
        { from: 2, to: 1, actor: 0 },
        { from: 1, to: 3, actor: 1 },
        { from: 2, to: 3, actor: 1 },
      ],
      2,
      [[1, 2]],
    );
    const r = explore(spec, LIVE);
    expect(r.kind).toBe('ok');
    expect(r.stats.distinctStates).toBe(4);
  });

  it('reports the spin when the rescuing actor is only sometimes enabled (weak, not strong, fairness)', () => {
    // As above, but actor 1 can end the wait only from 1: it is not continuously enabled.
    const spec = new GraphSpec(
      [
        { from: 0, to: 1, actor: 0 },
        { from: 1, to: 2, actor: 0 },
        { from: 2, to: 1, actor: 0 },
        { from: 1, to: 3, actor: 1 },
      ],
      2,
      [[1, 2]],
    );
    const { path } = expectLasso(spec, explore(spec, LIVE), spec.liveness[0]);
    expect(path.actions.slice(path.loop).every((a) => spec.actorOf(a) === 0)).toBe(true);
  });

  it('a fair loop takes a step of every actor enabled throughout it', () => {
    // In 1 and 2 both actors are always enabled; actor 1 only self-loops, so a loop of actor 0
    // alone (1 -> 2 -> 1) would be unfair. The reported loop must include actor 1.
    const spec = new GraphSpec(
      [
        { from: 0, to: 1, actor: 0 },
        { from: 1, to: 2, actor: 0 },
        { from: 2, to: 1, actor: 0 },
        { from: 1, to: 1, actor: 1 },
        { from: 2, to: 2, actor: 1 },
      ],
      2,
      [[1, 2]],
    );
    const { path } = expectLasso(spec, explore(spec, LIVE), spec.liveness[0]);
    const actors = new Set(path.actions.slice(path.loop).map((a) => spec.actorOf(a)));
    expect(actors).toEqual(new Set([0, 1]));
  });

  it('no violation when every pending stretch ends, though the graph cycles', () => {
    // 0 -> 1 -> 2 -> 0 for ever, pending in 1 and 2 only: each wait ends in 0.
    const spec = new GraphSpec(
      [
        { from: 0, to: 1, actor: 0 },
        { from: 1, to: 2, actor: 1 },
        { from: 2, to: 0, actor: 1 },
      ],
      2,
      [[1, 2]],
    );
    expect(explore(spec, LIVE).kind).toBe('ok');
  });

  it('a pending dead end is no lasso (a run that stops is not an infinite wait)', () => {
    const spec = new GraphSpec(
      [
        { from: 0, to: 1, actor: 0 },
        { from: 1, to: 0, actor: 0 },
        { from: 0, to: 2, actor: 0 },
      ],
      1,
      [[2]],
    );
    expect(explore(spec, LIVE).kind).toBe('ok');
  });

  it('names the subject that stays pending when another one does not', () => {
    // Subject 0 is pending only in 1 (left at once); subject 1 in the cycle 2 <-> 3.
    const spec = new GraphSpec(
      [
        { from: 0, to: 1, actor: 0 },
        { from: 1, to: 2, actor: 0 },
        { from: 2, to: 3, actor: 0 },
        { from: 3, to: 2, actor: 0 },
      ],
      1,
      [[1], [2, 3]],
    );
    const { path } = expectLasso(spec, explore(spec, LIVE), spec.liveness[0]);
    expect(path.subject).toBe(1);
  });

  it('liveness is not checked unless asked for', () => {
    const spec = new GraphSpec([{ from: 0, to: 0, actor: 0 }], 1, [[0]]);
    expect(explore(spec, { ...LIVE, liveness: [] }).kind).toBe('ok');
  });
});

// ---- a spec with counts to check by hand: a 3 x 3 grid ----

const N = 2;

/**
 * State (x, y) in bytes 0 and 1, from (0, 0). Action 0 (actor 0) increments x, action 1 (actor 1)
 * increments y, each up to N. State invariant 0: x + y < sumLimit. Step invariant 1: no step
 * reaches the corner (N, N). Both are symmetric in x and y, so sorting (x, y) is a valid symmetry.
 * A full y reports "must wait" and a full x "not enabled": the explorer must treat both as not taken.
 */
class GridSpec implements Spec {
  readonly stateBytes = 4;
  readonly actionCount = 2;
  readonly actorCount = 2;
  readonly invariants: readonly InvariantInfo[] = [
    { name: 'sum-limit', kind: 'state' },
    { name: 'no-corner-step', kind: 'step' },
  ];
  readonly liveness: readonly LivenessProperty[] = [];
  readonly mayCycle = false;

  constructor(
    private readonly sumLimit = 99,
    private readonly cornerIsFinal = true,
  ) {}

  actorOf(action: number): number {
    return action;
  }
  init(out: Uint8Array): void {
    out.fill(0);
  }
  step(action: number, from: Uint8Array, to: Uint8Array): number {
    if (from[action] >= N) return action === 0 ? NOT_TAKEN : WAITS;
    to.set(from);
    to[action]++;
    return to[0] === N && to[1] === N ? 2 : 0;
  }
  violations(state: Uint8Array, mask: number): number {
    return state[0] + state[1] >= this.sumLimit ? mask & 1 : 0;
  }
  isFinal(state: Uint8Array): boolean {
    return this.cornerIsFinal && state[0] === N && state[1] === N;
  }
  canonicalize(state: Uint8Array): void {
    if (state[0] > state[1]) [state[0], state[1]] = [state[1], state[0]];
  }
}

const SAFE: ExploreOptions = { invariantMask: 0, liveness: [], checkDeadlock: false, symmetry: false };

describe('explorer on a hand-counted graph', () => {
  it('counts distinct states, transitions and depth', () => {
    // 9 states; x can be incremented in the 6 states with x < 2, y likewise: 12 transitions;
    // the corner is 4 steps from the start.
    const r = explore(new GridSpec(), SAFE);
    expect(r.kind).toBe('ok');
    expect(r.stats.distinctStates).toBe(9);
    expect(r.stats.transitions).toBe(12);
    expect(r.stats.depth).toBe(4);
  });

  it('under symmetry counts the classes {x, y}', () => {
    // Classes (0,0) (0,1) (0,2) (1,1) (1,2) (2,2); from them 2 + 2 + 1 + 2 + 1 + 0 transitions.
    const r = explore(new GridSpec(), { ...SAFE, symmetry: true });
    expect(r.kind).toBe('ok');
    expect(r.stats.distinctStates).toBe(6);
    expect(r.stats.transitions).toBe(8);
    expect(r.stats.depth).toBe(4);
  });

  it('counts a graph with a cycle, a self-loop, merging paths and an unreachable node', () => {
    // Reachable 0..4 (5 is not); 7 edges leave reachable nodes; 4 is 3 steps away.
    const spec = new GraphSpec(
      [
        { from: 0, to: 1, actor: 0 },
        { from: 0, to: 2, actor: 0 },
        { from: 1, to: 3, actor: 0 },
        { from: 2, to: 3, actor: 0 },
        { from: 3, to: 0, actor: 0 },
        { from: 3, to: 4, actor: 0 },
        { from: 4, to: 4, actor: 0 },
        { from: 5, to: 0, actor: 0 },
      ],
      1,
      [[]],
    );
    const r = explore(spec, { ...LIVE, liveness: [] });
    expect(r.kind).toBe('ok');
    expect(r.stats.distinctStates).toBe(5);
    expect(r.stats.transitions).toBe(7);
    expect(r.stats.depth).toBe(3);
  });

  for (const symmetry of [false, true]) {
    it(`a state invariant violation comes with a shortest path to a violating state (symmetry ${symmetry})`, () => {
      const spec = new GridSpec(3);
      const r = explore(spec, { ...SAFE, invariantMask: 1, symmetry });
      expect(r.kind).toBe('violation');
      if (r.kind !== 'violation') return;
      expect(r.invariant).toBe('sum-limit');
      expect(r.path.actions).toHaveLength(3); // x + y grows by one per step
      const states = replay(spec, r.path.actions);
      expect(spec.violations(states[3], 1)).toBe(1);
    });

    it(`a step invariant violation ends with the breaking step (symmetry ${symmetry})`, () => {
      const spec = new GridSpec();
      const r = explore(spec, { ...SAFE, invariantMask: 2, symmetry });
      expect(r.kind).toBe('violation');
      if (r.kind !== 'violation') return;
      expect(r.invariant).toBe('no-corner-step');
      expect(r.path.actions).toHaveLength(4);
      const states = replay(spec, r.path.actions.slice(0, -1));
      const last = r.path.actions[r.path.actions.length - 1];
      expect(spec.step(last, states[states.length - 1], new Uint8Array(4))).toBe(2);
    });
  }

  it('an invariant the initial state breaks gives the empty path', () => {
    const r = explore(new GridSpec(0), { ...SAFE, invariantMask: 1 });
    expect(r.kind === 'violation' && r.path.actions).toEqual([]);
  });

  it('an unchecked invariant is not reported', () => {
    expect(explore(new GridSpec(3), { ...SAFE, invariantMask: 2 }).kind).toBe('violation'); // the step one still is
    expect(explore(new GridSpec(3), { ...SAFE, invariantMask: 0 }).kind).toBe('ok');
  });

  it('deadlock: a state with no successor that is not final, with a path to it', () => {
    const spec = new GridSpec(99, false);
    const r = explore(spec, { ...SAFE, checkDeadlock: true });
    expect(r.kind).toBe('violation');
    if (r.kind !== 'violation') return;
    expect(r.invariant).toBe('deadlock');
    const states = replay(spec, r.path.actions);
    const end = states[states.length - 1];
    expect(enabledActors(spec, end).size).toBe(0);
    expect(spec.isFinal(end)).toBe(false);
    expect(r.path.actions).toHaveLength(4); // the only dead end is the corner
  });

  it('no deadlock when the only dead end is final, or when deadlock is not checked', () => {
    expect(explore(new GridSpec(99, true), { ...SAFE, checkDeadlock: true }).kind).toBe('ok');
    expect(explore(new GridSpec(99, false), SAFE).kind).toBe('ok');
  });

  it('max-states stops a large exploration early with a partial report', () => {
    // A chain of 60,000 states (a 16-bit counter); the limit is polled every so often, not per state.
    class Chain extends GridSpec {
      override step(_a: number, from: Uint8Array, to: Uint8Array): number {
        const v = from[0] | (from[1] << 8);
        if (_a !== 0 || v >= 60_000) return NOT_TAKEN;
        to.set(from);
        to[0] = (v + 1) & 0xff;
        to[1] = (v + 1) >> 8;
        return 0;
      }
      override canonicalize(): void {}
    }
    const r = explore(new Chain(), { ...SAFE, maxStates: 100 });
    expect(r.kind).toBe('limit');
    if (r.kind !== 'limit') return;
    expect(r.reason).toBe('max-states');
    expect(r.stats.distinctStates).toBeGreaterThanOrEqual(100);
    expect(r.stats.distinctStates).toBeLessThan(60_001);
  });
});
