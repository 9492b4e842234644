/**
 * `lsmc replay PATH... --adapter reference [--set knob=value ...] [--json]`: every trace under the
 * paths, replayed against an implementation; the run stops at the first divergence. Exit 0 all
 * traces match, 1 a divergence, 2 bad input.
 */
import { ADAPTERS } from '../adapter/registry.js';
import { InputError } from '../model/config.js';
import { type CommandSpec, parseCommand } from './command.js';
import { defaultJobs, replayInParallel, type ReplayProgress } from '../replay/parallel.js';
import { runWithProgress } from './worker-run.js';
import { positiveNumber } from './numbers.js';
import { renderReplay } from '../report/replay.js';
import { styleFor } from '../report/style.js';

export const REPLAY = {
  invocation: 'lsmc replay',
  summary: 'replay ITF traces against an implementation, step by step',
  usage: 'PATH... [options]',
  about:
    'Replays every ITF trace under the paths (files, or directories searched for *.itf.json and *.itf.json.gz) against an implementation, comparing each step\'s outcome and the visible state the implementation declares it can show; the report says what it could not compare. The run stops at the first divergence.',
  positionals: [['PATH...', 'trace files or directories']],
  options: {
    adapter: { type: 'string', arg: 'NAME', help: `the implementation: ${ADAPTERS.map((a) => a.name).join(', ')} (default reference)` },
    set: { type: 'string', multiple: true, arg: 'knob=value', help: 'override a knob or bound of every trace\'s configuration' },
    jobs: { type: 'string', arg: 'N', help: 'replay on N shards side by side, each with its own implementation (default: one per core; for the kernel adapter, two per core: its shards mostly wait for the kernel)' },
    json: { type: 'boolean', help: 'print one JSON object on stdout' },
    'no-color': { type: 'boolean', help: 'no colour (colour is on only on a terminal, and off with a non-empty NO_COLOR)' },
  },
  exits: '0 every trace matches, 1 a divergence, 2 bad input, 3 interrupted (Ctrl-C) with no divergence.',
  examples: ['lsmc replay generated-tests/traces', 'lsmc replay stale.itf.json --adapter reference-ops'],
} as const satisfies CommandSpec;

export async function replayCommand(args: readonly string[]): Promise<number> {
  const parsed = parseCommand(REPLAY, args);
  const { values, positionals } = parsed;
  if (positionals.length === 0) throw new InputError('lsmc replay', 'PATH', 'at least one trace file or directory');
  const name = values.adapter ?? 'reference';
  const factory = ADAPTERS.find((a) => a.name === name);
  if (factory === undefined) throw new InputError('--adapter', name, `one of ${ADAPTERS.map((a) => a.name).join(', ')}`);
  const why = factory.unavailable();
  if (why !== null) throw new InputError('--adapter', name, `an adapter that can run here (${why})`);
  const jobs = positiveNumber('--jobs', values.jobs, true) ?? defaultJobs(factory);
  // In workers: Ctrl-C sets a flag polled between traces (and the kernel helper, which hears it too, cleans up and says so).
  const summary = await runWithProgress<ReplayProgress, Awaited<ReturnType<typeof replayInParallel>>>(
    (stop, onProgress, every) => replayInParallel({ paths: positionals, sets: values.set ?? [], jobs }, factory, stop, onProgress, every),
    (p) => `replay: ${p.done.toLocaleString('en-US')} of ${p.traces.toLocaleString('en-US')} traces, ${p.steps.toLocaleString('en-US')} steps, ${p.seconds.toFixed(0)} s`,
  );
  process.stdout.write(values.json ? `${JSON.stringify(summary)}\n` : `${renderReplay(summary, styleFor(process.stdout, process.env, values['no-color'] === true))}\n`);
  return summary.outcomes.some((o) => o.kind === 'diverged') ? 1 : summary.interrupted ? 3 : 0;
}
