/** The one JSON object `lsmc review --json` prints: the matrix, the costs, and each broken cell's counterexample as ITF. */
import type { Review } from '../review/matrix.js';
import { round } from './json.js';

export function reviewJson(review: Review): Record<string, unknown> {
  return {
    model: review.model,
    config: review.config,
    checked: review.checked,
    seconds: round(review.seconds, 3),
    rows: review.rows.map((row) => ({
      variant: row.variant,
      changes: row.changes,
      cells: row.cells,
      states: row.states,
      transitions: row.transitions,
      depth: row.depth,
      seconds: round(row.seconds, 3),
      costs: row.costs,
      coverage: row.coverage,
      rerun: row.rerun,
      counterexamples: row.counterexamples.map((v) => ({ invariant: v.invariant, steps: v.trace.states.length - 1, explanation: v.explanation, trace: v.itf })),
    })),
    left: review.left,
  };
}
