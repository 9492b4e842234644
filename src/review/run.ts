/**
 * One row of a review as a function: a variant in, its row out, through the same runCheck as
 * `lsmc check --continue`, with a hook on every transition that keeps the memory peaks.
 */
import type { Progress } from '../../checker/explore.js';
import { runCheck } from '../check/run.js';
import type { RunHooks } from '../worker/serve.js';
import { costMeter, costsOf } from './costs.js';
import { type Row, rowOf } from './matrix.js';
import type { Variant } from './variants.js';

export interface RowRequest {
  readonly variant: Variant;
  readonly model: string;
  readonly symmetry: boolean;
  readonly maxStates?: number;
  readonly maxSeconds?: number;
  readonly rerun: string;
}

export function runRow(request: RowRequest, hooks: Partial<RunHooks<Progress>> = {}): Row {
  const { variant } = request;
  const meter = costMeter(variant.config);
  const report = runCheck(
    { config: variant.config, model: request.model, invariants: [], symmetry: request.symmetry, maxStates: request.maxStates, maxSeconds: request.maxSeconds, continueAfterViolation: true, rerun: request.rerun },
    { ...hooks, onStep: meter.onStep },
  );
  return rowOf(variant, report, costsOf(variant.config, meter.peaks()));
}
