/**
 * A path of actions replayed into what people and tools read: each state decoded into the design's
 * variables, each step named with its actor, choices and observation.
 */
import type { Path } from '../../checker/explore.js';
import { decodeState, describeStep, type Record_, type StepInfo } from '../../spec/describe.js';
import type { LsmcSpec } from '../../spec/index.js';

export interface TraceState {
  /** The step that led here; null for the initial state. */
  readonly step: StepInfo | null;
  readonly vars: Record_;
}

export interface Trace {
  readonly states: readonly TraceState[];
  /** For a lasso: the index of the state the last state steps back to. */
  readonly loop?: number;
}

export function replayPath(spec: LsmcSpec, path: Path): Trace {
  let state = new Uint8Array(spec.stateBytes);
  spec.init(state);
  const states: TraceState[] = [{ step: null, vars: decodeState(spec, state) }];
  for (const action of path.actions) {
    const next = new Uint8Array(spec.stateBytes);
    const step = describeStep(spec, state, action, next);
    states.push({ step, vars: decodeState(spec, next) });
    state = next;
  }
  return path.loop === undefined ? { states } : { states, loop: path.loop };
}
