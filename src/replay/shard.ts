/**
 * One shard of a parallel replay (src/replay/parallel.ts is the coordinator): a worker thread with
 * its own adapter (its own kernel helper, its own shared memory) that loads every trace of its share
 * first, waits for the word that every shard loaded cleanly, then replays them in order, posting
 * each outcome by its index in the whole run.
 */
import { dirname } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { type AdapterFactory, AdapterInterrupted } from '../adapter/adapter.js';
import { ADAPTERS } from '../adapter/registry.js';
import { InputError } from '../model/config.js';
import { type LoadedTrace, loadTrace } from './load.js';
import { CONTROL, GO, type ShardJob, type ShardMessage } from './parallel.js';
import { finishTrace, type StartedTrace, startTrace } from './replay.js';

const job = workerData as ShardJob;
const port = parentPort;
if (port === null) throw new Error('a replay shard must run as a worker thread');
const control = new Int32Array(job.control);
const stop = new Int32Array(job.stop);
const factory: AdapterFactory = ADAPTERS.find((a) => a.name === job.adapter) ?? fail(`no adapter ${job.adapter}`);
function fail(why: string): never {
  throw new Error(why);
}
const post = (m: ShardMessage): void => port.postMessage(m);

function load(): LoadedTrace[] | null {
  const traces: LoadedTrace[] = [];
  for (const { index, file } of job.files) {
    try {
      traces.push(loadTrace(file, job.sets));
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      post({ type: 'input', index, where: e.where, field: e.field, expected: e.expected });
      return null;
    }
  }
  return traces;
}

/** Lowers the run's first divergence to `index` (the shards past it stop early: their outcomes would be cut). */
function diverged(index: number): void {
  for (;;) {
    const seen = Atomics.load(control, CONTROL.firstDivergence);
    if (seen <= index || Atomics.compareExchange(control, CONTROL.firstDivergence, seen, index) === seen) return;
  }
}

/** Sleeps a quarter of a millisecond: no lane has its replies in yet. */
const nap = ((word) => () => Atomics.wait(word, 0, 0, 0.25))(new Int32Array(new SharedArrayBuffer(4)));

/**
 * Replays the shard's traces in order, one at a time, or, for an adapter with lanes, several at
 * once: each lane takes a chunk at a time, its implementation runs its planned trace ahead on its
 * own (waiting for the kernel costs no CPU), and the shard compares whichever lane has its replies
 * in, earliest trace first. Outcomes go out by index: the coordinator puts them in order.
 * Returns whether it was interrupted.
 */
function replayAll(traces: readonly LoadedTrace[], lanes: number): boolean {
  const running: ({ readonly at: number; readonly started: StartedTrace } | null)[] = Array.from({ length: lanes }, () => null);
  // Each lane's chunk: the positions (in this shard's traces) it has still to start.
  const queues: number[][] = Array.from({ length: lanes }, () => []);
  const lastDir: (string | null)[] = Array.from({ length: lanes }, () => null);
  // The shard's chunks, each its positions, in order; a lane takes the next of the directory (the
  // variant) it ran last, else the first of a directory no other lane is on, so that each lane's
  // implementation loads few variants.
  const chunks: number[][] = [];
  job.files.forEach((f, at) => (at > 0 && job.files[at - 1].chunk === f.chunk ? chunks[chunks.length - 1].push(at) : chunks.push([at])));
  const taken = new Array<boolean>(chunks.length).fill(false);
  const takeChunk = (lane: number): void => {
    const dirOf = (c: number): string => dirname(job.files[chunks[c][0]].file);
    const others = new Set(lastDir.filter((d, l) => l !== lane && queues[l].length + (running[l] === null ? 0 : 1) > 0));
    let c = chunks.findIndex((_, i) => !taken[i] && dirOf(i) === lastDir[lane]);
    if (c < 0) c = chunks.findIndex((_, i) => !taken[i] && !others.has(dirOf(i)));
    if (c < 0) c = taken.indexOf(false);
    if (c < 0) return;
    taken[c] = true;
    queues[lane].push(...chunks[c]);
    lastDir[lane] = dirname(job.files[chunks[c][0]].file);
  };
  try {
    for (;;) {
      if (Atomics.load(stop, 0) !== 0) return true;
      for (let lane = 0; lane < lanes; lane++) {
        if (running[lane] !== null) continue;
        const queue = queues[lane];
        if (queue.length === 0) takeChunk(lane);
        const at = queue[0];
        if (at === undefined || job.files[at].index > Atomics.load(control, CONTROL.firstDivergence)) continue;
        queue.shift();
        running[lane] = { at, started: startTrace(traces[at], factory, lane) };
      }
      let pick = -1;
      for (let lane = 0; lane < lanes; lane++) {
        const r = running[lane];
        if (r === null) continue;
        if (lanes > 1 && r.started.adapter.ready?.() === false) continue;
        if (pick < 0 || r.at < (running[pick]?.at ?? Infinity)) pick = lane;
      }
      if (pick < 0) {
        if (running.every((r) => r === null)) return false;
        nap();
        continue;
      }
      const { at, started } = running[pick] as { at: number; started: StartedTrace };
      running[pick] = null;
      const outcome = finishTrace(started);
      const index = job.files[at].index;
      post({ type: 'outcome', index, outcome });
      if (outcome.kind === 'diverged') diverged(index);
    }
  } catch (e) {
    if (!(e instanceof AdapterInterrupted)) throw e;
    return true;
  } finally {
    // Traces started and not finished (interrupted, or past a divergence): their implementations close.
    for (const r of running) {
      try {
        r?.started.adapter.close();
      } catch {
        // Interrupted or gone: shutdown cleans up.
      }
    }
  }
}

const traces = load();
if (traces !== null) post({ type: 'loaded' });
Atomics.wait(control, CONTROL.go, GO.wait);
let interrupted = false;
try {
  if (traces !== null && Atomics.load(control, CONTROL.go) === GO.run) interrupted = replayAll(traces, factory.lanes ?? 1);
  post({ type: 'done', interrupted, costs: interrupted ? null : (factory.hostCosts?.() ?? null) });
} finally {
  await factory.shutdown?.();
}
