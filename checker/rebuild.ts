/**
 * Rebuilding a counterexample from the trace links. Links record, per state, its BFS parent and the
 * action that reached it from the parent's canonical form. Under symmetry that chain of canonical
 * states may jump between permutations, so the path is replayed from the true initial state,
 * choosing at each step an action whose successor is symmetric to the next state on the chain: the
 * result names the same actors from start to end.
 */
import type { ChunkedArray } from './chunked.js';
import { type Spec } from './spec.js';

export interface TraceLinks {
  readonly parents: ChunkedArray;
  readonly actions: ChunkedArray;
}

export interface Path {
  readonly actions: readonly number[];
  /** For a lasso: the index of the state (0 = initial) that the last state steps back to. */
  readonly loop?: number;
  /** For a lasso: the subject of the liveness property that stays pending for ever. */
  readonly subject?: number;
}

/** The actions along the BFS tree from the initial state to state `id`. */
export function pathTo(id: number, links: TraceLinks): number[] {
  const out: number[] = [];
  for (let s = id; links.parents.get(s) >= 0; s = links.parents.get(s)) out.push(links.actions.get(s));
  return out.reverse();
}

/**
 * What the rebuilt last step must also do, beyond reaching a symmetric state: break the same step
 * invariant, say, or hit the same coverage goal. `bad` is what `spec.step` returned for it.
 */
export type LastStepTest = (action: number, from: Uint8Array, to: Uint8Array, bad: number) => boolean;

export const anyLastStep: LastStepTest = () => true;

/** The path to state `lastId`, then `lastAction` if it is not negative (a transition that `lastOk` picks out). */
export function rebuildPath(
  spec: Spec,
  links: TraceLinks,
  lastId: number,
  lastAction: number,
  symmetry: boolean,
  lastOk: LastStepTest,
): Path {
  const chain = pathTo(lastId, links);
  if (lastAction >= 0) chain.push(lastAction);
  if (!symmetry) return { actions: chain };

  // Canonical states are compared whole, not by fingerprint: a path is rebuilt once, and so it
  // cannot be led astray by a collision whatever width the exploration used.
  const fpOf = (state: Uint8Array): string => state.join(',');

  const targets: string[] = [];
  let canon = new Uint8Array(spec.stateBytes);
  spec.init(canon);
  spec.canonicalize(canon);
  for (const a of chain) {
    const succ = new Uint8Array(spec.stateBytes);
    if (spec.step(a, canon, succ) < 0) throw new Error(`rebuild: action ${a} disabled on the stored path`);
    spec.canonicalize(succ);
    targets.push(fpOf(succ));
    canon = succ;
  }

  const concrete: number[] = [];
  let state = new Uint8Array(spec.stateBytes);
  spec.init(state);
  const succ = new Uint8Array(spec.stateBytes);
  const probe = new Uint8Array(spec.stateBytes);
  targets.forEach((target, i) => {
    const last = i === targets.length - 1 && lastAction >= 0;
    for (let b = 0; b < spec.actionCount; b++) {
      const bad = spec.step(b, state, succ);
      if (bad < 0 || (last && !lastOk(b, state, succ, bad))) continue;
      probe.set(succ);
      spec.canonicalize(probe);
      if (fpOf(probe) !== target) continue;
      concrete.push(b);
      state = succ.slice();
      return;
    }
    throw new Error(`rebuild: no concrete step matches step ${i + 1} of the stored path`);
  });
  return { actions: concrete };
}
