import { describe, expect, it } from 'vitest';
import { check, configOf, HAZARDS } from './support/models.js';
import { checkExplanation } from './support/explanation-check.js';
import { renderTrace } from '../src/report/text.js';
import type { Trace } from '../src/trace/replay.js';

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
      for (const r of [reduced, full]) expect(checkExplanation(r.trace as Trace, r.explanation ?? ''), r.explanation ?? '').toEqual([]);
    }, 600_000);
  }

  it('hazard 7 reads as what happened: the seq-begin that leaves seq even says so, and the reader saw no write', () => {
    const h = HAZARDS.find((x) => x.number === 7);
    if (h === undefined) throw new Error('no hazard 7');
    const r = check(configOf(h.model, h.set), [h.invariant]);
    const text = renderTrace(r.trace as Trace).join('\n');
    expect(text).toMatch(/update\.seq-begin -- bumps seq 3 -> 4, EVEN: the update begins, but readers see no write in progress/);
    expect(text).toMatch(/scan\(0\) -- starts a scan of that index; loads seq/);
    expect(r.explanation).toMatch(/read 4, an even value, though kernel context K2 was inside its update, whose seq-begin at step [0-9]+ left seq even \(4\)/);
  });

  it('hazard 1 names whom each accepted word was written for, and no word zeroed by a free is called anyone\'s', () => {
    const h = HAZARDS.find((x) => x.number === 1);
    if (h === undefined) throw new Error('no hazard 1');
    const r = check(configOf(h.model, h.set), [h.invariant]);
    expect(r.explanation).toMatch(/word 1 \(loaded at step [0-9]+\) was written for B by kernel context K2's create\.zero-word1/);
    expect(r.explanation).toMatch(/word 2 \(step [0-9]+\) was zeroed by task A's free\.zero-word2 at step [0-9]+, written for nobody/);
    expect(r.explanation).toMatch(/It made no seq check that could have noticed\./);
  });

  it('the reference design holds reader-progress in the livelock scenario when retries are bounded', () => {
    const r = check(configOf('livelock.json', { readRetry: 'bounded' }), ['reader-progress']);
    expect(r.result).toBe('ok');
  });
});
