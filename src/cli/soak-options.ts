/** The soak's command line, parsed and checked: every problem is an InputError naming the flag. */
import { type CommandSpec, parseCommand } from './command.js';
import { type NumberRule, numberIn } from './numbers.js';
import { InputError } from '../model/config.js';
import { MAX_THREADS } from '../soak/setup.js';

export interface SoakOptions {
  /** The model file as given, or undefined for the default. */
  readonly model: string | undefined;
  readonly sets: readonly string[];
  readonly seconds: number;
  readonly writers: number;
  readonly readers: number;
  readonly pauseUs: number;
  readonly json: boolean;
  /** reference (threads over shared memory) or kernel (the prototype on this machine's kernel). */
  readonly adapter: 'reference' | 'kernel';
}

export const DEFAULTS = { seconds: 60, writers: 2, readers: 2, pauseUs: 5 } as const;
/** One update in this many pauses between its steps when --pause-us is above 0. */
export const PAUSE_ONE_IN = 16;
const MAX_PAUSE_US = 100_000;

export const SOAK = {
  invocation: 'npm run soak --',
  summary: 'the reference implementation under real concurrency, with every accepted read judged',
  usage: '[CONFIG] [options]',
  about:
    'Runs the reference implementation under real concurrency: writer threads (kernel contexts) churn owners (spawn, create, update, delete or exit/reap/free, grace periods, recycle) while reader threads look owners up, read through their cached indexes and scan the map; every accepted read is judged for no-foreign-read, no-torn-read and linearizable-read, and every fault breaks no-fault.',
  positionals: [['CONFIG', 'model file whose knobs are used, model/reference.json by default (the soak chooses its own bounds: 16 owner records, 4 slots per page, 8 pages)']],
  options: {
    seconds: { type: 'string', arg: 'S', help: `how long to run (default ${DEFAULTS.seconds}); Ctrl-C stops early with a partial report` },
    writers: { type: 'string', arg: 'N', help: `writer threads, 1 to ${MAX_THREADS} (default ${DEFAULTS.writers})` },
    readers: { type: 'string', arg: 'N', help: `reader threads, 1 to ${MAX_THREADS} (default ${DEFAULTS.readers})` },
    set: { type: 'string', multiple: true, arg: 'knob=value', help: 'a knob, or a bound the soak uses (owners, pidNumbers, slotsPerPage, maxPages, readRetries); may repeat, a later one wins' },
    'pause-us': { type: 'string', arg: 'U', help: `one update in ${PAUSE_ONE_IN} sleeps U microseconds after each step, widening the windows between steps (default ${DEFAULTS.pauseUs}; 0 never sleeps)` },
    json: { type: 'boolean', help: 'print one JSON object on stdout' },
    adapter: { type: 'string', arg: 'NAME', help: 'reference (default), or kernel: the kernel prototype, with real processes churning and the BPF hooks running the step functions whole (--writers and --pause-us do not apply)' },
  },
  exits: '0 no violation, 1 a violation, 2 bad input, 3 interrupted (Ctrl-C) with no violation found.',
  examples: ['npm run soak -- --seconds 10 --set validation=none', 'npm run soak -- --adapter kernel --seconds 60 --set indexReuse=immediate'],
} as const satisfies CommandSpec;

const number = (flag: string, text: string | undefined, fallback: number, rule: NumberRule): number => numberIn(flag, text, rule) ?? fallback;

function adapterOf(text: string | undefined): 'reference' | 'kernel' {
  if (text === undefined || text === 'reference') return 'reference';
  if (text === 'kernel') return 'kernel';
  throw new InputError('--adapter', text, 'reference or kernel');
}

export function parseSoakArgs(args: readonly string[]): SoakOptions {
  const { values, positionals } = parseCommand(SOAK, args);
  if (positionals.length > 1) throw new InputError('command line', positionals[1], 'at most one CONFIG file');
  const threads = (flag: string, text: string | undefined, fallback: number): number =>
    number(flag, text, fallback, { integer: true, min: 1, max: MAX_THREADS, expected: `an integer from 1 to ${MAX_THREADS}` });
  const seconds = number('--seconds', values.seconds, DEFAULTS.seconds, { integer: false, min: Number.MIN_VALUE, max: 7 * 24 * 3600, expected: 'a positive number of seconds' });
  return {
    model: positionals[0],
    sets: values.set ?? [],
    seconds,
    writers: threads('--writers', values.writers, DEFAULTS.writers),
    readers: threads('--readers', values.readers, DEFAULTS.readers),
    pauseUs: number('--pause-us', values['pause-us'], DEFAULTS.pauseUs, { integer: true, min: 0, max: MAX_PAUSE_US, expected: `an integer from 0 to ${MAX_PAUSE_US} (microseconds)` }),
    json: values.json === true,
    adapter: adapterOf(values.adapter),
  };
}
