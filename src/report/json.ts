/** The one JSON object `--json` prints. */
import type { CheckReport } from '../check/run.js';

export function checkJson(r: CheckReport): Record<string, unknown> {
  const s = r.stats;
  return {
    result: r.result,
    invariant: r.invariant,
    ...(r.limitReason === null ? {} : { limitReason: r.limitReason }),
    distinctStates: s.distinctStates,
    transitions: s.transitions,
    depth: s.depth,
    seconds: round(s.seconds, 3),
    statesPerSecond: s.statesPerSecond,
    bytesPerState: round(s.bytesPerState, 2),
    queuePeakBytes: s.queuePeakBytes,
    fingerprintBits: s.fingerprintBits,
    collisionProbability: s.collisionProbability,
    symmetry: s.symmetry,
    partialOrder: s.partialOrder,
    persistentStates: s.persistentStates,
    workers: s.workers,
    checked: r.checked,
    model: r.model,
    config: r.config,
    rerun: r.rerun,
    notes: r.notes,
    ...(r.explanation === null ? {} : { explanation: r.explanation }),
    ...(r.itf === null ? {} : { trace: r.itf }),
    // What held, always: a run stopped early can still have decided a property without a search.
    held: r.held,
    ...(r.continued
      ? { violations: r.violations.map((v) => ({ invariant: v.invariant, steps: v.trace.states.length - 1, explanation: v.explanation, trace: v.itf })) }
      : {}),
  };
}

export const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;
