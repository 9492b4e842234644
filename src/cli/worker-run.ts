/**
 * A long run off the main thread, as `check`, `simulate` and `replay` run: progress on stderr (a
 * live line on a terminal, a line every five seconds otherwise) and Ctrl-C setting a stop flag the
 * workers poll, so that an interrupted run still ends with its partial report.
 */
import { Worker } from 'node:worker_threads';

type Message<P, R> = { readonly type: 'progress'; readonly progress: P } | { readonly type: 'done'; readonly report: R };

/** `start` gets the stop flag (its first word is set by Ctrl-C), a progress callback and how often to call it. */
export async function runWithProgress<P, R>(start: (stop: SharedArrayBuffer, onProgress: (p: P) => void, progressEveryMs: number) => Promise<R>, progressLine: (p: P) => string): Promise<R> {
  const tty = process.stderr.isTTY === true;
  const stop = new SharedArrayBuffer(4);
  let live = false;
  const onSignal = (): void => {
    Atomics.store(new Int32Array(stop), 0, 1);
    process.stderr.write(`${live ? '\r\x1b[K' : '\n'}lsmc: interrupted, finishing with a partial report\n`);
    live = false;
  };
  const onProgress = (p: P): void => {
    const line = progressLine(p);
    if (line === '') return;
    if (tty) {
      process.stderr.write(`\r\x1b[K${line}`);
      live = true;
    } else {
      process.stderr.write(`${line}\n`);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await start(stop, onProgress, tty ? 500 : 5000);
  } finally {
    if (live) process.stderr.write('\r\x1b[K');
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** A run in one worker thread that serves it with src/worker/serve.ts. */
export function runInWorker<Req, P, R>(script: URL, request: Req, progressLine: (p: P) => string): Promise<R> {
  return runWithProgress<P, R>(
    (stop, onProgress, progressEveryMs) =>
      new Promise((resolvePromise, reject) => {
        const worker = new Worker(script, { workerData: { request, stop, progressEveryMs } });
        worker.on('message', (m: Message<P, R>) => (m.type === 'progress' ? onProgress(m.progress) : resolvePromise(m.report)));
        worker.on('error', reject);
      }),
    progressLine,
  );
}
