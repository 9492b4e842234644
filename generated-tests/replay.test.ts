/**
 * The committed generated traces against the reference implementation: every coverage suite
 * replays clean; every hazard reproduces in its own variant on real memory, and diverges, with a
 * report that says where, once its knobs are put back to the reference design.
 */
import { describe, expect, it } from 'vitest';
import { referenceAdapter } from '../src/adapter/reference.js';
import { runReplay } from '../src/replay/run.js';
import { renderReplay } from '../src/report/replay.js';
import { hazardPath, manifest, referenceSets, suiteDir, traceCount } from './support.js';

describe('coverage suites replay clean against the reference implementation', () => {
  for (const suite of manifest.suites) {
    it(suite.name, () => {
      const summary = runReplay([suiteDir(suite.name)], referenceAdapter, []);
      expect(summary.traces).toBe(traceCount(suiteDir(suite.name)));
      expect(summary.traces).toBeGreaterThan(10);
      const diverged = summary.outcomes.find((o) => o.kind === 'diverged');
      expect(diverged, diverged === undefined ? '' : renderReplay(summary)).toBeUndefined();
    });
  }
});

describe('hazard counterexamples on the reference implementation', () => {
  for (const h of manifest.hazards) {
    const label = `hazard ${h.number} (${h.name})`;
    it(`${label} reproduces in its own variant`, () => {
      const summary = runReplay([hazardPath(h)], referenceAdapter, []);
      const [outcome] = summary.outcomes;
      expect(outcome.kind, renderReplay(summary)).toBe('match');
      if (outcome.kind === 'match') expect(outcome.reproduced).toMatch(/^the implementation/);
    });

    it(`${label} diverges in the reference design, and the report says where`, () => {
      const sets = referenceSets(h.set);
      const summary = runReplay([hazardPath(h)], referenceAdapter, sets);
      const [outcome] = summary.outcomes;
      expect(outcome.kind).toBe('diverged');
      if (outcome.kind !== 'diverged') return;
      expect(outcome.step).toBeGreaterThan(0);
      expect(outcome.step).toBeLessThanOrEqual(outcome.steps);
      expect(outcome.differences.length).toBeGreaterThan(0);
      const text = renderReplay(summary);
      expect(text).toContain(`at step ${outcome.step} of ${outcome.steps}: ${outcome.actor}.${outcome.action}`);
      expect(text).toContain(h.invariant);
      for (const [knob, value] of Object.entries(h.set)) expect(text).toContain(`${knob}=${value}`);
    });
  }
});
