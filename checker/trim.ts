/**
 * Shortening a counterexample found on a reduced graph. Partial-order reduction keeps every
 * violation but may reach one only after actions a shortest path did not need (the persistent
 * action is taken first even when the violation never waits for it). Dropping a step whose absence
 * still gives a path that breaks the same property undoes that; whatever is dropped, what is left is
 * replayed from the initial state, so it is a real path of the unreduced spec.
 */
import { type Spec } from './spec.js';

/** What the last state or step of a path must show: a state invariant's bit, a step invariant's bit, or a deadlock. */
export type Broken = { readonly kind: 'state' | 'step'; readonly bit: number } | { readonly kind: 'deadlock' };

/** What breaking invariant `index` of the spec's table looks like at a path's end; -1 (not in the table) is a deadlock. */
export function brokenOf(spec: Spec, index: number): Broken {
  return index < 0 ? { kind: 'deadlock' } : { kind: spec.invariants[index].kind, bit: 1 << index };
}

/** Whether `actions`, taken from the initial state, is a path whose end breaks `broken`. */
export function breaks(spec: Spec, actions: readonly number[], broken: Broken): boolean {
  let state = new Uint8Array(spec.stateBytes);
  let next = new Uint8Array(spec.stateBytes);
  spec.init(state);
  let lastBad = 0;
  for (const a of actions) {
    const r = spec.step(a, state, next);
    if (r < 0) return false;
    lastBad = r;
    [state, next] = [next, state];
  }
  switch (broken.kind) {
    case 'state':
      return spec.violations(state, broken.bit) !== 0;
    case 'step':
      return actions.length > 0 && (lastBad & broken.bit) !== 0;
    case 'deadlock': {
      if (spec.isFinal(state)) return false;
      // Both NOT_ENABLED and MUST_WAIT leave an action out, as in the explorer.
      for (let a = 0; a < spec.actionCount; a++) if (spec.step(a, state, next) >= 0) return false;
      return true;
    }
  }
}

/**
 * Drops steps, latest first, while the path without them still breaks `broken`, until none can go.
 * Never longer than `actions`, and never shorter than a shortest counterexample.
 */
export function trimPath(spec: Spec, actions: readonly number[], broken: Broken): number[] {
  let path = [...actions];
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = path.length - 1; i >= 0; i--) {
      const without = [...path.slice(0, i), ...path.slice(i + 1)];
      if (!breaks(spec, without, broken)) continue;
      path = without;
      changed = true;
    }
  }
  return path;
}
