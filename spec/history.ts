/**
 * The last operation the lone kernel context and the lone reader finished, kept in the state for
 * test generation only (SpecOptions.history; no check keeps it). Sequence goals (an actor's
 * operation, then its next: src/gen/sequence.ts) need it in the state itself: kept beside the state
 * instead, along each state's first path, it would be lost wherever two paths that end in different
 * operations meet in one state, and BFS would reach most sequences by neither.
 *
 * Only for a kind a configuration has one of: symmetry sorts kernel contexts and readers by their
 * records, which these bytes lie outside of, so with two of a kind a byte could follow the wrong one.
 * A byte is 0 (no operation yet) or 1 + (operation, outcome, retried). A third byte says whether the
 * lone reader's scan under way retried an attempt that had attributed the slot to an owner: what the
 * next attempt must forget, which shows only in how that attempt ends (spec/coverage.ts).
 */
import type { Ctx } from './context.js';
import { readerAt } from './context.js';
import { READER } from './layout.js';
import { stepFacts, type StepName } from './steps.js';
import { type Outcome, OUTCOMES } from './vocabulary.js';

const OPS = ['create', 'update', 'destroy', 'lookup', 'read', 'scan'] as const;
type HistoryOp = (typeof OPS)[number];

/** Which history byte an actor of `role` has: 0 the lone kernel context, 1 the lone reader, -1 none. */
export function historySlot(c: Ctx, role: string): number {
  if (!c.history) return -1;
  if (role === 'kernel') return c.L.kernels === 1 ? 0 : -1;
  if (role === 'reader') return c.L.readers === 1 ? 1 : -1;
  return -1;
}

/** Records in `to` that step `name` ended the operation of the actor with history byte `slot`, with outcome `out`. */
export function recordLastOp(c: Ctx, slot: number, name: StepName, out: number, from: Uint8Array, to: Uint8Array): void {
  const op = OPS.indexOf(stepFacts(name).op as HistoryOp);
  const retried = slot === 1 && from[readerAt(c, 0) + READER.retries] > 0;
  to[c.L.history + slot] = 1 + (op * OUTCOMES.length + out) * 2 + (retried ? 1 : 0);
}

/** Under history, records whether the lone reader's scan retried an attempt that had attributed its slot (false: cleared). */
export function noteAttributedRetry(c: Ctx, s: Uint8Array, attributed: boolean): void {
  if (c.L.readers === 1) s[c.L.history + 2] = attributed ? 1 : 0;
}

/** Whether the lone reader's scan under way in `s` retried an attempt that had attributed its slot. */
export function retriedAttributed(c: Ctx, s: Uint8Array): boolean {
  return c.history && c.L.readers === 1 && s[c.L.history + 2] !== 0;
}

export interface LastOp {
  readonly op: HistoryOp;
  readonly outcome: Outcome;
  readonly retried: boolean;
}

/** A history byte read back (null: no operation yet). */
export function lastOpOf(code: number): LastOp | null {
  if (code === 0) return null;
  const x = code - 1;
  const rest = x >> 1;
  return { op: OPS[Math.floor(rest / OUTCOMES.length)], outcome: OUTCOMES[rest % OUTCOMES.length], retried: (x & 1) === 1 };
}
