/**
 * lsmc check --continue against one check per invariant: the same invariants break, each with a
 * counterexample of the same (shortest) length, and the rest hold; the first one found is the
 * one a plain check reports.
 */
import { describe, expect, it } from 'vitest';
import { runCheck } from '../src/check/run.js';
import { renderCheck } from '../src/report/text.js';
import type { Config } from '../spec/knobs.js';
import { check, configOf } from './support/models.js';

const CASES: [string, string, Record<string, string>][] = [
  ['link before initialise, and no validation', 'hazard-03-link-then-init.json', { linkOrder: 'link-then-init', validation: 'none' }],
  ['a reader that retries for ever (liveness)', 'livelock.json', { readRetry: 'unbounded' }],
  ['two concurrent creates', 'hazard-12-create-race.json', { createRace: 'unlocked' }],
];

const continued = (config: Config, symmetry = true) => runCheck({ config, model: 'test', invariants: [], symmetry, partialOrder: false, continueAfterViolation: true, rerun: 'test' });

describe('lsmc check --continue', () => {
  for (const [name, model, sets] of CASES) {
    it(`${name}: every invariant a one-invariant check breaks, with the same length, and no other`, () => {
      const config = configOf(model, sets);
      const all = continued(config);
      expect(all.result).toBe('violation');
      expect(all.limitReason).toBeNull();
      const found = new Map(all.violations.map((v) => [v.invariant, v.trace.states.length - 1]));
      expect(found.size).toBe(all.violations.length);
      for (const invariant of all.checked) {
        const one = check(config, [invariant]);
        if (one.result === 'violation') expect(found.get(invariant), invariant).toBe((one.trace?.states.length ?? 0) - 1);
        else {
          expect(one.result, invariant).toBe('ok');
          expect(found.has(invariant), invariant).toBe(false);
          expect(all.held, invariant).toContain(invariant);
        }
      }
      expect(all.held.length + all.violations.length).toBe(all.checked.length);
      const plain = check(config);
      expect(plain.invariant).toBe(all.violations[0].invariant);
      expect(plain.violations).toHaveLength(1);
    });
  }

  it('the same report without symmetry reduction (lengths are of the true shortest counterexamples)', () => {
    const config = configOf('hazard-03-link-then-init.json', { linkOrder: 'link-then-init', validation: 'none' });
    const lengths = (r: ReturnType<typeof continued>) => r.violations.map((v) => [v.invariant, v.trace.states.length - 1]);
    expect(lengths(continued(config, false)).sort()).toEqual(lengths(continued(config)).sort());
  });

  it('on a design that holds it is a plain check', () => {
    const config = configOf('hazard-12-create-race.json');
    const r = continued(config);
    expect(r.result).toBe('ok');
    expect(r.held).toEqual(r.checked);
    expect(r.stats.distinctStates).toBe(check(config).stats.distinctStates);
  });

  it('a limit stops it with what it found so far, and says the rest were not fully checked', () => {
    const config = configOf('hazard-03-link-then-init.json', { linkOrder: 'link-then-init', validation: 'none' });
    const r = runCheck({ config, model: 'test', invariants: [], symmetry: true, partialOrder: false, continueAfterViolation: true, maxStates: 20_000, rerun: 'test' });
    expect(r.result).toBe('violation');
    expect(r.limitReason).toBe('max-states');
    // Only what holds without a search: with finite behaviours no read goes on for ever.
    expect(r.held).toEqual(['reader-progress']);
    expect(r.violations.length).toBeGreaterThan(0);
    expect(renderCheck(r)).toContain('stopped early (max-states): the others were not fully checked, though reader-progress holds without a search.');
  });
});
