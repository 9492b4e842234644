/**
 * Runs one generation job off the main thread, so that the main thread stays free to draw
 * progress and to hear Ctrl-C, which it passes on through a shared flag the explorer polls.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Progress } from '../../checker/explore.js';
import { hazardFiles, manifestSuite, runSuite } from './files.js';
import type { GenJob } from './job.js';

interface Input {
  readonly request: GenJob;
  readonly stop: SharedArrayBuffer;
  readonly progressEveryMs: number;
}

const input = workerData as Input;
const stop = new Int32Array(input.stop);
const port = parentPort;
if (port === null) throw new Error('the gen worker must run as a worker thread');
const hooks = {
  onProgress: (progress: Progress) => port.postMessage({ type: 'progress', progress }),
  shouldStop: () => Atomics.load(stop, 0) !== 0,
};
const job = input.request;
const report =
  job.kind === 'suite'
    ? runSuite(job.modelArg, job.modelPath, job.sets, hooks, job.gzip)
    : job.kind === 'manifest-suite'
      ? manifestSuite(job.entry, job.modelDir, hooks)
      : (() => {
          const files = hazardFiles(job.hazards, job.modelDir, hooks);
          return 'interrupted' in files ? files : { files };
        })();
port.postMessage({ type: 'done', report });
