/**
 * Every invariant's verdict on a whole bounded space in one pass, as TLC's -continue gives them:
 * the explorer walks everything (it is told to check nothing, so it never stops early) and reports
 * each transition's step invariants, and each state without successors that is not a proper end;
 * the successors' state invariants are judged here.
 */
import { explore } from '../../checker/explore.js';
import type { Spec } from '../../checker/spec.js';

export interface Verdicts {
  /** Names of the invariants broken somewhere in the space, plus "deadlock". */
  readonly broken: ReadonlySet<string>;
  readonly distinct: number;
}

export function verdicts(spec: Spec, symmetry: boolean): Verdicts {
  const all = (1 << spec.invariants.length) - 1;
  const init = new Uint8Array(spec.stateBytes);
  spec.init(init);
  let bad = spec.violations(init, all);
  let deadlock = false;
  const r = explore(spec, {
    invariantMask: 0,
    liveness: [],
    checkDeadlock: false,
    symmetry,
    onStep: (_action, _id, _from, to, stepBad) => {
      bad |= stepBad | spec.violations(to, all);
    },
    onDeadEnd: () => {
      deadlock = true;
    },
  });
  if (r.kind !== 'ok') throw new Error(`verdicts: the exploration ended with ${r.kind}`);
  const broken = new Set<string>();
  spec.invariants.forEach((inv, i) => {
    if ((bad & (1 << i)) !== 0) broken.add(inv.name);
  });
  if (deadlock) broken.add('deadlock');
  return { broken, distinct: r.stats.distinctStates };
}
