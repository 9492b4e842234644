/**
 * `lsmc worker --queue URL`: runs the jobs that `lsmc simulate --queue` and `lsmc review --queue`
 * put on the queue, until Ctrl-C or SIGTERM; then hands the jobs under way back to the queue for
 * another worker and exits 0.
 */
import { availableParallelism } from 'node:os';
import { InputError } from '../model/config.js';
import { redisOptions, serveQueue } from '../queue/redis.js';
import { type CommandSpec, parseCommand } from './command.js';
import { positiveNumber } from './numbers.js';

const DEFAULT_STALL_SECONDS = 30;

export const WORKER = {
  invocation: 'lsmc worker',
  summary: 'run simulation shards and review variants from a Redis queue, on any machine',
  usage: '--queue URL [options]',
  about:
    'Takes jobs from the BullMQ queue at URL (put there by lsmc simulate --queue and lsmc review --queue from any machine), runs each on a worker thread and sends its report back, until Ctrl-C or SIGTERM. Run as many as you like, on as many machines; the report of each job counts once, wherever it ran. A worker that is killed loses nothing: its jobs go back to the queue when their locks lapse (--stall-seconds) and another worker runs them from the start. The worker must be the same build of lsmc as the client (it refuses jobs from another).',
  positionals: [],
  options: {
    queue: { type: 'string', arg: 'URL', help: 'the Redis server: redis://HOST:PORT (or rediss://, with an optional USER:PASSWORD@ and /DB)' },
    concurrency: { type: 'string', arg: 'N', help: 'jobs at once, each on its own thread (default: one per core)' },
    'stall-seconds': { type: 'string', arg: 'S', help: `how long a job's lock outlives a worker that stopped renewing it: a killed worker's jobs go to another after about S to 2S seconds (default ${DEFAULT_STALL_SECONDS})` },
  },
  exits: '0 stopped by Ctrl-C or SIGTERM, its jobs under way handed back; 2 bad input, or no Redis at URL.',
  examples: ['lsmc worker --queue redis://10.0.0.5:6379'],
} as const satisfies CommandSpec;

export async function workerCommand(args: readonly string[]): Promise<number> {
  const { values } = parseCommand(WORKER, args);
  const queue = values.queue;
  if (queue === undefined) throw new InputError('lsmc worker', '--queue', 'a queue to take jobs from: --queue redis://HOST:PORT');
  redisOptions('--queue', queue);
  const concurrency = positiveNumber('--concurrency', values.concurrency, true) ?? availableParallelism();
  const stallSeconds = positiveNumber('--stall-seconds', values['stall-seconds'], false) ?? DEFAULT_STALL_SECONDS;
  const log = (line: string): void => void process.stderr.write(`lsmc worker ${process.pid}: ${line}\n`);
  const stopped = new Promise<void>((resolvePromise) => {
    const onSignal = (): void => {
      log('stopping: handing the jobs under way back to the queue');
      resolvePromise();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  const { jobs } = await serveQueue('--queue', queue, { concurrency, stallSeconds, log }, stopped);
  log(`stopped after ${jobs} jobs`);
  return 0;
}
