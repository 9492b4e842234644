/**
 * Every invariant's verdict on a whole bounded space in one pass, as TLC's -continue gives them:
 * the explorer walks everything (it is told to check nothing, so it never stops early) and each
 * transition is judged again here, its step invariants and its successor's state invariants.
 * Deadlock freedom takes a second, ordinary run.
 */
import { explore } from '../../checker/explore.js';
import { DISABLED, type Spec } from '../../checker/spec.js';

export interface Verdicts {
  /** Names of the invariants broken somewhere in the space, plus "deadlock". */
  readonly broken: ReadonlySet<string>;
  readonly distinct: number;
}

/** `deadlock`: whether to look for deadlocks (a second exploration), or what to report without looking. */
export function verdicts(spec: Spec, symmetry: boolean, deadlock: boolean | 'search' = 'search'): Verdicts {
  const all = (1 << spec.invariants.length) - 1;
  let bad = 0;
  const scratch = new Uint8Array(spec.stateBytes);
  const init = new Uint8Array(spec.stateBytes);
  spec.init(init);
  bad |= spec.violations(init, all);
  const r = explore(spec, {
    invariantMask: 0,
    liveness: [],
    checkDeadlock: false,
    symmetry,
    onStep: (action, _id, from, to) => {
      const b = spec.step(action, from, scratch);
      if (b !== DISABLED) bad |= b;
      bad |= spec.violations(to, all);
    },
  });
  if (r.kind !== 'ok') throw new Error(`verdicts: the exploration ended with ${r.kind}`);
  const broken = new Set<string>();
  spec.invariants.forEach((inv, i) => {
    if ((bad & (1 << i)) !== 0) broken.add(inv.name);
  });
  const deadlocks = deadlock === 'search' ? explore(spec, { invariantMask: 0, liveness: [], checkDeadlock: true, symmetry }).kind === 'violation' : deadlock;
  if (deadlocks) broken.add('deadlock');
  return { broken, distinct: r.stats.distinctStates };
}
