/**
 * Liveness under weak fairness on an explored state graph. For a subject k of a property, the
 * states where k is pending and the edges between them form a subgraph; a violation is a
 * strongly connected component of it that a fair run can stay in for ever: every actor enabled in
 * all of its states takes a step inside it. (Visiting a whole component is the fairest way to stay
 * in it, so checking the whole component suffices.) The lasso returned is a shortest path to the
 * component's first state, then a loop through it that takes a step of each such actor.
 */
import type { ChunkedArray } from './chunked.js';
import { pathTo, type Path, type TraceLinks } from './rebuild.js';
import type { LivenessProperty, Spec } from './spec.js';

export interface StateGraph {
  /** Edges of state s are edgeStart[s]..edgeStart[s+1]-1. */
  readonly edgeStart: ChunkedArray;
  readonly edgeTarget: ChunkedArray;
  readonly edgeAction: ChunkedArray;
  /** Bit a set: actor a has an enabled action in the state. */
  readonly enabledActors: ChunkedArray;
  /** Bit (offset + k) set: subject k of a property is pending in the state. */
  readonly pending: ChunkedArray;
}

export function findLasso(
  spec: Spec,
  graph: StateGraph,
  prop: LivenessProperty,
  bitOffset: number,
  links: TraceLinks,
): Path | null {
  for (let k = 0; k < prop.subjects; k++) {
    const lasso = lassoFor(spec, graph, (s) => (graph.pending.get(s) & (1 << (bitOffset + k))) !== 0, links);
    if (lasso !== null) return { ...lasso, subject: k };
  }
  return null;
}

function lassoFor(
  spec: Spec,
  graph: StateGraph,
  inside: (s: number) => boolean,
  links: TraceLinks,
): Path | null {
  const n = graph.pending.length;
  const keep = (e: number): boolean => inside(graph.edgeTarget.get(e));
  const comp = stronglyConnected(graph, n, inside, keep);

  // Judge each component: non-trivial, and fair.
  const compCount = comp.count;
  const taken = new Int32Array(compCount);
  const enabledAll = new Int32Array(compCount).fill(-1);
  const hasEdge = new Uint8Array(compCount);
  const first = new Int32Array(compCount).fill(n);
  for (let s = 0; s < n; s++) {
    const c = comp.of[s];
    if (c < 0) continue;
    enabledAll[c] &= graph.enabledActors.get(s);
    if (s < first[c]) first[c] = s;
    for (let e = graph.edgeStart.get(s); e < graph.edgeStart.get(s + 1); e++) {
      if (!keep(e) || comp.of[graph.edgeTarget.get(e)] !== c) continue;
      hasEdge[c] = 1;
      taken[c] |= 1 << spec.actorOf(graph.edgeAction.get(e));
    }
  }
  let best = -1;
  for (let c = 0; c < compCount; c++) {
    if (hasEdge[c] === 0 || (enabledAll[c] & ~taken[c]) !== 0) continue;
    if (best < 0 || first[c] < first[best]) best = c;
  }
  if (best < 0) return null;

  // The loop depends on where it starts; try the component's first states and keep the shortest.
  const inComp = (e: number): boolean => keep(e) && comp.of[graph.edgeTarget.get(e)] === best;
  const required = enabledAll[best];
  let entry = first[best];
  let loopActions: number[] | null = null;
  let tried = 0;
  for (let s = first[best]; s < n && tried < LOOP_CANDIDATES; s++) {
    if (comp.of[s] !== best) continue;
    tried++;
    const loop = loopThrough(spec, graph, s, inComp, required);
    if (loopActions === null || loop.length < loopActions.length) {
      loopActions = loop;
      entry = s;
    }
  }
  const prefix = pathTo(entry, links);
  return { actions: [...prefix, ...(loopActions ?? [])], loop: prefix.length };
}

const LOOP_CANDIDATES = 256;

/** A loop from `entry` back to it that takes a step of every actor in `required`. */
function loopThrough(spec: Spec, graph: StateGraph, entry: number, inComp: (e: number) => boolean, required: number): number[] {
  const actions: number[] = [];
  let at = entry;
  for (let actor = 0; actor < 31; actor++) {
    if ((required & (1 << actor)) === 0) continue;
    const leg = walk(graph, at, inComp, (e) => spec.actorOf(graph.edgeAction.get(e)) === actor);
    actions.push(...leg.actions);
    at = leg.end;
  }
  const home = walk(graph, at, inComp, (e) => graph.edgeTarget.get(e) === entry, actions.length === 0 || at !== entry);
  actions.push(...home.actions);
  return actions;
}

/**
 * Shortest walk from `from` along allowed edges that ends by taking an edge satisfying `goal`.
 * With `mustMove` false and nothing to do, returns the empty walk.
 */
function walk(
  graph: StateGraph,
  from: number,
  allowed: (e: number) => boolean,
  goal: (e: number) => boolean,
  mustMove = true,
): { actions: number[]; end: number } {
  if (!mustMove) return { actions: [], end: from };
  const via = new Map<number, number>([[from, -1]]);
  const queue = [from];
  for (let h = 0; h < queue.length; h++) {
    const s = queue[h];
    for (let e = graph.edgeStart.get(s); e < graph.edgeStart.get(s + 1); e++) {
      if (!allowed(e)) continue;
      const t = graph.edgeTarget.get(e);
      if (goal(e)) {
        const actions = [graph.edgeAction.get(e)];
        for (let x = s; via.get(x) !== -1; ) {
          const edge = via.get(x) as number;
          actions.push(graph.edgeAction.get(edge));
          x = sourceOf(graph, edge);
        }
        return { actions: actions.reverse(), end: t };
      }
      if (!via.has(t)) {
        via.set(t, e);
        queue.push(t);
      }
    }
  }
  throw new Error('liveness: no walk inside a strongly connected component');
}

function sourceOf(graph: StateGraph, edge: number): number {
  let lo = 0;
  let hi = graph.edgeStart.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (graph.edgeStart.get(mid) <= edge) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Tarjan's algorithm, iterative, over the states where `inside` holds and the edges `keep` allows. */
function stronglyConnected(
  graph: StateGraph,
  n: number,
  inside: (s: number) => boolean,
  keep: (e: number) => boolean,
): { of: Int32Array; count: number } {
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const of = new Int32Array(n).fill(-1);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const callState: number[] = [];
  const callEdge: number[] = [];
  let counter = 0;
  let count = 0;
  for (let root = 0; root < n; root++) {
    if (!inside(root) || index[root] >= 0) continue;
    callState.push(root);
    callEdge.push(graph.edgeStart.get(root));
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (callState.length > 0) {
      const top = callState.length - 1;
      const s = callState[top];
      const e = callEdge[top];
      if (e < graph.edgeStart.get(s + 1)) {
        callEdge[top] = e + 1;
        if (!keep(e)) continue;
        const t = graph.edgeTarget.get(e);
        if (index[t] < 0) {
          index[t] = low[t] = counter++;
          stack.push(t);
          onStack[t] = 1;
          callState.push(t);
          callEdge.push(graph.edgeStart.get(t));
        } else if (onStack[t] === 1 && index[t] < low[s]) {
          low[s] = index[t];
        }
        continue;
      }
      callState.pop();
      callEdge.pop();
      if (callState.length > 0) {
        const parent = callState[callState.length - 1];
        if (low[s] < low[parent]) low[parent] = low[s];
      }
      if (low[s] === index[s]) {
        for (;;) {
          const x = stack.pop() as number;
          onStack[x] = 0;
          of[x] = count;
          if (x === s) break;
        }
        count++;
      }
    }
  }
  return { of, count };
}
