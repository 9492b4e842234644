/**
 * A replay run over several shards side by side, each a worker thread with its own adapter; traces
 * go to shards by directory and to a shard's lanes in chunks (see shardsOf and chunksOf). Traces are independent (each starts from the initial state), so what the
 * run reports does not depend on N: the outcomes in trace order, up to and including the first
 * divergence, exactly as one shard would give them. A kernel replay spends most of its time waiting
 * for the kernel (an RCU grace period before each real free hook), and shards overlap those waits.
 *
 * Every shard loads and validates its traces before any shard replays, so that bad input is
 * reported (the first bad trace in order) even behind a divergence, as a serial run would.
 */
import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { dirname } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AdapterFactory, HostCosts } from '../adapter/adapter.js';
import { InputError } from '../model/config.js';
import { traceFiles } from './load.js';
import { notCompared, type ReplayOutcome } from './replay.js';
import type { ReplaySummary } from './run.js';

/** The words of the control buffer the coordinator and its shards share. */
export const CONTROL = { go: 0, firstDivergence: 1 } as const;
export const GO = { wait: 0, run: 1, abort: 2 } as const;

export interface ShardJob {
  readonly adapter: string;
  readonly sets: readonly string[];
  /** This shard's traces, their indices in the whole run and the chunk each is in, in order. */
  readonly files: readonly { readonly index: number; readonly file: string; readonly chunk: number }[];
  readonly control: SharedArrayBuffer;
  /** Its first word is set by Ctrl-C. */
  readonly stop: SharedArrayBuffer;
}

export type ShardMessage =
  | { readonly type: 'loaded' }
  | { readonly type: 'input'; readonly index: number; readonly where: string; readonly field: string; readonly expected: string }
  | { readonly type: 'outcome'; readonly index: number; readonly outcome: ReplayOutcome }
  | { readonly type: 'done'; readonly interrupted: boolean; readonly costs: HostCosts | null };

export interface ParallelReplay {
  readonly paths: readonly string[];
  readonly sets: readonly string[];
  /** Shards; at most one per trace. */
  readonly jobs: number;
}

export interface ReplayProgress {
  readonly traces: number;
  readonly done: number;
  readonly steps: number;
  readonly seconds: number;
}

export interface ParallelSummary extends ReplaySummary {
  readonly jobs: number;
  /** Seconds spent loading and validating the traces, before the replay's clock started. */
  readonly loadSeconds: number;
  /** What the run cost the adapter's host beyond the steps (the kernel's RCU before free hooks, BPF loads), summed over shards. */
  readonly costs: HostCosts | null;
}

/** How many shards a run takes by default: one per core, or the adapter's own choice. */
export function defaultJobs(factory: AdapterFactory): number {
  return factory.jobs?.(availableParallelism()) ?? availableParallelism();
}

/**
 * Traces in chunks: runs of the same directory (a suite, so as a rule one variant), at most
 * CHUNK long. A shard's lane takes a whole chunk at a time, so that an implementation that must
 * load each variant (a BPF object) loads it rarely.
 */
const CHUNK = 32;

function chunksOf(files: readonly string[]): number[] {
  const out: number[] = [];
  let chunk = -1;
  let length = 0;
  files.forEach((file, i) => {
    if (i === 0 || dirname(file) !== dirname(files[i - 1]) || length === CHUNK) {
      chunk++;
      length = 0;
    }
    length++;
    out.push(chunk);
  });
  return out;
}

/**
 * Directories to shards, the largest first to the least loaded, so that a variant is loaded by
 * one shard; a directory larger than an even share is cut into shares first.
 */
function shardsOf(files: readonly string[], jobs: number): number[] {
  const share = Math.ceil(files.length / jobs);
  const unitOf: string[] = [];
  const size = new Map<string, number>();
  const seen = new Map<string, number>();
  files.forEach((f) => {
    const before = seen.get(dirname(f)) ?? 0;
    seen.set(dirname(f), before + 1);
    const unit = `${dirname(f)}#${Math.floor(before / share)}`;
    unitOf.push(unit);
    size.set(unit, (size.get(unit) ?? 0) + 1);
  });
  const load = new Array<number>(jobs).fill(0);
  const to = new Map<string, number>();
  for (const [unit, n] of [...size].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) {
    const shard = load.indexOf(Math.min(...load));
    to.set(unit, shard);
    load[shard] += n;
  }
  return unitOf.map((u) => to.get(u) ?? 0);
}

const stepsOf = (o: ReplayOutcome): number => (o.kind === 'diverged' ? o.step : o.kind === 'match' ? o.steps : 0);

/**
 * `stop`: a SharedArrayBuffer whose first word Ctrl-C sets; shards poll it between traces (and a
 * kernel helper, which hears the signal itself, ends its trace at once and says so).
 */
