/**
 * Simulation through the job queue (issue 14): the same walks (reference configuration, one seed,
 * eight shards) run as one simulation on one thread, as shards on worker threads here, and as
 * shards on BullMQ through a real redis-server with two `lsmc worker` processes, as a user runs
 * each. The three merged reports must agree; the steps per second are over each run's wall time.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRedis } from './redis.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const LSMC = resolve(ROOT, 'bin/lsmc.js');
export const QUEUE_WALKS = ['simulate', 'model/reference.json', '--runs', '800000', '--depth', '1000', '--seed', '1'] as const;
export const QUEUE_SHARDS = 8;

export interface QueueRow {
  readonly how: 'one thread' | 'threads here' | 'redis, 2 workers';
  readonly shards: number;
  readonly walks: number;
  readonly steps: number;
  readonly seconds: number;
  readonly stepsPerSecond: number;
}

export interface QueueFigures {
  readonly command: string;
  readonly rows: readonly QueueRow[];
}

function simulate(args: readonly string[]): Promise<{ runs: number; steps: number; seconds: number; result: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [LSMC, ...args, '--json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`bench: lsmc ${args.join(' ')} exited ${code}`));
      resolveRun(JSON.parse(out) as { runs: number; steps: number; seconds: number; result: string });
    });
  });
}

function worker(url: string): { child: ChildProcess; ready: Promise<void> } {
  const child = spawn(process.execPath, [LSMC, 'worker', '--queue', url, '--concurrency', '1'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  const ready = new Promise<void>((resolveReady, reject) => {
    let log = '';
    child.stderr?.on('data', (d: Buffer) => {
      log += d.toString();
      if (log.includes('taking jobs')) resolveReady();
    });
    child.on('exit', (code) => reject(new Error(`bench: lsmc worker exited ${code}: ${log}`)));
  });
  return { child, ready };
}

export async function measureQueue(log: (line: string) => void): Promise<QueueFigures> {
  const rows: QueueRow[] = [];
  const record = (how: QueueRow['how'], shards: number, r: { runs: number; steps: number; seconds: number }): void => {
    const row = { how, shards, walks: r.runs, steps: r.steps, seconds: r.seconds, stepsPerSecond: Math.round(r.steps / r.seconds) };
    rows.push(row);
    log(`  ${how.padEnd(17)} ${String(shards).padStart(2)} shard(s)  ${row.steps.toLocaleString('en-US').padStart(11)} steps  ${row.seconds.toFixed(1).padStart(5)} s  ${row.stepsPerSecond.toLocaleString('en-US').padStart(9)} steps/s`);
  };
  log(`queue: lsmc ${QUEUE_WALKS.join(' ')}:`);
  record('one thread', 1, await simulate(QUEUE_WALKS));
  const sharded = [...QUEUE_WALKS, '--shards', String(QUEUE_SHARDS)];
  const here = await simulate(sharded);
  record('threads here', QUEUE_SHARDS, here);
  const redis = await startRedis();
  const workers = [worker(redis.url), worker(redis.url)];
  try {
    await Promise.all(workers.map((w) => w.ready));
    const there = await simulate([...sharded, '--queue', redis.url]);
    if (there.runs !== here.runs || there.steps !== here.steps || there.result !== here.result) throw new Error('bench: the shards through Redis gave another result than the shards here');
    record('redis, 2 workers', QUEUE_SHARDS, there);
  } finally {
    for (const w of workers) {
      w.child.removeAllListeners('exit');
      w.child.kill('SIGINT');
    }
    await Promise.all(workers.map((w) => new Promise((r) => (w.child.exitCode !== null ? r(null) : w.child.once('exit', r)))));
    await redis.stop();
  }
  return { command: `lsmc ${QUEUE_WALKS.join(' ')}`, rows };
}
