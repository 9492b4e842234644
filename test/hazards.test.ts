import { describe, expect, it } from 'vitest';
import { check, configOf, HAZARDS } from './support/models.js';

describe('the hazards of design.md section 7', () => {
  for (const h of HAZARDS) {
    const sets = Object.entries(h.set).map(([k, v]) => `${k}=${v}`).join(' ');
    it(`hazard ${h.number} (${h.name}): ${sets} violates ${h.invariant}, with and without symmetry`, () => {
      const config = configOf(h.model, h.set);
      const reduced = check(config, [h.invariant], true);
      const full = check(config, [h.invariant], false);
      expect(reduced.result).toBe('violation');
      expect(reduced.invariant).toBe(h.invariant);
      expect(full.result).toBe('violation');
      expect(full.invariant).toBe(h.invariant);
      // Breadth-first: both searches find a shortest counterexample, so they have the same length.
      expect(reduced.trace?.states.length).toBe(full.trace?.states.length);
      expect(reduced.stats.distinctStates).toBeLessThanOrEqual(full.stats.distinctStates);
      if (h.invariant === 'reader-progress') expect(reduced.trace?.loop).toBeTypeOf('number');
    }, 600_000);
  }

  it('the reference design holds reader-progress in the livelock scenario when retries are bounded', () => {
    const r = check(configOf('livelock.json', { readRetry: 'bounded' }), ['reader-progress']);
    expect(r.result).toBe('ok');
  });
});
