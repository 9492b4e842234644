/**
 * The review matrix agrees with lsmc check, cell by cell: a row (one check of every invariant that
 * goes on after violations) says of each invariant what a check of that invariant alone says, held
 * or broken with a counterexample of the same length. And the rows are the variants a reviewer asked
 * for, with what the spec cannot run left out and said.
 */
import { describe, expect, it } from 'vitest';
import { runCheck } from '../src/check/run.js';
import { rowOf } from '../src/review/matrix.js';
import { reviewVariants } from '../src/review/variants.js';
import { configOf } from './support/models.js';

const check = (config: Parameters<typeof runCheck>[0]['config'], invariants: string[], continueAfterViolation: boolean) =>
  runCheck({ config, model: 'hazard-12-create-race', invariants, symmetry: true, continueAfterViolation, rerun: '' });

describe('the review matrix', () => {
  it('has the reference, then each other value of the named knobs, one at a time; every combination with product', () => {
    const base = configOf('allocator.json');
    expect(reviewVariants(base, ['indexReuse', 'zeroOnRecycle'], false).rows.map((r) => r.name)).toEqual(['reference', 'indexReuse=immediate', 'zeroOnRecycle=no']);
    expect(reviewVariants(base, ['indexReuse', 'zeroOnRecycle'], true).rows.map((r) => r.name)).toEqual([
      'reference',
      'zeroOnRecycle=no',
      'indexReuse=immediate',
      'indexReuse=immediate zeroOnRecycle=no',
    ]);
    const all = reviewVariants(base, null, false).rows;
    expect(all.length).toBeGreaterThan(15);
    expect(new Set(all.map((r) => r.name)).size).toBe(all.length);
  });

  it('leaves out, with the reason, what the spec cannot run', () => {
    const cgroups = configOf('allocator.json', { ownerKind: 'cgroup' });
    const { rows, left } = reviewVariants(cgroups, ['ownerIdentity'], false);
    expect(rows.map((r) => r.name)).toEqual(['as configured']);
    expect(left).toEqual([{ name: 'ownerIdentity=pid', why: expect.stringContaining('ownerIdentity: expected') }]);
  });

  it('says of each cell what lsmc check says of that variant and invariant alone', () => {
    const base = configOf('hazard-12-create-race.json');
    let broken = 0;
    for (const variant of reviewVariants(base, ['zeroOnRecycle', 'createRace', 'validation'], false).rows) {
      const row = rowOf(variant, check(variant.config, [], true));
      broken += Object.values(row.cells).filter((c) => c.verdict === 'broken').length;
      expect(Object.keys(row.cells).length).toBeGreaterThan(10);
      for (const [invariant, cell] of Object.entries(row.cells)) {
        const alone = check(variant.config, [invariant], false);
        if (cell.verdict === 'broken') {
          expect(alone.result, `${variant.name} ${invariant}`).toBe('violation');
          expect(alone.trace?.states.length, `${variant.name} ${invariant}`).toBe(cell.steps + 1);
        } else {
          expect(cell.verdict, `${variant.name} ${invariant}`).toBe('holds');
          expect(alone.result, `${variant.name} ${invariant}`).toBe('ok');
        }
      }
    }
    // Stale, torn and non-linearizable reads, a leak: the lengths were compared, not only the verdicts.
    expect(broken).toBeGreaterThanOrEqual(10);
  }, 120_000);
});
