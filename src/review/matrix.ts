/**
 * The verdict matrix: for each variant, every invariant checked on its whole bounded space, and
 * each cell held, broken (with the length of its shortest counterexample) or not decided (a limit
 * was reached first). A row is one `lsmc check --continue` of the variant, so a cell is what
 * `lsmc check` says of that variant and invariant: breadth-first search meets each invariant's
 * first violation at the least depth, with other invariants' violations or without them.
 */
import { DEADLOCK } from '../../checker/explore.js';
import { buildSpec } from '../../spec/index.js';
import { INVARIANT_NAMES, isLiveness } from '../../spec/invariants.js';
import { type CheckReport, type CheckViolation, holdsWithoutSearch } from '../check/run.js';
import type { Costs } from './costs.js';
import type { Coverage } from './coverage.js';
import type { Variant } from './variants.js';

const ORDER: readonly string[] = [...INVARIANT_NAMES, DEADLOCK];

/**
 * A broken cell of a liveness property is a lasso (its last steps repeat for ever), found as the
 * liveness check finds it: the least prefix to its cycle, not necessarily the shortest lasso.
 */
export type Cell =
  | { readonly verdict: 'holds' }
  | { readonly verdict: 'broken'; readonly steps: number; readonly lasso: boolean }
  | { readonly verdict: 'undecided'; readonly why: string };

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
  /** The spec's coverage goals the row reached; null when it was not run to its end. */
  readonly coverage: Coverage | null;
  /** Each broken invariant's shortest counterexample, in the order of `cells`. */
  readonly counterexamples: readonly CheckViolation[];
  /** The `lsmc check` that gives this row. */
  readonly rerun: string;
}

/**
 * One row from the reports of the checks that went on after violations (one, or the safety run and
 * the liveness run of a variant with infinite behaviours: see src/review/run.ts). `budgetWhy`
 * names a max-states limit the review set rather than the user.
 */
export function rowOf(variant: Variant, reports: readonly CheckReport[], seen: { costs: Costs; coverage: Coverage } | null = null, budgetWhy?: string): Row {
  const cells: Record<string, Cell> = {};
  const counterexamples: CheckViolation[] = [];
  for (const report of reports) {
    for (const name of report.checked) {
      const broken = report.violations.find((v) => v.invariant === name);
      if (broken !== undefined) {
        cells[name] = { verdict: 'broken', steps: broken.trace.states.length - 1, lasso: broken.trace.loop !== undefined };
        counterexamples.push(broken);
      } else if (report.held.includes(name)) cells[name] = { verdict: 'holds' };
      else cells[name] = { verdict: 'undecided', why: report.limitReason === 'max-states' && budgetWhy !== undefined ? budgetWhy : (report.limitReason ?? 'the space was not explored to its end') };
    }
  }
  // Cells and counterexamples in the order lsmc check lists the properties, however the runs were split.
  const order = (name: string): number => (ORDER.includes(name) ? ORDER.indexOf(name) : ORDER.length);
  const sortedCells = Object.fromEntries(Object.entries(cells).sort(([a], [b]) => order(a) - order(b)));
  counterexamples.sort((a, b) => order(a.invariant) - order(b.invariant));
  const complete = (r: CheckReport): boolean => r.result === 'ok' || (r.result === 'violation' && r.limitReason === null);
  const sum = (f: (r: CheckReport) => number): number => reports.reduce((n, r) => n + f(r), 0);
  return {
    variant: variant.name,
    changes: variant.changes,
    cells: sortedCells,
    // A liveness run walks the same reachable graph as the safety run beside it (one lsmc check does
    // both in one search): the row's states and transitions are the graph's, not the two runs' sum.
    states: Math.max(...reports.map((r) => r.stats.distinctStates)),
    transitions: Math.max(...reports.map((r) => r.stats.transitions)),
    depth: Math.max(...reports.map((r) => r.stats.depth)),
    seconds: sum((r) => r.stats.seconds),
    // The costs and coverage come from the first run, which sees every reachable state (the liveness run, if any, sees them again).
    costs: complete(reports[0]) ? (seen?.costs ?? null) : null,
    coverage: complete(reports[0]) ? (seen?.coverage ?? null) : null,
    counterexamples,
    rerun: reports[0].rerun,
  };
}

/** A row that never ran (the review was interrupted before it started): every cell undecided, but what holds without a search, as its lsmc check would say. */
export function rowNotRun(variant: Variant, checked: readonly string[], rerun: string, why: string): Row {
  const spec = buildSpec(variant.config);
  const cell = (name: string): Cell => (isLiveness(name) && holdsWithoutSearch(spec, name) !== null ? { verdict: 'holds' } : { verdict: 'undecided', why });
  const cells = Object.fromEntries(checked.map((name) => [name, cell(name)]));
  return { variant: variant.name, changes: variant.changes, cells, states: 0, transitions: 0, depth: 0, seconds: 0, costs: null, coverage: null, counterexamples: [], rerun };
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
