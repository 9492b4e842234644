/**
 * Under readRetry=bounded the spec says reader-progress holds without searching for a lasso, even
 * with unbounded budgets (spec/index.ts gives the reason). Held here to the search itself, the
 * unreduced graph with every fair cycle looked for, on many small configurations with infinite
 * behaviours; and the search is shown not to be vacuous, since it finds the lasso of an unbounded retry.
 */
import { describe, expect, it } from 'vitest';
import { explore } from '../checker/explore.js';
import { buildSpec } from '../spec/index.js';
import { KNOBS, type KnobName } from '../spec/knobs.js';
import { runCheck } from '../src/check/run.js';
import { InputError } from '../src/model/input-error.js';
import { runRow } from '../src/review/run.js';
import { reviewVariants } from '../src/review/variants.js';
import { configOf } from './support/models.js';

const searched = (sets: Record<string, string | number>) => {
  const spec = buildSpec(configOf('livelock.json', sets), { searchLiveness: true });
  return explore(spec, { invariantMask: 0, liveness: ['reader-progress'], checkDeadlock: false, symmetry: false });
};

describe('reader-progress under a retry bound', () => {
  const variants: Record<string, string | number>[] = [{}, { readRetries: 2 }, { kernelContexts: 2 }, { owners: 2, pidNumbers: 2 }, { readerOps: 2 }];
  for (const [name, knob] of Object.entries(KNOBS) as [KnobName, (typeof KNOBS)[KnobName]][])
    if (name !== 'readRetry') for (const v of knob.values.slice(1)) variants.push({ [name]: v });

  it('holds by the search wherever the spec says it holds without one', () => {
    let compared = 0;
    for (const sets of variants) {
      let config;
      try {
        config = configOf('livelock.json', sets);
      } catch (e) {
        // Knobs whose counters can go back take no unbounded budget (lsmc check refuses them too).
        if (e instanceof InputError) continue;
        throw e;
      }
      const label = JSON.stringify(sets);
      const spec = buildSpec(config);
      expect(spec.mayCycle, label).toBe(true);
      expect(spec.liveness[0].holdsWithoutSearch, label).not.toBeNull();
      const r = searched(sets);
      expect(r.kind, label).toBe('ok');
      const report = runCheck({ config, model: 'livelock', invariants: ['reader-progress'], symmetry: true, partialOrder: false, rerun: '' });
      expect(report.held, label).toEqual(['reader-progress']);
      expect(report.notes.some((n) => n.startsWith('reader-progress holds without a search: with a bound on retries')), label).toBe(true);
      compared++;
    }
    expect(compared).toBeGreaterThan(15);
  }, 300_000);

  it('holds in a check and a review row stopped early, as the note says', () => {
    const config = configOf('livelock.json', { kernelContexts: 2 });
    const limited = runCheck({ config, model: 'livelock', invariants: [], symmetry: true, partialOrder: false, maxStates: 100, rerun: '' });
    expect(limited.result).toBe('limit');
    expect(limited.held).toEqual(['reader-progress']);
    const [bounded, unbounded] = reviewVariants(config, ['readRetry'], false).rows.map((variant) => runRow({ variant, model: 'livelock', symmetry: true, maxStates: 100, rerun: '' }));
    expect(bounded.cells['reader-progress'].verdict).toBe('holds');
    expect(bounded.cells['unique-slot'].verdict).toBe('undecided');
    expect(unbounded.cells['reader-progress'].verdict).toBe('undecided');
  });

  it('is searched, and broken, without the bound', () => {
    const spec = buildSpec(configOf('livelock.json', { readRetry: 'unbounded' }));
    expect(spec.liveness[0].holdsWithoutSearch).toBeNull();
    expect(searched({ readRetry: 'unbounded' }).kind).toBe('violation');
  });
});
