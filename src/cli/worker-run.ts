/**
 * A long run off the main thread, as `check`, `simulate` and `replay` run: progress on stderr (a
 * live line on a terminal, a line every five seconds otherwise) and Ctrl-C setting a stop flag the
 * workers poll, so that an interrupted run still ends with its partial report.
 */
import { type PoolProgress, startThread } from '../worker/thread.js';
import { prefix } from './command.js';

export type { PoolProgress } from '../worker/thread.js';

/** `start` gets the stop flag (its first word is set by Ctrl-C), a progress callback and how often to call it. */
export async function runWithProgress<P, R>(start: (stop: SharedArrayBuffer, onProgress: (p: P) => void, progressEveryMs: number) => Promise<R>, progressLine: (p: P) => string): Promise<R> {
  const tty = process.stderr.isTTY === true;
  const stop = new SharedArrayBuffer(4);
  let live = false;
  const onSignal = (): void => {
    Atomics.store(new Int32Array(stop), 0, 1);
    process.stderr.write(`${live ? '\r\x1b[K' : '\n'}${prefix()}: interrupted, finishing with a partial report\n`);
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
  return runWithProgress<P, R>((stop, onProgress, progressEveryMs) => startThread<Req, P, R>(script, request, stop, progressEveryMs, onProgress).done, progressLine);
}


/**
 * Independent runs on up to `jobs` worker threads at once, each served by `script` as runInWorker's
 * are. The results come back in the order of the requests, whatever order the runs end in. After
 * Ctrl-C the runs under way finish with their partial reports and those not started get `notRun`.
 * When `enough` says the results so far decide the whole, the runs still going are stopped the
 * same way and none is started.
 */
export function runPool<Req, P, R>(
  script: URL,
  requests: readonly Req[],
  jobs: number,
  notRun: (request: Req) => R,
  progressLine: (p: PoolProgress<P>) => string,
  enough: (results: readonly (R | undefined)[]) => boolean = () => false,
): Promise<R[]> {
  return runWithProgress<PoolProgress<P>, R[]>(
    (stop, onProgress, progressEveryMs) =>
      new Promise((resolvePromise, reject) => {
        const started = performance.now();
        const results: (R | undefined)[] = requests.map(() => undefined);
        const running = new Map<number, P | null>();
        const stopped = (): boolean => Atomics.load(new Int32Array(stop), 0) !== 0;
        let next = 0;
        let done = 0;
        let failed = false;
        // Every worker sends progress at the interval: the line is drawn at most once per interval, and when the last run ends.
        let drawn = -Infinity;
        const report = (force: boolean): void => {
          const now = performance.now();
          if (!force && now - drawn < progressEveryMs) return;
          drawn = now;
          onProgress({ done, total: requests.length, running: [...running.entries()].sort((a, b) => a[0] - b[0]), seconds: (now - started) / 1000 });
        };
        const finish = (): void => {
          if (running.size > 0 || failed) return;
          resolvePromise(results.map((r, i) => r ?? notRun(requests[i])));
        };
        const launch = (): void => {
          while (!failed && !stopped() && running.size < jobs && next < requests.length) {
            const i = next++;
            running.set(i, null);
            const thread = startThread<Req, P, R>(script, requests[i], stop, progressEveryMs, (p) => {
              running.set(i, p);
              report(false);
            });
            thread.done.then(
              (r) => {
                results[i] = r;
                running.delete(i);
                done++;
                // A line per run ended would flood a log with many short runs: only the last one forces it.
                report(done === requests.length);
                if (enough(results)) Atomics.store(new Int32Array(stop), 0, 1);
                launch();
                finish();
              },
              (e: unknown) => {
                failed = true;
                reject(e);
              },
            );
          }
        };
        launch();
        finish();
      }),
    progressLine,
  );
}
