/**
 * Two designs, or two revisions of the spec, side by side: which verdicts flipped, which invariants
 * the second newly breaks (with its shortest counterexample), which it makes safe. A verdict got
 * worse when a property that held is broken or no longer decided, or one that was not decided is
 * broken; so is a property B no longer checks, and one B adds that is broken. `lsmc compare` exits
 * 1 then.
 */
import type { Cell } from './matrix.js';

/** One side of a comparison: a label, and every property's cell. */
export interface Side {
  readonly label: string;
  readonly cells: Readonly<Record<string, Cell>>;
  readonly states: number;
}

export interface Flip {
  readonly invariant: string;
  readonly from: Cell;
  readonly to: Cell;
  /** Holds is best, then not decided, then broken. */
  readonly change: 'worse' | 'better';
}

export interface Comparison {
  readonly a: Side;
  readonly b: Side;
  /** Every property whose verdict differs, in the order the properties are checked. */
  readonly flips: readonly Flip[];
  /**
   * Broken on both sides by a shortest counterexample of another length. A liveness property's
   * lasso is not here: its length is the first lasso the search closed, not a least one, so two
   * sides' lengths say nothing about the spec.
   */
  readonly lengths: readonly { readonly invariant: string; readonly from: number; readonly to: number }[];
  /** Checked on one side only (a revision that adds or drops a property). */
  readonly onlyIn: { readonly a: readonly string[]; readonly b: readonly string[] };
  readonly worse: boolean;
}

const RANK: Readonly<Record<Cell['verdict'], number>> = { holds: 0, undecided: 1, broken: 2 };

export function compareSides(a: Side, b: Side): Comparison {
  const names = Object.keys(a.cells).filter((n) => n in b.cells);
  const flips: Flip[] = [];
  const lengths: { invariant: string; from: number; to: number }[] = [];
  for (const invariant of names) {
    const from = a.cells[invariant];
    const to = b.cells[invariant];
    if (from.verdict !== to.verdict) flips.push({ invariant, from, to, change: RANK[to.verdict] > RANK[from.verdict] ? 'worse' : 'better' });
    else if (from.verdict === 'broken' && to.verdict === 'broken' && !from.lasso && !to.lasso && from.steps !== to.steps) lengths.push({ invariant, from: from.steps, to: to.steps });
  }
  const onlyIn = { a: Object.keys(a.cells).filter((n) => !(n in b.cells)), b: Object.keys(b.cells).filter((n) => !(n in a.cells)) };
  // A property B drops is no longer checked, and one B adds broken is newly broken: a patch to the
  // spec must not pass review by renaming or removing what it breaks.
  const worse = flips.some((f) => f.change === 'worse') || onlyIn.a.length > 0 || addedBroken({ b, onlyIn }).length > 0;
  return { a, b, flips, lengths, onlyIn, worse };
}

/** The properties only B checks that are broken there: each makes the comparison worse, as a flip from holds would. */
export const addedBroken = (c: Pick<Comparison, 'b' | 'onlyIn'>): string[] => c.onlyIn.b.filter((n) => c.b.cells[n].verdict === 'broken');

/** The properties the second side newly breaks (a flip to broken, or added broken): those whose counterexamples a comparison shows. */
export const newlyBroken = (c: Comparison): string[] => [...c.flips.filter((f) => f.to.verdict === 'broken').map((f) => f.invariant), ...addedBroken(c)];
