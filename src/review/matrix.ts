/**
 * The verdict matrix: for each variant, every invariant checked on its whole bounded space, and
 * each cell held, broken (with the length of its shortest counterexample) or not decided (a limit
 * was reached first). A row is one `lsmc check --continue` of the variant, so a cell is what
 * `lsmc check` says of that variant and invariant: breadth-first search meets each invariant's
 * first violation at the least depth, with other invariants' violations or without them.
 */
import type { CheckReport } from '../check/run.js';
import type { Variant } from './variants.js';

export type Cell = { readonly verdict: 'holds' } | { readonly verdict: 'broken'; readonly steps: number } | { readonly verdict: 'undecided'; readonly why: string };

export interface Row {
  readonly variant: string;
  readonly changes: Variant['changes'];
  readonly cells: Readonly<Record<string, Cell>>;
  readonly states: number;
  readonly seconds: number;
}

/** One row from the report of a check of every invariant that went on after violations. */
export function rowOf(variant: Variant, report: CheckReport): Row {
  const cells: Record<string, Cell> = {};
  for (const name of report.checked) {
    const broken = report.violations.find((v) => v.invariant === name);
    if (broken !== undefined) cells[name] = { verdict: 'broken', steps: broken.trace.states.length - 1 };
    else if (report.held.includes(name)) cells[name] = { verdict: 'holds' };
    else cells[name] = { verdict: 'undecided', why: report.limitReason ?? 'the space was not explored to its end' };
  }
  return { variant: variant.name, changes: variant.changes, cells, states: report.stats.distinctStates, seconds: report.stats.seconds };
}
