import { describe, expect, it } from 'vitest';
import { compareSides, newlyBroken, type Side } from '../../src/review/compare.js';
import type { Cell } from '../../src/review/matrix.js';
import { renderComparison } from '../../src/report/compare-text.js';

const holds: Cell = { verdict: 'holds' };
const broken = (steps: number, lasso = false): Cell => ({ verdict: 'broken', steps, lasso });
const side = (label: string, cells: Record<string, Cell>): Side => ({ label, cells, states: 1 });

describe('compareSides', () => {
  it('is worse when a property that held breaks, and shows its counterexample', () => {
    const c = compareSides(side('A', { p: holds, q: holds }), side('B', { p: broken(4), q: holds }));
    expect(c.worse).toBe(true);
    expect(newlyBroken(c)).toEqual(['p']);
  });

  it('is worse when B drops a property or adds one that is broken, not when it adds one that holds', () => {
    expect(compareSides(side('A', { p: holds, q: holds }), side('B', { p: holds })).worse).toBe(true);
    const added = compareSides(side('A', { p: holds }), side('B', { p: holds, r: broken(3) }));
    expect(added.worse).toBe(true);
    expect(newlyBroken(added)).toEqual(['r']);
    expect(compareSides(side('A', { p: holds }), side('B', { p: holds, r: holds })).worse).toBe(false);
    // The text marks what made it worse, though no verdict of a property both sides check differs.
    const text = renderComparison(added, []);
    expect(text).toContain('  worse   checked in B only: r (broken in 3 steps)');
    expect(text).toContain('A verdict got worse from A to B.');
    expect(renderComparison(compareSides(side('A', { p: holds }), side('B', { p: holds, r: holds })), [])).toContain('        checked in B only: r (holds)');
  });

  it('compares shortest counterexamples\' lengths, not lassos\' (a lasso is the first found, not a least one)', () => {
    const c = compareSides(side('A', { p: broken(4), l: broken(9, true) }), side('B', { p: broken(6), l: broken(12, true) }));
    expect(c.worse).toBe(false);
    expect(c.lengths).toEqual([{ invariant: 'p', from: 4, to: 6 }]);
  });
});
