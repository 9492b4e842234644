/**
 * Which properties a simulation judges. Random walks can only refute properties of single states and
 * single steps (and deadlock: a state where nobody can move). Liveness needs whole infinite
 * behaviours, which a finite walk never shows, so it is refused rather than silently passed.
 */
import { DEADLOCK } from '../../checker/explore.js';
import type { Spec } from '../../checker/spec.js';
import { INVARIANTS } from '../../spec/invariants.js';

/** Every name `--invariant` accepts for a simulation. */
export const SIMULATED_NAMES: readonly string[] = [...INVARIANTS.map((i) => i.name), DEADLOCK];

export interface Selection {
  /** Bits of the spec's state invariants to judge on every state visited. */
  readonly stateMask: number;
  /** Bits of the spec's step invariants to judge on every step taken. */
  readonly stepMask: number;
  readonly deadlock: boolean;
  /** The names judged, in the spec's order, deadlock last. */
  readonly checked: readonly string[];
}

/** `names` empty selects every safety invariant and deadlock, as `lsmc check` does without --invariant. */
export function selectInvariants(spec: Spec, names: readonly string[]): Selection {
  const all = names.length === 0;
  const wanted = new Set(names);
  let stateMask = 0;
  let stepMask = 0;
  const checked: string[] = [];
  spec.invariants.forEach((inv, i) => {
    if (!all && !wanted.has(inv.name)) return;
    if (inv.kind === 'state') stateMask |= 1 << i;
    else stepMask |= 1 << i;
    checked.push(inv.name);
  });
  const deadlock = all || wanted.has(DEADLOCK);
  if (deadlock) checked.push(DEADLOCK);
  return { stateMask, stepMask, deadlock, checked };
}

/** The name of the lowest invariant bit in `mask`, as the explorer reports the first one. */
export function firstInvariant(spec: Spec, mask: number): string {
  for (let i = 0; i < spec.invariants.length; i++) if ((mask & (1 << i)) !== 0) return spec.invariants[i].name;
  throw new Error(`no invariant in mask ${mask}`);
}
