/**
 * `lsmc replay PATH... --adapter reference [--set knob=value ...] [--json]`: every trace under the
 * paths, replayed against an implementation; the run stops at the first divergence. Exit 0 all
 * traces match, 1 a divergence, 2 bad input.
 */
import { referenceAdapter } from '../adapter/reference.js';
import type { AdapterFactory } from '../adapter/adapter.js';
import { InputError } from '../model/config.js';
import { parseCommandLine } from './args.js';
import { loadTrace, traceFiles } from '../replay/load.js';
import { type ReplayOutcome, replayTrace } from '../replay/replay.js';
import { renderReplay, type ReplaySummary } from '../report/replay.js';

const ADAPTERS: readonly AdapterFactory[] = [referenceAdapter];

export const REPLAY_USAGE = '  lsmc replay PATH... [--adapter reference] [--set knob=value ...] [--json]';

export function runReplay(paths: readonly string[], factory: AdapterFactory, sets: readonly string[]): ReplaySummary {
  const files = traceFiles(paths);
  // Every file is validated before any is run: bad input is exit 2 even behind a divergence.
  const traces = files.map((f) => loadTrace(f, sets));
  const started = performance.now();
  const outcomes: ReplayOutcome[] = [];
  let steps = 0;
  for (const trace of traces) {
    const outcome = replayTrace(trace, factory);
    outcomes.push(outcome);
    steps += outcome.kind === 'match' ? outcome.steps : outcome.step;
    if (outcome.kind === 'diverged') break;
  }
  const seconds = (performance.now() - started) / 1000;
  return { adapter: factory.name, traces: traces.length, run: outcomes.length, steps, seconds, outcomes };
}

export async function replayCommand(args: readonly string[]): Promise<number> {
  const parsed = parseCommandLine('lsmc replay', args, { adapter: { type: 'string' }, set: { type: 'string', multiple: true }, json: { type: 'boolean' } }, true);
  const { values, positionals } = parsed;
  if (positionals.length === 0) throw new InputError('lsmc replay', 'PATH', 'at least one trace file or directory');
  const name = values.adapter ?? 'reference';
  const factory = ADAPTERS.find((a) => a.name === name);
  if (factory === undefined) throw new InputError('--adapter', name, `one of ${ADAPTERS.map((a) => a.name).join(', ')}`);
  const why = factory.unavailable();
  if (why !== null) throw new InputError('--adapter', name, `an adapter that can run here (${why})`);
  const summary = runReplay(positionals, factory, values.set ?? []);
  process.stdout.write(values.json ? `${JSON.stringify(summary)}\n` : `${renderReplay(summary)}\n`);
  return summary.outcomes.some((o) => o.kind === 'diverged') ? 1 : 0;
}
