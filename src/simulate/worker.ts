/**
 * Runs a simulation off the main thread, so that the main thread stays free to draw progress and
 * to hear Ctrl-C, which it passes on through a shared flag the walks poll.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runSimulation, type SimulationRequest } from './run.js';

interface Input {
  readonly request: SimulationRequest;
  readonly stop: SharedArrayBuffer;
  readonly progressEveryMs: number;
}

const input = workerData as Input;
const stop = new Int32Array(input.stop);
const port = parentPort;
if (port === null) throw new Error('the simulate worker must run as a worker thread');
const report = runSimulation(input.request, {
  onProgress: (progress) => port.postMessage({ type: 'progress', progress }),
  shouldStop: () => Atomics.load(stop, 0) !== 0,
  progressEveryMs: input.progressEveryMs,
});
port.postMessage({ type: 'done', report });
