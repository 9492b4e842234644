/**
 * What `npm run bench [-- --json]` measures (src/cli/bench.ts is its command line): explores fixed configurations and reports distinct states,
 * transitions, seconds, states per second and bytes per state, with and without symmetry, and the
 * plain-Map explorer of the tests on a smaller configuration for comparison; then replays every
 * committed generated trace against the reference implementation and reports steps per second.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { explore } from '../checker/explore.js';
import type { FingerprintBits } from '../checker/fingerprint.js';
import { buildSpec } from '../spec/index.js';
import { INVARIANTS } from '../spec/invariants.js';
import { type Config, flatConfig } from '../spec/knobs.js';
import { loadConfigFile } from '../src/model/config.js';
import { naiveExplore } from '../test/support/naive-explorer.js';
import { referenceAdapter } from '../src/adapter/reference.js';
import { runReplay } from '../src/replay/run.js';
import { measureReview } from './review.js';
import { measureScale } from './scale.js';
import { measureQueue } from './queue.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const BENCH_MODEL = 'model/reads.json';
const SMALL_MODEL = 'model/hazard-11-zero-on-recycle.json';

export interface Row {
  readonly explorer: string;
  readonly model: string;
  readonly symmetry: boolean;
  readonly distinctStates: number;
  readonly transitions: number;
  readonly depth: number;
  readonly seconds: number;
  readonly statesPerSecond: number;
  readonly bytesPerState: number | null;
  /** The BFS queue's peak (full states of two levels), which bytesPerState leaves out. */
  readonly queuePeakBytes: number | null;
}

function fingerprinted(model: string, config: Config, symmetry: boolean, fingerprintBits: FingerprintBits = 64): Row {
  const spec = buildSpec(config);
  const r = explore(spec, { invariantMask: (1 << INVARIANTS.length) - 1, liveness: [], checkDeadlock: true, symmetry, fingerprintBits });
  if (r.kind !== 'ok') throw new Error(`bench: ${model} did not pass (${r.kind})`);
  const s = r.stats;
  return { explorer: fingerprintBits === 64 ? 'lsmc' : `lsmc ${fingerprintBits}-bit`, model, symmetry, distinctStates: s.distinctStates, transitions: s.transitions, depth: s.depth, seconds: s.seconds, statesPerSecond: s.statesPerSecond, bytesPerState: s.bytesPerState, queuePeakBytes: s.queuePeakBytes };
}

function plainMap(model: string, config: Config): Row {
  const started = performance.now();
  const heapBefore = process.memoryUsage().heapUsed;
  const r = naiveExplore(buildSpec(config));
  const seconds = (performance.now() - started) / 1000;
  const heapAfter = process.memoryUsage().heapUsed;
  return {
    explorer: 'plain Map',
    model,
    symmetry: false,
    distinctStates: r.distinct,
    transitions: r.transitions,
    depth: r.depth,
    seconds,
    statesPerSecond: Math.round(r.distinct / seconds),
    bytesPerState: Math.max(0, heapAfter - heapBefore) / r.distinct,
    queuePeakBytes: null,
  };
}

export interface ReplayFigures {
  readonly traces: number;
  readonly steps: number;
  readonly seconds: number;
  readonly stepsPerSecond: number;
}

export interface CoreFigures {
  readonly model: string;
  readonly config: Record<string, string | number>;
  readonly rows: readonly Row[];
  readonly replay: ReplayFigures;
}

/** The explorer rows and the replay of the committed suite; `log` gets a line per row as it comes. */
export function measureCore(log: (line: string) => void): CoreFigures {
  const config = loadConfigFile(resolve(ROOT, BENCH_MODEL)).config;
  const small = loadConfigFile(resolve(ROOT, SMALL_MODEL)).config;
  log(`bench configuration ${BENCH_MODEL}: ${Object.entries(flatConfig(config)).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  const rows: Row[] = [];
  for (const symmetry of [true, false]) {
    const row = fingerprinted(BENCH_MODEL, config, symmetry);
    rows.push(row);
    log(format(row));
  }
  // What a wider fingerprint costs: bytes per state and speed, symmetry on.
  for (const bits of [96, 128] as const) {
    const row = fingerprinted(BENCH_MODEL, config, true, bits);
    rows.push(row);
    log(format(row));
  }
  log(`comparison on ${SMALL_MODEL} (small enough for the plain-Map explorer):`);
  for (const row of [fingerprinted(SMALL_MODEL, small, false), plainMap(SMALL_MODEL, small)]) {
    rows.push(row);
    log(format(row));
  }
  // Replay: every committed generated trace against the reference implementation, each step checked.
  const replay = runReplay([resolve(ROOT, 'generated-tests/traces')], referenceAdapter, []);
  if (replay.outcomes.some((o) => o.kind === 'diverged')) throw new Error('bench: the committed traces do not replay clean');
  const replayRow = { traces: replay.traces, steps: replay.steps, seconds: replay.seconds, stepsPerSecond: Math.round(replay.steps / replay.seconds) };
  log(`replay of generated-tests/traces against the reference implementation:`);
  log(`  ${replayRow.traces.toLocaleString('en-US')} traces  ${replayRow.steps.toLocaleString('en-US')} steps  ${replayRow.seconds.toFixed(2)} s  ${replayRow.stepsPerSecond.toLocaleString('en-US')} steps/s`);
  return { model: BENCH_MODEL, config: flatConfig(config), rows, replay: replayRow };
}

/** Runs every measurement, printing a line per row as it comes, or one JSON object at the end. */
export async function runBench(json: boolean): Promise<void> {
  const log = (line: string): void => {
    if (!json) process.stdout.write(`${line}\n`);
  };
  const core = measureCore(log);
  const review = measureReview(log);
  const scale = await measureScale(log);
  const queue = await measureQueue(log);
  if (json) process.stdout.write(`${JSON.stringify({ ...core, review, scale, queue })}\n`);
}

function format(r: Row): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  const bytes = r.bytesPerState === null ? '-' : r.bytesPerState.toFixed(1);
  const queue = r.queuePeakBytes === null ? '' : `  queue peak ${(r.queuePeakBytes / 2 ** 20).toFixed(0)} MiB`;
  return `  ${r.explorer.padEnd(12)} symmetry ${r.symmetry ? 'on ' : 'off'}  ${n(r.distinctStates).padStart(12)} states  ${n(r.transitions).padStart(13)} transitions  depth ${String(r.depth).padStart(3)}  ${r.seconds.toFixed(2).padStart(7)} s  ${n(r.statesPerSecond).padStart(9)} states/s  ${bytes.padStart(6)} bytes/state${queue}`;
}
