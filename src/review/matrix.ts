/**
 * The verdict matrix: for each variant, every invariant checked on its whole bounded space, and
 * each cell held, broken (with the length of its shortest counterexample) or not decided (a limit
 * was reached first). A row is one `lsmc check --continue` of the variant, so a cell is what
 * `lsmc check` says of that variant and invariant: breadth-first search meets each invariant's
 * first violation at the least depth, with other invariants' violations or without them.
 */
import type { CheckReport, CheckViolation } from '../check/run.js';
import type { Costs } from './costs.js';
import type { Variant } from './variants.js';

export type Cell = { readonly verdict: 'holds' } | { readonly verdict: 'broken'; readonly steps: number } | { readonly verdict: 'undecided'; readonly why: string };

export interface Row {
  readonly variant: string;
  readonly changes: Variant['changes'];
  readonly cells: Readonly<Record<string, Cell>>;
  readonly states: number;
  readonly transitions: number;
  readonly depth: number;
  readonly seconds: number;
  /** Null when the row was not run to its end (then its cells are undecided). */
  readonly costs: Costs | null;
  /** Each broken invariant's shortest counterexample, in the order of `cells`. */
  readonly counterexamples: readonly CheckViolation[];
  /** The `lsmc check` that gives this row. */
  readonly rerun: string;
}

/** One row from the report of a check of every invariant that went on after violations. */
export function rowOf(variant: Variant, report: CheckReport, costs: Costs | null = null): Row {
  const cells: Record<string, Cell> = {};
  for (const name of report.checked) {
    const broken = report.violations.find((v) => v.invariant === name);
    if (broken !== undefined) cells[name] = { verdict: 'broken', steps: broken.trace.states.length - 1 };
    else if (report.held.includes(name)) cells[name] = { verdict: 'holds' };
    else cells[name] = { verdict: 'undecided', why: report.limitReason ?? 'the space was not explored to its end' };
  }
  const counterexamples = report.checked.flatMap((name) => report.violations.filter((v) => v.invariant === name));
  const complete = report.result === 'ok' || (report.result === 'violation' && report.limitReason === null);
  return { variant: variant.name, changes: variant.changes, cells, states: report.stats.distinctStates, transitions: report.stats.transitions, depth: report.stats.depth, seconds: report.stats.seconds, costs: complete ? costs : null, counterexamples, rerun: report.rerun };
}

/** A row that never ran (the review was interrupted before it started): every cell undecided. */
export function rowNotRun(variant: Variant, checked: readonly string[], rerun: string, why: string): Row {
  const cells = Object.fromEntries(checked.map((name) => [name, { verdict: 'undecided', why } as const]));
  return { variant: variant.name, changes: variant.changes, cells, states: 0, transitions: 0, depth: 0, seconds: 0, costs: null, counterexamples: [], rerun };
}

/** A whole review: the configuration it started from, its rows in the order asked for, and what was left out. */
export interface Review {
  readonly model: string;
  readonly config: Readonly<Record<string, string | number>>;
  readonly checked: readonly string[];
  readonly rows: readonly Row[];
  readonly left: readonly { readonly name: string; readonly why: string }[];
  readonly seconds: number;
}

/** 1 when the configuration as given (the first row) breaks an invariant, 3 when a cell was left undecided, 0 otherwise. */
export function reviewExitCode(review: Review): number {
  const cells = (row: Row | undefined): Cell[] => Object.values(row?.cells ?? {});
  if (cells(review.rows[0]).some((c) => c.verdict === 'broken')) return 1;
  return review.rows.some((r) => cells(r).some((c) => c.verdict === 'undecided')) ? 3 : 0;
}
