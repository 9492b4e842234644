/**
 * Shards and variants as jobs: in-process threads, and BullMQ on a real redis-server with real
 * `lsmc worker` processes, give the same merged result for the same seeds, including when a worker
 * is killed in the middle of a job or a run is stopped with Ctrl-C.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, copyFileSync, cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as fc from 'fast-check';
import { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runSimulation, type SimulationRequest } from '../src/simulate/run.js';
import { simulationJson } from '../src/simulate/render.js';
import { decided, mergeShards, shardRuns, shardSeed, shardsOf } from '../src/simulate/shards.js';
import { codeDigest } from '../src/queue/jobs.js';
import { QUEUE_NAME } from '../src/queue/redis.js';
import { configOf, ROOT } from './support/models.js';
import { type RedisServer, startRedis } from '../bench/redis.js';

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

const LSMC = join(ROOT, 'bin/lsmc.js');
const children = new Set<ChildProcess>();

/** The command line as a user runs it, without blocking this process (workers run beside it). */
function lsmc(args: readonly string[], onStart?: (child: ChildProcess) => void): Promise<Ran> {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [LSMC, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => {
      children.delete(child);
      resolveRun({ code: code ?? -1, stdout, stderr });
    });
    onStart?.(child);
  });
}

interface WorkerProcess {
  readonly child: ChildProcess;
  readonly log: () => string;
  /** Resolves when the worker's log has matched `pattern` `times` times. */
  readonly waitFor: (pattern: RegExp, times?: number) => Promise<void>;
  readonly exited: Promise<number>;
}

const startWorker = (url: string, ...args: string[]): WorkerProcess => startWorkerFrom(LSMC, url, ...args);