export async function replayInParallel(
  run: ParallelReplay,
  factory: AdapterFactory,
  stop: SharedArrayBuffer,
  onProgress: (p: ReplayProgress) => void = () => undefined,
  progressEveryMs = 1000,
): Promise<ParallelSummary> {
  const files = traceFiles(run.paths);
  const jobs = Math.max(1, Math.min(run.jobs, files.length));
  // Replay's hot code (the expected state from ITF, the comparison, the adapters) meets objects of
  // new shapes in each configuration, so TurboFan compiles it again and again, and with inlining
  // each compile takes tens of milliseconds, more than inlining saves. Measured on the kernel
  // replay of the committed suite, 2 cores: 10,100 steps/s with inlining, 10,800 without. V8's
  // flags are the process's: the shards' isolates, made after this, compile without it (and so
  // does whatever this process compiles later, which for the CLI is only the report).
  setFlagsFromString('--no-turbo-inlining');
  const chunks = chunksOf(files);
  const shardOf = shardsOf(files, jobs);
  const control = new Int32Array(new SharedArrayBuffer(4 * 2));
  control[CONTROL.firstDivergence] = files.length;
  const started = performance.now();
  let replayStarted = started;
  const outcomes = new Map<number, ReplayOutcome>();
  const inputErrors: { index: number; error: InputError }[] = [];
  let costs: HostCosts | null = null;
  let interrupted = false;
  let loaded = 0;
  let steps = 0;

  const progress = setInterval(() => onProgress({ traces: files.length, done: outcomes.size, steps, seconds: (performance.now() - replayStarted) / 1000 }), progressEveryMs);
  const release = (go: number): void => {
    Atomics.store(control, CONTROL.go, go);
    Atomics.notify(control, CONTROL.go);
  };

  try {
    await Promise.all(
      Array.from({ length: jobs }, (_, shard) => {
        const job: ShardJob = {
          adapter: factory.name,
          sets: run.sets,
          files: files.flatMap((file, index) => (shardOf[index] === shard ? [{ index, file, chunk: chunks[index] }] : [])),
          control: control.buffer as SharedArrayBuffer,
          stop,
        };
        const worker = new Worker(new URL('./shard.js', import.meta.url), { workerData: job });
        return new Promise<void>((resolvePromise, reject) => {
          worker.on('message', (m: ShardMessage) => {
            if (m.type === 'loaded' || m.type === 'input') {
              if (m.type === 'input') inputErrors.push({ index: m.index, error: new InputError(m.where, m.field, m.expected) });
              if (++loaded === jobs) {
                replayStarted = performance.now();
                release(inputErrors.length === 0 ? GO.run : GO.abort);
              }
            } else if (m.type === 'outcome') {
              outcomes.set(m.index, m.outcome);
              steps += stepsOf(m.outcome);
            } else {
              interrupted ||= m.interrupted;
              const c = m.costs;
              if (c !== null) costs = { waits: (costs?.waits ?? 0) + c.waits, waitMs: (costs?.waitMs ?? 0) + c.waitMs, hooksLost: (costs?.hooksLost ?? 0) + c.hooksLost, loads: (costs?.loads ?? 0) + c.loads };
            }
          });
          worker.on('error', (e) => {
            // A shard that dies must not leave the others waiting for its word.
            release(GO.abort);
            reject(e);
          });
          worker.on('exit', () => resolvePromise());
        });
      }),
    );
  } finally {
    clearInterval(progress);
  }
  const seconds = (performance.now() - replayStarted) / 1000;
  if (inputErrors.length > 0) throw inputErrors.sort((a, b) => a.index - b.index)[0].error;

  // The serial run's report: outcomes in order, up to the first divergence or the first trace not run.
  const ordered: ReplayOutcome[] = [];
  for (let i = 0; i < files.length; i++) {
    const o = outcomes.get(i);
    if (o === undefined) break;
    ordered.push(o);
    if (o.kind === 'diverged') break;
  }
  const divergedAt = ordered.findIndex((o) => o.kind === 'diverged');
  return {
    adapter: factory.name,
    traces: files.length,
    run: ordered.length,
    skipped: ordered.filter((o) => o.kind === 'skipped').length,
    steps: ordered.reduce((n, o) => n + stepsOf(o), 0),
    seconds,
    compared: factory.capabilities.shows,
    notCompared: notCompared(factory.capabilities),
    outcomes: ordered,
    interrupted: divergedAt < 0 && ordered.length < files.length && (interrupted || Atomics.load(new Int32Array(stop), 0) !== 0),
    jobs,
    loadSeconds: (replayStarted - started) / 1000,
    costs,
  };
}
