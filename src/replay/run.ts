/**
 * A replay run as a library call: every trace under the paths, loaded and validated first (bad
 * input is an InputError even behind a divergence), then replayed against one implementation until
 * the first divergence.
 */
import { AdapterInterrupted, type AdapterFactory, type VisiblePart } from '../adapter/adapter.js';
import { loadTrace, traceFiles } from './load.js';
import { notCompared, type ReplayOutcome, replayTrace } from './replay.js';

export interface ReplaySummary {
  readonly adapter: string;
  readonly traces: number;
  /** Traces replayed before the run stopped (at the first divergence). */
  readonly run: number;
  /** Traces the adapter could not replay (interleaved operations under an operation-at-a-time adapter). */
  readonly skipped: number;
  readonly steps: number;
  readonly seconds: number;
  /** The parts of the state compared after every step (besides each step and its observation). */
  readonly compared: readonly VisiblePart[];
  /** What the adapter's capabilities left uncompared. */
  readonly notCompared: readonly string[];
  readonly outcomes: readonly ReplayOutcome[];
  /** Cut short by Ctrl-C (the implementation said so): the outcomes are those of the traces before. */
  readonly interrupted: boolean;
}

/** `shouldStop`: polled between traces (Ctrl-C); the run then ends with the traces done so far. */
export function runReplay(paths: readonly string[], factory: AdapterFactory, sets: readonly string[], shouldStop: () => boolean = () => false): ReplaySummary {
  const traces = traceFiles(paths).map((f) => loadTrace(f, sets));
  const started = performance.now();
  const outcomes: ReplayOutcome[] = [];
  let steps = 0;
  let interrupted = false;
  for (const trace of traces) {
    let outcome: ReplayOutcome;
    if (shouldStop()) {
      interrupted = true;
      break;
    }
    try {
      outcome = replayTrace(trace, factory);
    } catch (e) {
      if (!(e instanceof AdapterInterrupted)) throw e;
      interrupted = true;
      break;
    }
    outcomes.push(outcome);
    steps += outcome.kind === 'diverged' ? outcome.step : outcome.kind === 'match' ? outcome.steps : 0;
    if (outcome.kind === 'diverged') break;
  }
  // On the main thread, its event loop reaps what the factory started: no need to wait here.
  void factory.shutdown?.();
  const seconds = (performance.now() - started) / 1000;
  const skipped = outcomes.filter((o) => o.kind === 'skipped').length;
  return { adapter: factory.name, traces: traces.length, run: outcomes.length, skipped, steps, seconds, compared: factory.capabilities.shows, notCompared: notCompared(factory.capabilities), outcomes, interrupted };
}
