/**
 * One shard of a parallel replay (src/replay/parallel.ts is the coordinator): a worker thread with
 * its own adapter (its own kernel helper, its own shared memory) that loads every trace of its share
 * first, waits for the word that every shard loaded cleanly, then replays them in order, posting
 * each outcome by its index in the whole run.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { AdapterInterrupted } from '../adapter/adapter.js';
import { ADAPTERS } from '../adapter/registry.js';
import { InputError } from '../model/config.js';
import { type LoadedTrace, loadTrace } from './load.js';
import { CONTROL, GO, type ShardJob, type ShardMessage } from './parallel.js';
import { type ReplayOutcome, replayTrace } from './replay.js';

const job = workerData as ShardJob;
const port = parentPort;
if (port === null) throw new Error('a replay shard must run as a worker thread');
const control = new Int32Array(job.control);
const stop = new Int32Array(job.stop);
const factory = ADAPTERS.find((a) => a.name === job.adapter);
if (factory === undefined) throw new Error(`no adapter ${job.adapter}`);
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

const traces = load();
if (traces !== null) post({ type: 'loaded' });
Atomics.wait(control, CONTROL.go, GO.wait);
let interrupted = false;
try {
  if (traces !== null && Atomics.load(control, CONTROL.go) === GO.run) {
    for (const [i, trace] of traces.entries()) {
      const index = job.files[i].index;
      if (Atomics.load(stop, 0) !== 0) {
        interrupted = true;
        break;
      }
      if (index > Atomics.load(control, CONTROL.firstDivergence)) break;
      let outcome: ReplayOutcome;
      try {
        outcome = replayTrace(trace, factory);
      } catch (e) {
        if (!(e instanceof AdapterInterrupted)) throw e;
        interrupted = true;
        break;
      }
      post({ type: 'outcome', index, outcome });
      if (outcome.kind === 'diverged') diverged(index);
    }
  }
  post({ type: 'done', interrupted, hostWaits: interrupted ? null : (factory.hostWaits?.() ?? null) });
} finally {
  factory.shutdown?.();
}
