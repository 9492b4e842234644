/**
 * Where a run's jobs go: worker threads in this process (the default, no Redis needed) or a BullMQ
 * queue that `lsmc worker` processes serve. Both run the same requests through the same scripts
 * (src/queue/jobs.ts) and give the reports back in request order, so what a caller merges from
 * them does not depend on where they ran.
 */
import { runPool, runWithProgress } from './worker-run.js';
import type { JobKind, ProgressOf, ReportOf, RequestOf } from '../queue/jobs.js';
import { JOBS } from '../queue/jobs.js';
import { type QueueProgress, runOnQueue } from '../queue/redis.js';

export interface Placement {
  /** A redis:// URL, or undefined for worker threads here. */
  readonly queue?: string;
  /** The flag that gave the URL, for errors. */
  readonly flag: string;
  /** Worker threads at once, when running here. */
  readonly threads: number;
}

/**
 * Runs every request as a job of `kind`, with one progress line for the whole run and Ctrl-C
 * stopping it with the reports so far; undefined marks a job that never ran. `enough` says when
 * the reports so far decide the whole, so that the jobs left need not run.
 */
export function runJobs<K extends JobKind>(
  kind: K,
  requests: readonly RequestOf<K>[],
  placement: Placement,
  progressLine: (p: QueueProgress<ProgressOf<K>>) => string,
  enough?: (reports: readonly (ReportOf<K> | undefined)[]) => boolean,
): Promise<(ReportOf<K> | undefined)[]> {
  const url = placement.queue;
  if (url === undefined)
    return runPool<RequestOf<K>, ProgressOf<K>, ReportOf<K> | undefined>(
      JOBS[kind].script,
      requests,
      placement.threads,
      () => undefined,
      (p) => progressLine({ ...p, waiting: p.total - p.done - p.running.length }),
      enough,
    );
  return runWithProgress<QueueProgress<ProgressOf<K>>, (ReportOf<K> | undefined)[]>(
    (stop, onProgress, progressEveryMs) => runOnQueue(placement.flag, url, kind, requests, { stop, onProgress, progressEveryMs, enough }),
    progressLine,
  );
}
