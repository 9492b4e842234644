/**
 * `lsmc replay PATH... --adapter reference [--set knob=value ...] [--json]`: every trace under the
 * paths, replayed against an implementation; the run stops at the first divergence. Exit 0 all
 * traces match, 1 a divergence, 2 bad input.
 */
import { ADAPTERS } from '../adapter/registry.js';
import { InputError } from '../model/config.js';
import { parseCommandLine } from './args.js';
import { runReplay } from '../replay/run.js';
import { renderReplay } from '../report/replay.js';

export const REPLAY_USAGE = `  lsmc replay PATH... [--adapter ${ADAPTERS.map((a) => a.name).join('|')}] [--set knob=value ...] [--json]`;

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
