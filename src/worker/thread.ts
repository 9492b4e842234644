/**
 * One run on a worker thread, the main thread's side of src/worker/serve.ts: the request in, progress
 * messages, and one report out. The command line's pools and `lsmc worker`'s jobs both start runs here.
 */
import { Worker } from 'node:worker_threads';

type Message<P, R> = { readonly type: 'progress'; readonly progress: P } | { readonly type: 'done'; readonly report: R };

/** One run on a worker thread that serves it with src/worker/serve.ts; `terminate` ends the thread, and `done` rejects. */
export function startThread<Req, P, R>(script: URL, request: Req, stop: SharedArrayBuffer, progressEveryMs: number, onProgress: (p: P) => void): { readonly done: Promise<R>; readonly terminate: () => Promise<number> } {
  const worker = new Worker(script, { workerData: { request, stop, progressEveryMs } });
  const done = new Promise<R>((resolvePromise, reject) => {
    worker.on('message', (m: Message<P, R>) => (m.type === 'progress' ? onProgress(m.progress) : resolvePromise(m.report)));
    worker.on('error', reject);
    worker.on('exit', (code) => reject(new Error(`the worker thread exited (code ${code}) before its report`)));
  });
  return { done, terminate: () => worker.terminate() };
}

/** Where a pool of runs stands: how many are done, and the progress of each one running, by its position in the requests. */
export interface PoolProgress<P> {
  readonly done: number;
  readonly total: number;
  readonly running: readonly (readonly [number, P | null])[];
  readonly seconds: number;
}
