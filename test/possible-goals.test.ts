/**
 * possibleGoals (spec/coverage.ts) is built from the protocol, not from a search, so that what a
 * configuration cannot reach shows as missing. It must never leave out a goal a search reaches:
 * then a reached goal would go uncounted and a missing one unblamed. Checked here by exhaustive
 * search of many small configurations, every knob value under each owner kind and lifecycle.
 */
import { describe, expect, it } from 'vitest';
import { goalName, goalOf } from '../spec/coverage.js';
import { buildSpec } from '../spec/index.js';
import { KNOBS, type KnobName } from '../spec/knobs.js';
import { runCheck } from '../src/check/run.js';
import { InputError } from '../src/model/input-error.js';
import { configOf } from './support/models.js';

// Two kernel contexts, so that races are in, with one operation each; or one context with two, so
// that a lone context's operation meets what its last left. Either way a variant's whole space is a
// second's search.
const BOUNDS: Record<string, string | number>[] = [
  { owners: 2, pidNumbers: 2, maxPages: 2, kernelContexts: 2, kernelOps: 1, readerOps: 1 },
  { owners: 2, pidNumbers: 2, maxPages: 2, kernelContexts: 1, kernelOps: 2, readerOps: 2 },
];
// Unbounded budgets: the counters' abstract form (spec/counters.ts), whose epoch wraps.
const UNBOUNDED_BOUNDS: Record<string, string | number> = { owners: 1, pidNumbers: 1, maxPages: 1, kernelContexts: 1, kernelOps: 'unbounded', readerOps: 'unbounded' };

const possibleOf = (sets: Record<string, string | number>): Set<string> => new Set(buildSpec(configOf('reads.json', sets)).possibleGoals().map(goalName));

function reachedAndPossible(sets: Record<string, string | number>): { reached: Set<string>; possible: Set<string> } {
  const config = configOf('reads.json', sets);
  const spec = buildSpec(config);
  const hit = new Set<number>();
  runCheck({ config, model: 'small', invariants: [], symmetry: true, partialOrder: false, continueAfterViolation: true, rerun: '' }, {
    onStep: (action, _id, from, to, result) => hit.add(spec.goalOf(action, from, to, result)),
  });
  return { reached: new Set([...hit].map((g) => goalName(goalOf(g)))), possible: possibleOf(sets) };
}

describe('the goals the protocol allows', () => {
  const knobSets: Record<string, string>[] = [{}];
  for (const [name, knob] of Object.entries(KNOBS) as [KnobName, (typeof KNOBS)[KnobName]][])
    if (name !== 'ownerKind' && name !== 'lifecycle') for (const v of knob.values.slice(1)) knobSets.push({ [name]: v });
  for (const ownerKind of KNOBS.ownerKind.values)
    for (const lifecycle of KNOBS.lifecycle.values)
      it(`include every goal a search reaches: ${ownerKind} owners, lifecycle=${lifecycle}, each knob value`, () => {
        let stayAliveLeftOut = 0;
        let searched = 0;
        for (const bounds of [...BOUNDS, UNBOUNDED_BOUNDS])
        for (const knobs of knobSets) {
          // A cgroup has no pid number to be known by.
          if (ownerKind === 'cgroup' && knobs.ownerIdentity === 'pid') continue;
          let found;
          try {
            found = reachedAndPossible({ ...bounds, ...knobs, ownerKind, lifecycle });
          } catch (e) {
            // Knobs whose counters go back take no unbounded budget (lsmc check refuses them too).
            if (e instanceof InputError && bounds === UNBOUNDED_BOUNDS) continue;
            throw e;
          }
          searched++;
          const { reached, possible } = found;
          const label = `${ownerKind} ${lifecycle} ${JSON.stringify(knobs)} ${JSON.stringify(bounds)}`;
          for (const g of reached) expect(possible, `${label}: ${g}`).toContain(g);
          expect(reached.size, label).toBeGreaterThan(possible.size / 2);
          if (lifecycle === 'stay-alive') {
            // Staying alive only takes goals away: the owner's later life.
            const full = possibleOf({ ...bounds, ...knobs, ownerKind, lifecycle: 'full' });
            stayAliveLeftOut += [...full].filter((g) => !possible.has(g)).length;
            for (const g of possible) expect(full, `${label}: ${g}`).toContain(g);
            const laterLife = [...possible].filter((g) => /^(exit|reap|rmdir|free)\b|owner-(exited|reaped|freed)|pid-/.test(g));
            expect(laterLife, label).toEqual([]);
          }
        }
        expect(searched).toBeGreaterThan(2.5 * knobSets.length);
        if (lifecycle === 'stay-alive') expect(stayAliveLeftOut).toBeGreaterThan(BOUNDS.length * knobSets.length * 10);
      }, 600_000);
});
