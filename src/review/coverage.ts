/**
 * What a review row's search reached of the spec's coverage goals (spec/coverage.ts: every kind of
 * step in every outcome it can have, refined by path), so that a reviewer can tell a property that
 * holds on a path the bounds exercise from one that holds because the path is never taken. The
 * goals are the ones `lsmc gen` makes traces for; "possible" is the spec's own list for the
 * variant's knobs, so a goal it names and the row never reached is a path these bounds cannot take.
 */
import type { ExploreOptions } from '../../checker/explore.js';
import { goalCount, goalName, goalOf } from '../../spec/coverage.js';
import { buildSpec } from '../../spec/index.js';
import type { Config } from '../../spec/knobs.js';

type OnStep = NonNullable<ExploreOptions['onStep']>;

export interface Coverage {
  /** Possible goals the row reached. */
  readonly reached: number;
  /** The goals the spec names as possible for these knobs. */
  readonly possible: number;
  /** The possible goals the row never reached, by name, in the spec's order. */
  readonly unreached: readonly string[];
}

/**
 * A hook for the explorer's onStep that marks each goal a transition hits. The spec is built as
 * runCheck builds it (from the same configuration), so its action numbers are the explorer's; the
 * goal is named without actors, so symmetry reduction does not change which goals are hit.
 */
export function coverageMeter(config: Config): { readonly onStep: OnStep; coverage(): Coverage } {
  const spec = buildSpec(config);
  const hit = new Uint8Array(goalCount);
  const onStep: OnStep = (action, _fromId, from, to, result) => {
    hit[spec.goalOf(action, from, to, result)] = 1;
  };
  const coverage = (): Coverage => {
    const reachedNames = new Set<string>();
    hit.forEach((h, g) => {
      if (h === 1) reachedNames.add(goalName(goalOf(g)));
    });
    const possible = [...new Set(spec.possibleGoals().map(goalName))];
    const unreached = possible.filter((name) => !reachedNames.has(name));
    return { reached: possible.length - unreached.length, possible: possible.length, unreached };
  };
  return { onStep, coverage };
}
