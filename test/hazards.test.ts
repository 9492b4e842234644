import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { check, configOf, HAZARDS, modelPath } from './support/models.js';
import { checkExplanation } from './support/explanation-check.js';
import { renderTrace } from '../src/report/text.js';
import { type HazardRun, hazardRun } from '../src/gen/files.js';
import type { Trace } from '../src/trace/replay.js';
import { TRACES } from '../generated-tests/support.js';

/**
 * Where each hazard is compared with and without symmetry, when not on its own model. Symmetry
 * permutes owners, kernel contexts and readers, so the comparison needs a model with two or more of
 * each kind the hazard involves, on which the hazard still happens (both checks assert it does);
 * owners, pid numbers and pages beyond that add no new kind of permutation, only states. These are
 * the smallest such bounds of the hazards whose own model takes seconds to minutes without
 * symmetry (hazard 7: 36 million states, two minutes); kernel contexts and readers stay at two.
 * The shortest counterexample on the hazard's own model is checked with symmetry, as lsmc gen
 * commits it, in the test before.
 */
const SYMMETRY_BOUNDS: Readonly<Record<number, Readonly<Record<string, number>>>> = {
  1: { owners: 2, pidNumbers: 1, maxPages: 1 },
  2: { pidNumbers: 1, maxPages: 1 }, // pid reuse needs the third task
  6: { owners: 2, pidNumbers: 1, maxPages: 1 },
  7: { owners: 2, pidNumbers: 1, maxPages: 1 },
  9: { owners: 2, pidNumbers: 1, maxPages: 1 },
};

// One check per hazard on its own model, shared by the tests of this file (they run in order).
const runs = new Map<number, HazardRun>();
function runOf(number: number): HazardRun {
  const h = HAZARDS.find((x) => x.number === number);
  if (h === undefined) throw new Error(`no hazard ${number}`);
  let run = runs.get(number);
  if (run === undefined) {
    const fresh = hazardRun(h, modelPath('.'));
    if ('interrupted' in fresh) throw new Error('a run with no stop hook cannot be interrupted');
    runs.set(number, (run = fresh));
  }
  return run;
}

const explanationProblems = (r: { trace: Trace | null; explanation: string | null }): string[] => checkExplanation(r.trace as Trace, r.explanation ?? '');

describe('the hazards of design.md section 7', () => {
  for (const h of HAZARDS) {
    const sets = Object.entries(h.set).map(([k, v]) => `${k}=${v}`).join(' ');
    it(`hazard ${h.number} (${h.name}): ${sets} violates ${h.invariant}, and the committed trace is its shortest counterexample, byte for byte`, () => {
      const { report, file, text } = runOf(h.number);
      expect(report.result).toBe('violation');
      expect(report.invariant).toBe(h.invariant);
      if (h.invariant === 'reader-progress') expect(report.trace?.loop).toBeTypeOf('number');
      expect(explanationProblems(report), report.explanation ?? '').toEqual([]);
      expect(readFileSync(join(TRACES, 'hazards', file), 'utf8'), 'run `npm run gen:tests` and commit the result').toBe(text);
    }, 600_000);

    const small = SYMMETRY_BOUNDS[h.number];
    const where = small === undefined ? '' : ` (with ${Object.entries(small).map(([k, v]) => `${k}=${v}`).join(' ')})`;
    it(`hazard ${h.number}: symmetry hides nothing${where}: the same violation and the same shortest length without it`, () => {
      const config = configOf(h.model, { ...h.set, ...small });
      const reduced = small === undefined ? runOf(h.number).report : check(config, [h.invariant], true);
      const full = check(config, [h.invariant], false);
      for (const r of [reduced, full]) {
        expect(r.result).toBe('violation');
        expect(r.invariant).toBe(h.invariant);
        expect(explanationProblems(r), r.explanation ?? '').toEqual([]);
      }
      // Breadth-first: both searches find a shortest counterexample, so they have the same length.
      expect(reduced.trace?.states.length).toBe(full.trace?.states.length);
      expect(reduced.stats.distinctStates).toBeLessThanOrEqual(full.stats.distinctStates);
    }, 600_000);
  }

  it('hazard 7 reads as what happened: the seq-begin that leaves seq even says so, and the reader saw no write', () => {
    const { report } = runOf(7);
    const text = renderTrace(report.trace as Trace).join('\n');
    expect(text).toMatch(/update\.seq-begin -- bumps seq 3 -> 4, EVEN: the update begins, but readers see no write in progress/);
    expect(text).toMatch(/scan\(0\) -- starts a scan of that index; loads seq/);
    expect(report.explanation).toMatch(/read 4, an even value, though kernel context K2 was inside its update, whose seq-begin at step [0-9]+ left seq even \(4\)/);
  });

  it('hazard 1 names whom each accepted word was written for, and no word zeroed by a free is called anyone\'s', () => {
    const { report } = runOf(1);
    expect(report.explanation).toMatch(/word 1 \(loaded at step [0-9]+\) was written for B by kernel context K2's create\.zero-word1/);
    expect(report.explanation).toMatch(/word 2 \(step [0-9]+\) was zeroed by task A's free\.zero-word2 at step [0-9]+, written for nobody/);
    expect(report.explanation).toMatch(/It made no seq check that could have noticed\./);
  });

  it('the reference design holds reader-progress in the livelock scenario when retries are bounded', () => {
    const r = check(configOf('livelock.json', { readRetry: 'bounded' }), ['reader-progress']);
    expect(r.result).toBe('ok');
  });
});
