/**
 * The worker's side of a long run (src/cli/worker-run.ts is the main thread's): the request, hooks
 * that post progress and poll the stop flag that Ctrl-C sets, and the one message with the report.
 */
import { parentPort, workerData } from 'node:worker_threads';

export interface RunHooks<P> {
  readonly onProgress: (progress: P) => void;
  readonly shouldStop: () => boolean;
  readonly progressEveryMs: number;
}

export async function serveRun<Req, P, R>(name: string, run: (request: Req, hooks: RunHooks<P>) => R | Promise<R>): Promise<void> {
  const input = workerData as { readonly request: Req; readonly stop: SharedArrayBuffer; readonly progressEveryMs: number };
  const port = parentPort;
  if (port === null) throw new Error(`${name} must run as a worker thread`);
  const stop = new Int32Array(input.stop);
  const report = await run(input.request, {
    onProgress: (progress) => port.postMessage({ type: 'progress', progress }),
    shouldStop: () => Atomics.load(stop, 0) !== 0,
    progressEveryMs: input.progressEveryMs,
  });
  port.postMessage({ type: 'done', report });
}
