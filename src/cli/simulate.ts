/**
 * `lsmc simulate`: parse and validate, run the walks in a worker, draw progress, render, pick the
 * exit code (0 no violation, 1 a violation, 3 interrupted with none found; bad input throws
 * InputError, which main turns into exit 2).
 */
import { randomInt } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError, loadSimulationConfig, SIMULATION_BOUNDS, SIMULATION_MAX_KERNEL_OPS, SIMULATION_MAX_SLOTS } from '../model/config.js';
import type { SearchProgress } from '../simulate/search.js';
import { SIMULATED_NAMES } from '../simulate/selection.js';
import { isLiveness } from '../../spec/invariants.js';
import { progressLine, renderSimulation, simulationJson, summaryLine } from '../simulate/render.js';
import type { SimulationRequest } from '../simulate/run.js';
import { styleFor } from '../report/style.js';
import { guardTraceFile } from '../trace/file.js';
import { writeCounterexample } from './trace-out.js';
import { type CommandSpec, parseCommand } from './command.js';
import { rerunCommand } from './rerun.js';
import { integerIn } from './numbers.js';
import { availableParallelism } from 'node:os';
import { decided, mergeShards, shardsOf } from '../simulate/shards.js';
import { runJobs } from './run-jobs.js';
import { type QueueProgress, redisOptions } from '../queue/redis.js';

/** The package root, from dist/src/cli. */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const DEFAULT_MODEL = 'model/reference.json';
const DEFAULT_RUNS = 1000;
const DEFAULT_DEPTH = 1000;
/** A walk keeps the choices it has used, and shrinking copies them: depth bounds a walk's memory. */
const MAX_DEPTH = 1_000_000;
const MAX_RUNS = 1_000_000_000;
/** fast-check takes 32-bit seeds; non-negative ones read the same everywhere. */
const MAX_SEED = 0x7fffffff;
const MAX_SHARDS = 100_000;

const ceilings = Object.entries(SIMULATION_BOUNDS)
  .map(([name, b]) => `${name} ${b.max}`)
  .join(', ');
export const SIMULATE = {
  invocation: 'lsmc simulate',
  summary: 'random walks through the spec, for bounds too large to explore',
  usage: '[CONFIG] [options]',
  about: [
    "Random walks through the spec, for bounds too large to explore exhaustively. Each walk starts in the initial state and takes up to D steps, each an enabled action drawn at random (with per-walk weights on actors and kinds of action, so that walks differ in who runs ahead); every state and step invariant is judged on every state and step. The first violation is shrunk to a short walk and printed like lsmc check's counterexample. The same seed gives the same walks and output.",
    `Bounds may go beyond lsmc check's, up to ${ceilings}; with slotsPerPage x maxPages at most ${SIMULATION_MAX_SLOTS} and kernelContexts x kernelOps at most ${SIMULATION_MAX_KERNEL_OPS} (each field of the state is a byte). Liveness (reader-progress) is not simulated: a finite walk cannot show a read that never ends. A simulation that finds nothing proves nothing about the walks it did not draw.`,
  ].join('\n\n'),
  positionals: [['CONFIG', `model file, ${DEFAULT_MODEL} by default`]],
  options: {
    set: { type: 'string', multiple: true, arg: 'knob=value', help: 'override a knob or bound; may repeat, a later one wins' },
    invariant: { type: 'string', multiple: true, arg: 'NAME', help: `judge only NAME (may repeat), one of ${SIMULATED_NAMES.join(', ')}; all by default` },
    runs: { type: 'string', arg: 'N', help: `walks to draw (default ${DEFAULT_RUNS})` },
    depth: { type: 'string', arg: 'D', help: `steps per walk at most (default ${DEFAULT_DEPTH}); a walk also ends when no action is enabled` },
    seed: { type: 'string', arg: 'S', help: `an integer from 0 to ${MAX_SEED}; random by default, and printed for a rerun` },
    json: { type: 'boolean', help: 'print one JSON object on stdout' },
    'no-color': { type: 'boolean', help: 'no colour (colour is on only on a terminal, and off with a non-empty NO_COLOR)' },
    out: { type: 'string', arg: 'FILE', help: 'write the counterexample as ITF (never over a file lsmc did not write)' },
    shards: { type: 'string', arg: 'K', help: `cut the walks into K shards, each with its own seed drawn from S, run side by side (default 1; at most ${MAX_SHARDS}); the same K and S give the same result wherever the shards run` },
    queue: { type: 'string', arg: 'URL', help: 'run the shards as jobs on the BullMQ queue at redis://HOST:PORT, for lsmc worker processes on any machine to take (default: worker threads here)' },
  },
  exits: '0 no violation, 1 violation, 2 bad input, 3 interrupted with no violation found.',
  examples: ['lsmc simulate --set owners=24 --set maxPages=16 --set slotsPerPage=4 --seed 7', 'lsmc simulate --runs 100000 --shards 64 --seed 7 --queue redis://127.0.0.1:6379'],
} as const satisfies CommandSpec;

