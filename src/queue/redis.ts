/**
 * Jobs on BullMQ over Redis: the client that enqueues one run's jobs and gathers their reports,
 * and the worker that runs jobs for any client, on as many machines as point at the same Redis.
 *
 * A run's jobs are named `RUN-INDEX`, RUN a fresh id per run. A report is kept by its index, so a
 * job that ran twice (a worker killed after it started; BullMQ moves the job back to waiting once
 * its lock lapses, and another worker takes it) is counted once, and the merge never sees where or
 * how often a job ran. Stopping a run (Ctrl-C, or the reports so far deciding it) sets a key the
 * workers poll: jobs of that run still going stop with their partial reports, and those waiting are
 * removed. The run's jobs are removed when it ends; a client that died leaves them for a day.
 */
import { randomUUID } from 'node:crypto';
import { Job, Queue, QueueEvents, UnrecoverableError, WaitingError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { InputError } from '../model/config.js';
import { type PoolProgress, startThread } from '../worker/thread.js';
import { codeDigest, type Envelope, JOBS, type JobKind, parseEnvelope, type ProgressOf, type ReportOf, type RequestOf } from './jobs.js';

export const QUEUE_NAME = 'lsmc';
/** A day: what is left of a run whose client died is removed after it. */
const KEEP_SECONDS = 86_400;
/**
 * How a worker's failure reason starts when it refused the job (another build, a request it cannot
 * read) rather than failed running it: the client's input or set-up is at fault, so it exits 2.
 */
export const REFUSED = 'refused: ';
/** Set when a run is stopped: STOPPING while its client waits for partial reports, GONE once it left. */
const cancelKey = (run: string): string => `lsmc:cancelled:${run}`;
const STOPPING = 'stopping';
const GONE = 'gone';

/** Where Redis is, as both ioredis and BullMQ take it. */
export interface Connection {
  readonly host: string;
  readonly port: number;
  readonly db?: number;
  readonly username?: string;
  readonly password?: string;
  readonly tls?: Record<string, never>;
}

/** Connection options from `redis://[USER:PASSWORD@]HOST[:PORT][/DB]` (or rediss:// for TLS). */
export function redisOptions(flag: string, text: string): Connection {
  const expected = 'redis://HOST:PORT (or rediss://, with an optional USER:PASSWORD@ and /DB)';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InputError(flag, text, expected);
  }
  if ((url.protocol !== 'redis:' && url.protocol !== 'rediss:') || url.hostname === '') throw new InputError(flag, text, expected);
  const db = url.pathname.replace(/^\//, '');
  if (db !== '' && !/^[0-9]+$/.test(db)) throw new InputError(flag, text, `${expected}; DB a number`);
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port === '' ? 6379 : Number(url.port),
    ...(db === '' ? {} : { db: Number(db) }),
    ...(url.username === '' ? {} : { username: decodeURIComponent(url.username) }),
    ...(url.password === '' ? {} : { password: decodeURIComponent(url.password) }),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/**
 * A connection that fails at once rather than retrying for ever, to tell the user before the run
 * starts that nothing answers at `text`, or that what answers is too old for BullMQ.
 */
export async function connect(flag: string, text: string): Promise<Redis> {
  const options = redisOptions(flag, text);
  const redis = new Redis({ ...options, lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  // The connect() promise only says the connection closed; the error event says why.
  let why: string | null = null;
  redis.on('error', (e: Error) => {
    why ??= e.message;
  });
  try {
    await redis.connect();
    const info = await redis.info('server');
    const version = /redis_version:([0-9]+)\./.exec(info)?.[1];
    if (version !== undefined && Number(version) < 5) throw new Error(`Redis ${version} is too old; BullMQ needs 5 or later`);
  } catch (e) {
    redis.disconnect();
    throw new InputError(flag, text, `a Redis server that answers (${why ?? (e as Error).message})`);
  }
  // From here on a dropped connection is retried, as BullMQ's own are.
  redis.options.retryStrategy = (times) => Math.min(times * 200, 2000);
  redis.options.maxRetriesPerRequest = null;
  return redis;
}

export interface QueueProgress<P> extends PoolProgress<P> {
  /** Jobs not taken by any worker yet. */
  readonly waiting: number;
}

/**
 * Runs `requests` as jobs of `kind` on the queue at `url` and gives back their reports in request
 * order (undefined for a job that never ran: the run was stopped first). `stop` is the Ctrl-C flag;
 * `enough` says when the reports so far decide the whole.
 */
export async function runOnQueue<K extends JobKind>(
  flag: string,
  url: string,
  kind: K,
  requests: readonly RequestOf<K>[],
  options: {
    readonly stop: SharedArrayBuffer;
    readonly onProgress: (p: QueueProgress<ProgressOf<K>>) => void;
    readonly progressEveryMs: number;
    readonly enough?: (reports: readonly (ReportOf<K> | undefined)[]) => boolean;
  },
): Promise<(ReportOf<K> | undefined)[]> {
  const redis = await connect(flag, url);
  const connection = redisOptions(flag, url);
  const queue = new Queue(QUEUE_NAME, { connection });
  const events = new QueueEvents(QUEUE_NAME, { connection });
  const started = performance.now();
  const run = randomUUID().slice(0, 8);
  const ids = requests.map((_, i) => `${run}-${i}`);
  const reports: (ReportOf<K> | undefined)[] = requests.map(() => undefined);
  const running = new Map<number, ProgressOf<K> | null>();
  let done = 0;
  try {
    await events.waitUntilReady();
    const code = codeDigest();
    await queue.addBulk(
      requests.map((request, index) => {
        const data: Envelope = { kind, code, run, index, total: requests.length, request };
        return { name: kind, data, opts: { jobId: ids[index], attempts: 1, removeOnComplete: { age: KEEP_SECONDS }, removeOnFail: { age: KEEP_SECONDS } } };
      }),
    );
    const indexOf = (jobId: string): number => (jobId.startsWith(`${run}-`) ? Number(jobId.slice(run.length + 1)) : -1);

    await new Promise<void>((resolvePromise, reject) => {
      let drawn = -Infinity;
      let ended = false;
      const draw = (force: boolean): void => {
        const now = performance.now();
        if (!force && now - drawn < options.progressEveryMs) return;
        drawn = now;
        const entries = [...running.entries()].sort((a, b) => a[0] - b[0]);
        options.onProgress({ done, total: requests.length, running: entries, waiting: requests.length - done - running.size, seconds: (now - started) / 1000 });
      };
      const end = (e?: Error): void => {
        if (ended) return;
        ended = true;
        clearInterval(timer);
        events.removeAllListeners();
        if (e === undefined) resolvePromise();
        else reject(e);
      };
      /** Keeps job i's report once it is in; `known` is the job when the caller has just read it. */
      const take = async (i: number, known?: Job): Promise<void> => {
        if (reports[i] !== undefined) return;
        const job = known ?? (await Job.fromId(queue, ids[i]));
        if (job === undefined || job.finishedOn === undefined || job.failedReason !== undefined) return;
        if (reports[i] !== undefined) return;
        reports[i] = JOBS[kind].report(`job ${ids[i]} on ${url}`, job.returnvalue);
        running.delete(i);
        done++;
        draw(done === requests.length);
        if (done === requests.length || options.enough?.(reports) === true) end();
      };
      const failed = (i: number, reason: string): void =>
        end(
          reason.startsWith(REFUSED)
            ? new InputError(flag, url, `workers that take this lsmc's jobs (a worker refused ${JOBS[kind].noun} ${i + 1} of ${requests.length}: ${reason.slice(REFUSED.length)})`)
            : new Error(`${JOBS[kind].noun} ${i + 1} of ${requests.length} failed on a worker: ${reason}`),
        );
      events.on('active', ({ jobId }) => {
        const i = indexOf(jobId);
        if (i >= 0 && reports[i] === undefined && !running.has(i)) running.set(i, null);
        draw(false);
      });
      events.on('progress', ({ jobId, data }) => {
        const i = indexOf(jobId);
        const progress = JOBS[kind].progress(data);
        if (i >= 0 && reports[i] === undefined && progress !== null) running.set(i, progress);
        draw(false);
      });
      events.on('stalled', ({ jobId }) => {
        running.delete(indexOf(jobId));
        draw(false);
      });
      events.on('completed', ({ jobId }) => {
        const i = indexOf(jobId);
        if (i >= 0) take(i).catch(end);
      });
      events.on('failed', ({ jobId, failedReason }) => {
        const i = indexOf(jobId);
        if (i >= 0) failed(i, failedReason);
      });
      // Events can be missed (a reconnect, a trimmed stream): every few seconds the jobs not yet
      // reported are read directly. The same timer hears Ctrl-C.
      let polled = performance.now();
      const timer = setInterval(() => {
        if (Atomics.load(new Int32Array(options.stop), 0) !== 0) return end();
        draw(false);
        if (performance.now() - polled < 3000) return;
        polled = performance.now();
        for (let i = 0; i < requests.length; i++) {
          if (reports[i] !== undefined) continue;
          Job.fromId(queue, ids[i])
            .then((job) => {
              if (job?.failedReason !== undefined && job.finishedOn !== undefined) failed(i, job.failedReason);
              else if (job !== undefined) return take(i, job);
            })
            .catch(end);
        }
      }, 100);
    });

    if (done < requests.length) await stopRun(redis, queue, run, ids, reports, options.stop, (i, json) => JOBS[kind].report(`job ${ids[i]} on ${url}`, json));
    return reports;
  } finally {
    // Jobs of a stopped run that end from now on are the workers' to remove (see serveQueue).
    if (done < requests.length) await redis.set(cancelKey(run), GONE, 'EX', KEEP_SECONDS).catch(() => undefined);
    await Promise.allSettled(ids.map((id) => queue.remove(id)));
    await events.close();
    await queue.close();
    redis.disconnect();
  }
}

/**
 * Ends a run before all its jobs reported: waiting jobs are removed, and jobs under way are told to
 * stop. After Ctrl-C their partial reports are waited for (two seconds at most); when the reports
 * already decide the run they are not.
 */
async function stopRun<R>(redis: Redis, queue: Queue, run: string, ids: readonly string[], reports: (R | undefined)[], stop: SharedArrayBuffer, read: (i: number, json: unknown) => R): Promise<void> {
  await redis.set(cancelKey(run), STOPPING, 'EX', KEEP_SECONDS);
  // Jobs under way are left to stop on the key and report; removing one would lose its partial report.
  const removeIfWaiting = async (id: string): Promise<void> => {
    const job = await Job.fromId(queue, id);
    if (job !== undefined && (await job.getState()) !== 'active') await job.remove();
  };
  await Promise.allSettled(ids.map((id, i) => (reports[i] === undefined ? removeIfWaiting(id) : Promise.resolve())));
  if (Atomics.load(new Int32Array(stop), 0) === 0) return;
  const until = performance.now() + 2000;
  while (performance.now() < until) {
    const left = ids.filter((_, i) => reports[i] === undefined);
    const jobs = await Promise.all(left.map((id) => Job.fromId(queue, id)));
    let pending = 0;
    jobs.forEach((job, k) => {
      if (job === undefined) return;
      const i = ids.indexOf(left[k]);
      if (job.finishedOn === undefined) pending++;
      else if (job.failedReason === undefined) reports[i] = read(i, job.returnvalue);
    });
    if (pending === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface WorkerOptions {
  readonly concurrency: number;
  /** How long a job's lock lasts unrenewed: a killed worker's jobs go to another after about this. */
  readonly stallSeconds: number;
  readonly log: (line: string) => void;
}

/**
 * `lsmc worker`: takes jobs from the queue at `url`, `concurrency` at a time, each on a worker
 * thread so that the event loop stays free to renew the jobs' locks. Resolves when `stopped`
 * resolves (Ctrl-C) and every job under way has been handed back to the queue for another worker.
 */
export async function serveQueue(flag: string, url: string, options: WorkerOptions, stopped: Promise<void>): Promise<{ readonly jobs: number }> {
  const redis = await connect(flag, url);
  const connection = { ...redisOptions(flag, url), maxRetriesPerRequest: null };
  const code = codeDigest();
  const active = new Set<() => Promise<number>>();
  let leaving = false;
  let jobs = 0;

  const runJob = async (job: Job, token?: string): Promise<unknown> => {
    const where = `job ${job.id ?? '?'}`;
    let envelope: Envelope;
    let request: RequestOf<JobKind>;
    try {
      envelope = parseEnvelope(where, job.data);
      if (envelope.code !== code) throw new Error(`it was sent by lsmc built from other sources (code ${envelope.code}; this worker's is ${code}): run the same lsmc on both sides`);
      request = JOBS[envelope.kind].request(where, envelope.request);
    } catch (e) {
      throw new UnrecoverableError(`${REFUSED}${(e as Error).message}`);
    }
    const kind = envelope.kind;
    // Taken as this worker leaves (a fetch already under way): back at once, not started.
    if (leaving) {
      await job.moveToWait(token);
      throw new WaitingError();
    }
    // A review row's liveness search takes a share of memory by the rows running at once here.
    const local = kind === 'review' ? { ...(request as RequestOf<'review'>), jobs: options.concurrency } : request;
    const label = `${kind} ${JOBS[kind].noun} ${envelope.index + 1} of ${envelope.total} (run ${envelope.run})`;
    const stop = new SharedArrayBuffer(4);
    const cancelled = async (): Promise<void> => {
      if ((await redis.exists(cancelKey(envelope.run))) === 1) Atomics.store(new Int32Array(stop), 0, 1);
    };
    await cancelled();
    let lastProgress = 0;
    const thread = startThread<unknown, unknown, unknown>(JOBS[kind].script, local, stop, 1000, (p) => {
      const now = performance.now();
      if (now - lastProgress < 1000) return;
      lastProgress = now;
      job.updateProgress(p as object).catch(() => undefined);
    });
    active.add(thread.terminate);
    const poll = setInterval(() => void cancelled().catch(() => undefined), 500);
    const started = performance.now();
    options.log(`${label}: started`);
    try {
      const report = await thread.done;
      jobs++;
      options.log(`${label}: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      return report;
    } catch (e) {
      if (!leaving) throw e;
      // Handed back, not failed: another worker takes the job from the start.
      await job.moveToWait(token);
      options.log(`${label}: handed back to the queue`);
      throw new WaitingError();
    } finally {
      clearInterval(poll);
      active.delete(thread.terminate);
    }
  };

  const worker = new Worker(QUEUE_NAME, runJob, {
    connection,
    concurrency: options.concurrency,
    lockDuration: options.stallSeconds * 1000,
    stalledInterval: options.stallSeconds * 1000,
    // A job whose worker died is moved back this many times before it counts as failed.
    maxStalledCount: 10,
  });
  worker.on('error', (e) => options.log(`queue error: ${e.message}`));
  // A job of a stopped run that ended after its client left is nobody's: it goes at once, not in a
  // day. Failed ones too: a client that stopped at one refused job has left its next ones to us.
  const removeIfGone = (job: Job | undefined): void => {
    const run = (job?.data as { run?: unknown } | undefined)?.run;
    if (job === undefined || typeof run !== 'string') return;
    redis
      .get(cancelKey(run))
      .then((state) => (state === GONE ? job.remove() : undefined))
      .catch(() => undefined);
  };
  worker.on('completed', removeIfGone);
  worker.on('failed', removeIfGone);
  await worker.waitUntilReady();
  options.log(`taking jobs from ${url} (queue ${QUEUE_NAME}), ${options.concurrency} at a time`);
  await stopped;
  leaving = true;
  // No more fetches: the slot a job handed back frees would otherwise take that job straight back,
  // and close() would then wait for it to run to its end.
  await worker.pause(true);
  await Promise.allSettled([...active].map((terminate) => terminate()));
  await worker.close();
  redis.disconnect();
  return { jobs };
}
