/**
 * A long run in a worker thread, as `check` and `simulate` run: progress on stderr (a live line on
 * a terminal, a line every five seconds otherwise) and Ctrl-C setting a stop flag the worker polls,
 * so that an interrupted run still ends with its partial report.
 */
import { Worker } from 'node:worker_threads';

type Message<P, R> = { readonly type: 'progress'; readonly progress: P } | { readonly type: 'done'; readonly report: R };

export function runInWorker<Req, P, R>(script: URL, request: Req, progressLine: (p: P) => string): Promise<R> {
  const tty = process.stderr.isTTY === true;
  const stop = new SharedArrayBuffer(4);
  const worker = new Worker(script, { workerData: { request, stop, progressEveryMs: tty ? 500 : 5000 } });
  let live = false;
  const onSignal = (): void => {
    Atomics.store(new Int32Array(stop), 0, 1);
    process.stderr.write(`${live ? '\r\x1b[K' : '\n'}lsmc: interrupted, finishing with a partial report\n`);
    live = false;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const done = (): void => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  return new Promise((resolvePromise, reject) => {
    worker.on('message', (m: Message<P, R>) => {
      if (m.type === 'progress') {
        const line = progressLine(m.progress);
        if (tty) {
          process.stderr.write(`\r\x1b[K${line}`);
          live = true;
        } else {
          process.stderr.write(`${line}\n`);
        }
        return;
      }
      if (live) process.stderr.write('\r\x1b[K');
      done();
      resolvePromise(m.report);
    });
    worker.on('error', (e) => {
      done();
      reject(e);
    });
  });
}