/** A flag's integer value in [min, max], or `fallback` when the flag is absent. */
const integerFlag = (flag: string, text: string | undefined, min: number, max: number, fallback: number): number => integerIn(flag, text, min, max) ?? fallback;

/** One line for the whole run: one shard's own progress, or the shards done, running and waiting. */
function poolLine(p: QueueProgress<SearchProgress>, runs: number): string {
  const only = p.running[0]?.[1];
  if (p.total === 1) return only === undefined || only === null ? (p.waiting > 0 ? 'lsmc simulate: waiting for a worker (lsmc worker --queue URL)' : '') : progressLine(only, runs);
  const walks = p.running.reduce((n, [, q]) => n + (q?.runs ?? 0), 0);
  const waiting = p.waiting === 0 ? '' : `, ${p.waiting} waiting${p.running.length === 0 && p.done === 0 ? ' for a worker (lsmc worker --queue URL)' : ''}`;
  return `lsmc simulate: ${p.done} of ${p.total} shards done, ${p.running.length} running (${walks.toLocaleString('en-US')} walks so far)${waiting}, ${p.seconds.toFixed(0)} s`;
}

export async function simulate(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommand(SIMULATE, args);
  if (positionals.length > 1) throw new InputError('lsmc simulate', positionals[1], 'at most one CONFIG file');
  const modelPath = positionals[0] ?? resolve(ROOT, DEFAULT_MODEL);
  const sets = values.set ?? [];
  const invariants = values.invariant ?? [];
  for (const name of invariants) {
    if (isLiveness(name)) throw new InputError('--invariant', name, `a safety invariant or deadlock (liveness is not simulated; use lsmc check): one of ${SIMULATED_NAMES.join(', ')}`);
    if (!SIMULATED_NAMES.includes(name)) throw new InputError('--invariant', name, `one of ${SIMULATED_NAMES.join(', ')}`);
  }
  const runs = integerFlag('--runs', values.runs, 1, MAX_RUNS, DEFAULT_RUNS);
  const depth = integerFlag('--depth', values.depth, 1, MAX_DEPTH, DEFAULT_DEPTH);
  const seed = values.seed === undefined ? randomInt(0, MAX_SEED + 1) : integerFlag('--seed', values.seed, 0, MAX_SEED, 0);
  const out = values.out;
  if (out !== undefined) guardTraceFile('--out', out);

  const shards = integerFlag('--shards', values.shards, 1, Math.min(MAX_SHARDS, runs), 1);
  const queue = values.queue;
  if (queue !== undefined) redisOptions('--queue', queue);

  const named = loadSimulationConfig(modelPath, sets);
  const rerunWith = (shardSeed: number, shardRuns: number, k: number): string =>
    rerunCommand([
      'simulate',
      ...positionals.slice(0, 1),
      ...sets.flatMap((s) => ['--set', s]),
      ...invariants.flatMap((i) => ['--invariant', i]),
      ...['--runs', String(shardRuns), '--depth', String(depth), '--seed', String(shardSeed)],
      ...(k === 1 ? [] : ['--shards', String(k)]),
    ]);
  const request: SimulationRequest = { config: named.config, model: named.name, invariants, runs, depth, seed, rerun: rerunWith(seed, runs, shards) };
  const requests = shardsOf(request, shards, (s, r) => rerunWith(s, r, 1));
  if (queue !== undefined && shards === 1) process.stderr.write('lsmc simulate: one shard runs on one worker; --shards K spreads the walks over K jobs\n');

  const started = performance.now();
  const reports = await runJobs('simulate', requests, { queue, flag: '--queue', threads: availableParallelism() }, (p) => poolLine(p, runs), decided);
  const report = mergeShards(request, reports, (performance.now() - started) / 1000);
  if (values.json) process.stdout.write(`${JSON.stringify(simulationJson(report))}\n`);
  else process.stdout.write(`${renderSimulation(report, styleFor(process.stdout, process.env, values['no-color'] === true))}\n`);
  if (out !== undefined) writeCounterexample('--out', out, report.itf);
  process.stderr.write(`${summaryLine(report)}\n`);
  return report.result === 'ok' ? 0 : report.result === 'violation' ? 1 : 3;
}

