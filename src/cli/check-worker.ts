/**
 * Runs a check off the main thread, so that the main thread stays free to draw progress and to
 * hear Ctrl-C, which it passes on through a shared flag the explorer polls.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type CheckRequest, runCheck } from '../check/run.js';

interface Input {
  readonly request: CheckRequest;
  readonly stop: SharedArrayBuffer;
  readonly progressEveryMs: number;
}

const input = workerData as Input;
const stop = new Int32Array(input.stop);
const port = parentPort;
if (port === null) throw new Error('check-worker must run as a worker thread');
const report = runCheck(input.request, {
  onProgress: (progress) => port.postMessage({ type: 'progress', progress }),
  shouldStop: () => Atomics.load(stop, 0) !== 0,
  progressEveryMs: input.progressEveryMs,
});
port.postMessage({ type: 'done', report });
