import { describe, expect, it } from 'vitest';
import { explore } from '../checker/explore.js';
import { buildSpec } from '../spec/index.js';
import { INVARIANTS } from '../spec/invariants.js';
import { KNOBS, type KnobName } from '../spec/knobs.js';
import { naiveExplore } from './support/naive-explorer.js';
import { configOf } from './support/models.js';

/** The small base every comparison uses, and one configuration per value of every knob. */
const SMALL = { owners: 2, pidNumbers: 1, kernelContexts: 1, readers: 1, kernelOps: 2, readerOps: 2 };
const variants: [string, Record<string, string | number>][] = [['reference', {}]];
for (const [knob, k] of Object.entries(KNOBS) as [KnobName, { values: readonly string[] }][]) {
  for (const value of k.values.slice(1)) {
    if (knob === 'lifecycle' || knob === 'readRetry') continue; // the liveness scenario (model/livelock.json): hazard 13 in hazards.test.ts
    variants.push([`${knob}=${value}`, { [knob]: value }]);
  }
}
variants.push(['validation=uid + indexReuse=immediate', { validation: 'uid', indexReuse: 'immediate' }]);
variants.push(['ownerKind=cgroup + pageReclaim=zero-page', { ownerKind: 'cgroup', pageReclaim: 'zero-page' }]);
variants.push(['indexPolicy=lifo + pageReclaim=unmap', { indexPolicy: 'lifo', pageReclaim: 'unmap' }]);

const allMask = (1 << INVARIANTS.length) - 1;

describe('the explorer against a plain-Map explorer on small configurations', () => {
  for (const [name, sets] of variants) {
    it(`${name}: same distinct states, transitions and depth, and the same verdict on every invariant, with symmetry on and off`, () => {
      const spec = buildSpec(configOf('reference.json', { ...SMALL, ...sets }));
      const naive = naiveExplore(spec);

      for (const symmetry of [false, true]) {
        const holding = INVARIANTS.map((inv, i) => (naive.broken.has(inv.name) ? 0 : 1 << i)).reduce((a, b) => a | b, 0);
        // Checking only what holds, the search never stops early: it walks the whole space.
        const rest = explore(spec, { invariantMask: holding, liveness: [], checkDeadlock: !naive.broken.has('deadlock'), symmetry });
        expect(rest.kind, `symmetry ${symmetry}: invariants the naive explorer found holding`).toBe('ok');
        if (symmetry) expect(rest.stats.distinctStates).toBeLessThanOrEqual(naive.distinct);
        else {
          expect(rest.stats.distinctStates).toBe(naive.distinct);
          expect(rest.stats.transitions).toBe(naive.transitions);
          expect(rest.stats.depth).toBe(naive.depth);
        }
        INVARIANTS.forEach((inv, i) => {
          if (!naive.broken.has(inv.name)) return;
          const r = explore(spec, { invariantMask: 1 << i, liveness: [], checkDeadlock: false, symmetry });
          expect(r.kind === 'violation' && r.invariant, `symmetry ${symmetry}: ${inv.name}`).toBe(inv.name);
        });
        if (naive.broken.has('deadlock')) {
          const r = explore(spec, { invariantMask: 0, liveness: [], checkDeadlock: true, symmetry });
          expect(r.kind === 'violation' && r.invariant).toBe('deadlock');
        }
      }
      expect(allMask).toBeGreaterThan(0);
    });
  }
});
