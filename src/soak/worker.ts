/**
 * The entry of every soak thread: attach to the map, say ready, wait for the start, run rounds
 * until the stop flag is set, and send the counts (now and then while running, and once at the end).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ReferenceMap } from '../reference/map.js';
import { invariantCounts, readerCounts, type Tally, type WorkerMessage, writerCounts } from './counts.js';
import { SoakReader } from './reader.js';
import { CTL_GO, CTL_PAUSE, CTL_PAUSED, CTL_STOP, type WorkerInput } from './control.js';
import { ChurnWriter } from './writer.js';

/** Rounds between looks at the clock and the stop flag. */
const ROUNDS_PER_CHECK = 16;

function run(input: WorkerInput): void {
  const port = parentPort;
  if (port === null) throw new Error('soak worker started outside a worker thread');
  const post = (m: WorkerMessage): void => port.postMessage(m);
  const map = ReferenceMap.attach(input.handle);
  const ctl = new Int32Array(input.control);
  let started = 0;
  const clock = (): number => (performance.now() - started) / 1000;

  let round: () => void;
  let tally: () => Tally;
  if (input.role === 'writer') {
    const counts = writerCounts();
    const writer = new ChurnWriter(map, input.plan, counts);
    round = () => writer.round();
    tally = () => ({ role: 'writer', id: input.id, counts: { ...counts } });
  } else {
    const counts = readerCounts();
    const invariants = invariantCounts();
    const reader = new SoakReader(map, input.id, counts, invariants, clock);
    round = () => reader.round();
    tally = () => ({ role: 'reader', id: input.id, counts: { ...counts }, invariants: { ...invariants }, first: [...reader.first] });
  }

  post({ type: 'ready' });
  while (Atomics.load(ctl, CTL_GO) === 0) Atomics.wait(ctl, CTL_GO, 0, 100);
  started = performance.now();
  let nextPost = started + input.progressEveryMs;
  while (Atomics.load(ctl, CTL_STOP) === 0) {
    for (let i = 0; i < ROUNDS_PER_CHECK; i++) round();
    // Between rounds no operation is under way: the quiescence the main thread checks at.
    if (Atomics.load(ctl, CTL_PAUSE) !== 0) {
      Atomics.add(ctl, CTL_PAUSED, 1);
      while (Atomics.load(ctl, CTL_PAUSE) !== 0 && Atomics.load(ctl, CTL_STOP) === 0) Atomics.wait(ctl, CTL_PAUSE, 1, 50);
      Atomics.sub(ctl, CTL_PAUSED, 1);
    }
    const now = performance.now();
    if (now >= nextPost) {
      post({ type: 'progress', tally: tally() });
      nextPost = now + input.progressEveryMs;
    }
  }
  post({ type: 'done', tally: tally() });
}

run(workerData as WorkerInput);
