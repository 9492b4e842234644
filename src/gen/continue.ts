/**
 * Continuations: a goal's shortest trace ends at its step, so state that step changed and only a
 * later step reads (a cursor, a free list, a reference, an RCU marker, a reader's cache) is never
 * read in it. This finds, breadth-first from the trace's last state, the fewest steps more that
 * end in a step reading it (spec/coverage.ts, consumersOf). Deterministic: actions in table order.
 */
import { stepName } from '../../spec/describe.js';
import type { LsmcSpec } from '../../spec/index.js';
import type { StepName } from '../../spec/steps.js';

/** States looked at per continuation before giving up: a continuation is a few steps, or none. */
export const CONTINUATION_STATES = 20_000;

function stateAfter(spec: LsmcSpec, actions: readonly number[]): Uint8Array {
  let state = new Uint8Array(spec.stateBytes);
  spec.init(state);
  for (const a of actions) {
    const next = new Uint8Array(spec.stateBytes);
    spec.step(a, state, next);
    state = next;
  }
  return state;
}

/** The shortest run of actions from the end of `path` whose last step is one of `consumers`, or null. */
export function continuation(spec: LsmcSpec, path: readonly number[], consumers: readonly StepName[]): { actions: number[]; step: StepName } | null {
  if (consumers.length === 0) return null;
  const start = stateAfter(spec, path);
  const key = (s: Uint8Array): string => Buffer.from(s.buffer, s.byteOffset, s.byteLength).toString('latin1');
  const seen = new Set<string>([key(start)]);
  let level: { state: Uint8Array; actions: number[] }[] = [{ state: start, actions: [] }];
  while (level.length > 0 && seen.size < CONTINUATION_STATES) {
    const next: typeof level = [];
    for (const { state, actions } of level) {
      for (let a = 0; a < spec.actionCount; a++) {
        const to = new Uint8Array(spec.stateBytes);
        if (spec.step(a, state, to) < 0) continue;
        const name = stepName(spec, state, a);
        if (consumers.includes(name)) return { actions: [...actions, a], step: name };
        const k = key(to);
        if (seen.has(k)) continue;
        seen.add(k);
        next.push({ state: to, actions: [...actions, a] });
      }
    }
    level = next;
  }
  return null;
}