/** `lsmc worker` from the command line at `main` (another build's, say). */
function startWorkerFrom(main: string, url: string, ...args: string[]): WorkerProcess {
  let log = '';
  let exitCode: number | null = null;
  const child = spawn(process.execPath, [main, 'worker', '--queue', url, ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  children.add(child);
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<number>((r) =>
    child.on('exit', (code, signal) => {
      children.delete(child);
      exitCode = code ?? (signal === null ? -1 : 128);
      r(exitCode);
    }),
  );
  const waitFor = async (pattern: RegExp, times = 1): Promise<void> => {
    const until = Date.now() + 60_000;
    const global = new RegExp(pattern.source, 'g');
    while ((log.match(global)?.length ?? 0) < times) {
      if (Date.now() > until || exitCode !== null) throw new Error(`the worker's log never matched ${pattern}:\n${log}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { child, log: () => log, waitFor, exited };
}

/** The JSON report without its timings, which are all that may differ between runs. */
function untimed(stdout: string): Record<string, unknown> {
  const j = JSON.parse(stdout) as Record<string, unknown>;
  delete j.seconds;
  delete j.stepsPerSecond;
  return j;
}

/** A review's JSON without any `seconds`, at any depth. */
function untimedReview(stdout: string): unknown {
  return JSON.parse(stdout, (key, value: unknown) => (key === 'seconds' ? undefined : value));
}

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
/**
 * A test that failed half-way leaves its workers and client running and its jobs queued; the next
 * test's worker would take them and fail too. Each test starts on an empty queue with none of them.
 */
afterEach(async () => {
  const left = [...children];
  await Promise.all(
    left.map((child) => {
      const gone = new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));
      child.kill('SIGKILL');
      return gone;
    }),
  );
  if (left.length === 0) return;
  const queue = new Queue(QUEUE_NAME, { connection: { host: '127.0.0.1', port: redis.port } });
  await queue.obliterate({ force: true });
  await queue.close();
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await redis?.stop();
});

/** No job of any run is left behind in Redis once its client has gone. */
function jobKeys(): string[] {
  return redis
    .cli('--scan', '--pattern', `bull:${QUEUE_NAME}:*`)
    .split('\n')
    .filter((k) => /^bull:lsmc:[0-9a-f]{8}-[0-9]+$/.test(k));
}

describe('shards', () => {
  it('split the walks exactly, shard 0 keeping the seed, every seed a valid --seed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 0x7fffffff }), (runs, k, seed) => {
        const shards = Math.min(k, runs);
        const split = Array.from({ length: shards }, (_, i) => shardRuns(runs, shards, i));
        expect(split.reduce((a, b) => a + b, 0)).toBe(runs);
        expect(Math.max(...split) - Math.min(...split)).toBeLessThanOrEqual(1);
        expect(shardSeed(seed, 0)).toBe(seed);
        const seeds = split.map((_, i) => shardSeed(seed, i));
        expect(seeds.every((s) => Number.isInteger(s) && s >= 0 && s <= 0x7fffffff)).toBe(true);
        expect(new Set(seeds).size).toBe(seeds.length);
      }),
      { numRuns: 200 },
    );
  });

  it('on threads here are exactly the merge of each shard run alone, and --shards 1 is the simulation as it always was', async () => {
    const request: SimulationRequest = { config: configOf('reference.json', { validation: 'none' }), model: 'reference', invariants: ['no-foreign-read'], runs: 6000, depth: 200, seed: 5, rerun: 'r' };
    const shards = shardsOf(request, 6, () => 'r');
    const alone = shards.map((s) => runSimulation(s));
    expect(decided(alone)).toBe(alone.some((r) => r.result === 'violation'));
    const merged = simulationJson(mergeShards(request, alone, 1));
    const cli = await lsmc(['simulate', '--set', 'validation=none', '--invariant', 'no-foreign-read', '--runs', '6000', '--depth', '200', '--seed', '5', '--shards', '6', '--json']);
    const fromCli = untimed(cli.stdout);
    const fromMerge: Record<string, unknown> = { ...merged, rerun: fromCli.rerun };
    delete fromMerge.seconds;
    delete fromMerge.stepsPerSecond;
    // The shards' own reruns name the shard's seed and runs; the CLI's are real commands.
    expect(JSON.stringify({ ...fromCli, notes: [], trace: null })).toBe(JSON.stringify({ ...fromMerge, notes: [], trace: null }));
    expect(fromCli.runs).toBe(merged.runs);

    const one = await lsmc(['simulate', '--runs', '300', '--depth', '100', '--seed', '9', '--shards', '1', '--json']);
    const plain = await lsmc(['simulate', '--runs', '300', '--depth', '100', '--seed', '9', '--json']);
    expect(untimed(one.stdout)).toEqual(untimed(plain.stdout));
    expect(untimed(plain.stdout)).toEqual(untimed(JSON.stringify(simulationJson(runSimulation({ ...request, config: configOf('reference.json'), invariants: [], runs: 300, depth: 100, seed: 9, rerun: (untimed(plain.stdout).rerun as string) })))));
  });
});

describe('lsmc simulate --queue', () => {
  const HAZARD = ['simulate', '--set', 'validation=none', '--invariant', 'no-foreign-read', '--runs', '40000', '--depth', '200', '--seed', '3', '--shards', '8', '--json'];

  it('gives the in-process result on two workers, for a run that holds and one that breaks an invariant, and leaves no job behind', async () => {
    const a = startWorker(redis.url, '--concurrency', '1');
    const b = startWorker(redis.url, '--concurrency', '1');
    await Promise.all([a.waitFor(/taking jobs/), b.waitFor(/taking jobs/)]);
    const holds = ['simulate', '--runs', '16000', '--depth', '300', '--seed', '4', '--shards', '8', '--json'];
    const [here, there] = [await lsmc(holds), await lsmc([...holds, '--queue', redis.url])];
    expect(here.code).toBe(0);
    expect(there.code).toBe(0);
    expect(untimed(there.stdout)).toEqual(untimed(here.stdout));
    expect(untimed(here.stdout).runs).toBe(16000);
    // Both workers took shards.
    expect(a.log()).toMatch(/simulate shard \d of 8 .*: done/);
    expect(b.log()).toMatch(/simulate shard \d of 8 .*: done/);

    const [broken, brokenThere] = [await lsmc(HAZARD), await lsmc([...HAZARD, '--queue', redis.url])];
    expect(broken.code).toBe(1);
    expect(brokenThere.code).toBe(1);
    const report = untimed(broken.stdout);
    expect(untimed(brokenThere.stdout)).toEqual(report);
    expect(report.invariant).toBe('no-foreign-read');
    // The counterexample names the shard that found it, and its rerun replays that shard alone to the same trace.
    const note = (report.notes as string[]).find((n) => n.includes('found it')) ?? '';
    expect(note).toMatch(/^shard \d+ of 8 \(seed \d+, 5,000 walks\) found it/);
    const alone = /rerun runs that shard alone: npx lsmc (.*)$/.exec(note)?.[1]?.split(' ') ?? [];
    const replayed = await lsmc([...alone, '--json']);
    expect(replayed.code).toBe(1);
    expect((untimed(replayed.stdout).trace as { states: unknown }).states).toEqual((report.trace as { states: unknown }).states);

    a.child.kill('SIGINT');
    b.child.kill('SIGINT');
    expect(await a.exited).toBe(0);
    expect(await b.exited).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(jobKeys()).toEqual([]);
  }, 180_000);

  // About two seconds of walks per shard on one core.
  const LONG = ['simulate', '--runs', '240000', '--depth', '1000', '--seed', '12', '--shards', '4', '--json'];

  it('loses nothing when a worker is killed in the middle of a job: the job runs again elsewhere and counts once', async () => {
    const here = await lsmc(LONG);
    expect(here.code).toBe(0);
    const doomed = startWorker(redis.url, '--concurrency', '1', '--stall-seconds', '1');
    await doomed.waitFor(/taking jobs/);
    const client = lsmc([...LONG, '--queue', redis.url]);
    await doomed.waitFor(/: started/);
    doomed.child.kill('SIGKILL');
    await doomed.exited;
    expect(doomed.log()).not.toMatch(/done/);
    const rescuer = startWorker(redis.url, '--concurrency', '2', '--stall-seconds', '1');
    const there = await client;
    expect(there.code).toBe(0);
    expect(untimed(there.stdout)).toEqual(untimed(here.stdout));
    expect(untimed(there.stdout).runs).toBe(240000);
    // The killed worker's shard ran again, to its end, on the other.
    const killedShard = /simulate shard (\d) of 4/.exec(doomed.log())?.[1];
    expect(rescuer.log()).toContain(`simulate shard ${killedShard} of 4`);
    expect(rescuer.log().match(/: done/g)).toHaveLength(4);
    rescuer.child.kill('SIGTERM');
    expect(await rescuer.exited).toBe(0);
  }, 180_000);

  it('a worker stopped with Ctrl-C hands its jobs back at once, and another finishes them', async () => {
    const here = await lsmc(LONG);
    const leaving = startWorker(redis.url, '--concurrency', '2');
    await leaving.waitFor(/taking jobs/);
    const client = lsmc([...LONG, '--queue', redis.url]);
    await leaving.waitFor(/: started/, 2);
    const asked = Date.now();
    leaving.child.kill('SIGINT');
    expect(await leaving.exited).toBe(0);
    expect(Date.now() - asked).toBeLessThan(3000);
    expect(leaving.log()).toMatch(/handed back to the queue/);
    const next = startWorker(redis.url, '--concurrency', '2');
    const there = await client;
    expect(untimed(there.stdout)).toEqual(untimed(here.stdout));
    next.child.kill('SIGINT');
    expect(await next.exited).toBe(0);
  }, 180_000);

  it('stops on Ctrl-C within seconds with the walks done so far, and its workers stop the run\'s jobs', async () => {
    const worker = startWorker(redis.url, '--concurrency', '2');
    await worker.waitFor(/taking jobs/);
    let client: ChildProcess | undefined;
    const run = lsmc(['simulate', '--runs', '50000000', '--depth', '1000', '--seed', '1', '--shards', '16', '--json', '--queue', redis.url], (c) => (client = c));
    await worker.waitFor(/: started/, 2);
    await new Promise((r) => setTimeout(r, 1500));
    const asked = Date.now();
    client?.kill('SIGINT');
    const ran = await run;
    expect(Date.now() - asked).toBeLessThan(3000);
    expect(ran.code).toBe(3);
    const report = untimed(ran.stdout);
    expect(report.result).toBe('interrupted');
    expect(report.runs).toBeGreaterThan(0);
    // The two shards under way stopped on the run's key rather than running to their end.
    await worker.waitFor(/: done in/, 2);
    worker.child.kill('SIGINT');
    expect(await worker.exited).toBe(0);
    expect(jobKeys()).toEqual([]);
  }, 120_000);
});

describe('lsmc review --queue', () => {
  it('gives the same matrix, costs and counterexamples as the review on threads here', async () => {
    const worker = startWorker(redis.url, '--concurrency', '2');
    const args = ['review', 'model/allocator.json', '--knobs', 'zeroOnRecycle,indexReuse', '--set', 'owners=2', '--json'];
    const here = await lsmc(args);
    const there = await lsmc([...args, '--queue', redis.url]);
    expect(there.code).toBe(here.code);
    const review = untimedReview(here.stdout) as { rows: { cells: Record<string, { verdict: string }> }[] };
    expect(untimedReview(there.stdout)).toEqual(review);
    expect(review.rows.length).toBeGreaterThanOrEqual(3);
    expect(review.rows.some((r) => Object.values(r.cells).some((c) => c.verdict === 'broken'))).toBe(true);
    expect(worker.log().match(/review variant \d of \d .*: done/g)?.length).toBe(review.rows.length);
    worker.child.kill('SIGINT');
    expect(await worker.exited).toBe(0);
  }, 180_000);
});

describe('bad input and bad jobs', () => {
  it('gets one line naming the flag and what was expected', async () => {
    const refused = await lsmc(['simulate', '--shards', '2', '--queue', 'redis://127.0.0.1:1']);
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim()).toMatch(/^lsmc simulate: --queue: redis:\/\/127\.0\.0\.1:1: expected a Redis server that answers \(.*ECONNREFUSED.*\)$/);
    const url = await lsmc(['review', '--queue', 'http://example']);
    expect(url.code).toBe(2);
    expect(url.stderr.trim()).toBe('lsmc review: --queue: http://example: expected redis://HOST:PORT (or rediss://, with an optional USER:PASSWORD@ and /DB)');
    const worker = await lsmc(['worker']);
    expect(worker.code).toBe(2);
    expect(worker.stderr.trim()).toBe('lsmc worker: --queue: expected a queue to take jobs from: --queue redis://HOST:PORT');
    const shards = await lsmc(['simulate', '--runs', '10', '--shards', '11']);
    expect(shards.code).toBe(2);
    expect(shards.stderr.trim()).toBe('lsmc simulate: --shards: 11: expected an integer from 1 to 10');
  });

  it('a client whose jobs a worker of another build refuses says so in one line and exits 2, leaving no job', async () => {
    // Another build: this one's compiled code with one answering file changed, run from its own folder.
    const other = mkdtempSync(join(tmpdir(), 'lsmc-other-build-'));
    let worker: WorkerProcess | undefined;
    try {
      cpSync(join(ROOT, 'dist'), join(other, 'dist'), { recursive: true });
      copyFileSync(join(ROOT, 'package.json'), join(other, 'package.json'));
      symlinkSync(join(ROOT, 'node_modules'), join(other, 'node_modules'), 'dir');
      appendFileSync(join(other, 'dist/spec/index.js'), '\n// another build\n');
      worker = startWorkerFrom(join(other, 'dist/src/cli/main.js'), redis.url, '--concurrency', '1');
      await worker.waitFor(/taking jobs/);
      const r = await lsmc(['simulate', '--runs', '100', '--depth', '50', '--shards', '2', '--queue', redis.url]);
      expect(r.code, r.stderr).toBe(2);
      // After the progress lines, the one that says why.
      expect(r.stderr.trimEnd().split('\n').at(-1)).toMatch(new RegExp(`^lsmc simulate: --queue: ${redis.url}: expected workers that take this lsmc's jobs \\(a worker refused shard [12] of 2: it was sent by lsmc built from other sources .*run the same lsmc on both sides\\)$`));
      const queue = new Queue(QUEUE_NAME, { connection: { host: '127.0.0.1', port: redis.port } });
      // The worker may still be refusing the run's next shard as the client leaves; it removes that one itself.
      let counts: Record<string, number> = {};
      for (let i = 0; i < 40; i++) {
        counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
        if (Object.values(counts).every((n) => n === 0)) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(counts).toEqual({ waiting: 0, active: 0, delayed: 0, failed: 0, completed: 0 });
      await queue.close();
      worker.child.kill('SIGINT');
      expect(await worker.exited).toBe(0);
    } finally {
      // A failed assertion must not leave this worker to take the next test's jobs.
      worker?.child.kill('SIGKILL');
      rmSync(other, { recursive: true, force: true });
    }
  }, 60_000);

  it('a worker fails a job from another build or with a bad request, saying why', async () => {
    const worker = startWorker(redis.url, '--concurrency', '1');
    await worker.waitFor(/taking jobs/);
    const { port } = redis;
    const queue = new Queue(QUEUE_NAME, { connection: { host: '127.0.0.1', port } });
    const request = { config: configOf('reference.json'), model: 'reference', invariants: [], runs: 1, depth: 1, seed: 1, rerun: 'r' };
    const other = await queue.add('simulate', { kind: 'simulate', code: 'not-this-build', run: 'test0001', index: 0, total: 1, request }, { jobId: 'test0001-0' });
    const bad = await queue.add('simulate', { kind: 'simulate', code: codeDigest(), run: 'test0002', index: 0, total: 1, request: { ...request, runs: 0 } }, { jobId: 'test0002-0' });
    const reason = async (id: string): Promise<string> => {
      for (let i = 0; i < 200; i++) {
        const job = await queue.getJob(id);
        if (job?.failedReason !== undefined) return job.failedReason;
        await new Promise((r) => setTimeout(r, 50));
      }
      return 'never failed';
    };
    expect(await reason(other.id ?? '')).toMatch(/^refused: it was sent by lsmc built from other sources \(code not-this-build; this worker's is [0-9a-f]{16}\): run the same lsmc on both sides$/);
    expect(await reason(bad.id ?? '')).toMatch(/^refused: job test0002-0: request\.runs: expected .*1/);
    await queue.obliterate({ force: true });
    await queue.close();
    worker.child.kill('SIGINT');
    expect(await worker.exited).toBe(0);
  }, 60_000);
});
