/**
 * The command line: parse, run, render, exit. Exit codes: 0 every checked invariant holds on the
 * whole bounded space; 1 a violation; 2 bad input; 3 a limit was reached (or the run was
 * interrupted) with no violation found; 4 an internal error.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Progress } from '../../checker/explore.js';
import { DEADLOCK } from '../../checker/explore.js';
import { FINGERPRINT_WIDTHS, type FingerprintBits } from '../../checker/fingerprint.js';
import { INVARIANT_NAMES } from '../../spec/invariants.js';
import { applyOverrides, InputError, loadConfigFile } from '../model/config.js';
import { checkJson } from '../report/json.js';
import { knobsJson, renderKnobs } from '../report/knobs.js';
import { styleFor } from '../report/style.js';
import { renderCheck } from '../report/text.js';
import type { CheckReport, CheckRequest } from '../check/run.js';
import { REPLAY, replayCommand } from './replay.js';
import { didYouMean } from '../model/nearest.js';
import { type CommandSpec, errorLine, helpText, parseCommand, prefix, quietOnClosedPipe, setCommand, wantsHelp } from './command.js';
import { wrap } from '../report/wrap.js';
import { rerunCommand } from './rerun.js';
import { runInWorker } from './worker-run.js';
import { positiveNumber } from './numbers.js';
import { guardTraceFile } from '../trace/file.js';
import { traceFileFor, writeCounterexample } from './trace-out.js';
import { GEN, genCommand } from './gen.js';
import { SELFTEST, selftestCommand } from './selftest.js';
import { SIMULATE, simulate } from './simulate.js';
import { REVIEW, reviewCommand } from './review.js';
import { COMPARE, compareCommand } from './compare.js';
import { WORKER, workerCommand } from './worker.js';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

const HERE = dirname(fileURLToPath(import.meta.url));
/** The package root, from dist/src/cli. */
const ROOT = resolve(HERE, '../../..');
const DEFAULT_MODEL = 'model/reference.json';

const EXITS = '0 every checked invariant holds, 1 a violation, 2 bad input, 3 a limit was reached or the run was interrupted (no violation found), 4 internal error.';

const CHECK = {
  invocation: 'lsmc check',
  summary: 'explore every reachable state within the bounds and check the invariants',
  usage: '[CONFIG] [options]',
  about:
    'Explores every reachable state of the design within the bounds of CONFIG, breadth-first, with symmetry reduction over owners, kernel contexts and readers and partial-order reduction of owners\' exits and reaps, and checks every invariant (or those named). A violation is printed as a shortest counterexample of the reduced graph (at most 2 steps per owner longer than the true shortest; --no-por gives that one): named actors, what changed at each step, the broken invariant and why.',
  positionals: [['CONFIG', `model file, ${DEFAULT_MODEL} by default`]],
  options: {
    set: { type: 'string', multiple: true, arg: 'knob=value', help: 'override a knob or bound; may repeat, a later one wins (lsmc knobs lists them)' },
    invariant: { type: 'string', multiple: true, arg: 'NAME', help: `check only NAME (may repeat): ${[...INVARIANT_NAMES, DEADLOCK].join(', ')}` },
    json: { type: 'boolean', help: 'print one JSON object on stdout' },
    'no-color': { type: 'boolean', help: 'no colour (colour is on only on a terminal, and off with a non-empty NO_COLOR)' },
    'no-symmetry': { type: 'boolean', help: 'explore without symmetry reduction (slower; the same verdicts)' },
    workers: { type: 'string', arg: 'N', help: 'explore on N worker threads (default: one per core); the same counts, verdicts and counterexamples for any N' },
    'no-por': { type: 'boolean', help: 'explore without partial-order reduction (more states; the same verdicts, and counterexamples the true shortest)' },
    'max-states': { type: 'string', arg: 'N', help: 'stop after N distinct states (exit 3 if nothing was violated); explores on one thread, so that it stops at the same state every run' },
    'max-seconds': { type: 'string', arg: 'S', help: 'stop after S seconds (exit 3 if nothing was violated)' },
    fingerprint: { type: 'string', arg: 'BITS', help: 'bits per state fingerprint: 64 (default), 96 or 128; wider keys cost 4 or 8 more bytes per state and make the collision estimate 2^32 or 2^64 times smaller' },
    continue: { type: 'boolean', help: "go on after a violation and report every invariant that breaks, each with its shortest counterexample (TLC's -continue)" },
    'trace-out': { type: 'string', arg: 'FILE', help: 'write the counterexample as ITF (checked before the run starts); with --continue, one file per broken invariant, FILE with the invariant before .itf.json' },
  },
  exits: EXITS,
  examples: ['lsmc check', 'lsmc check --set validation=none --invariant no-stale-read --trace-out stale.itf.json', 'lsmc check --set indexReuse=immediate --continue'],
} as const satisfies CommandSpec;

const KNOBS = {
  invocation: 'lsmc knobs',
  summary: 'list the design knobs, their values and the bounds',
  usage: '[--json]',
  about: '',
  positionals: [],
  options: { json: { type: 'boolean', help: 'print one JSON object on stdout' } },
  exits: '0, or 2 for bad input.',
  examples: ['lsmc knobs'],
} as const satisfies CommandSpec;

/** The commands of `lsmc`, in the order the overview lists them. */
const COMMANDS: Readonly<Record<string, CommandSpec>> = { check: CHECK, knobs: KNOBS, review: REVIEW, compare: COMPARE, simulate: SIMULATE, worker: WORKER, gen: GEN, replay: REPLAY, selftest: SELFTEST };

const VERSION = (JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

const OVERVIEW = [
  'Usage: lsmc COMMAND [options]',
  '',
  'A model checker and test generator for BPF local-storage maps mapped read-only into user space.',
  '',
  'Commands:',
  ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)}${c.summary}`),
  `  ${'help'.padEnd(10)}lsmc help COMMAND prints a command's options, exit codes and an example`,
  '',
  'Through npm: npm run soak, npm run mutants, npm run bench (each takes -- --help).',
  'Options: -h, --help this help; -V, --version the version.',
  ...wrap(`Exit codes: ${EXITS}`, 0),
  '',
  'Example:',
  '  lsmc check --set validation=none',
].join('\n');

function unknownCommand(word: string): InputError {
  return new InputError('lsmc', `command "${word}"`, `one of ${[...Object.keys(COMMANDS), 'help'].join(', ')}${didYouMean(word, Object.keys(COMMANDS))}`);
}

export function exitCodeFor(report: CheckReport): number {
  return report.result === 'ok' ? 0 : report.result === 'violation' ? 1 : 3;
}

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    process.stderr.write(`${OVERVIEW}\n`);
    return 2;
  }
  if (command === '--help' || command === '-h') {
    process.stdout.write(`${OVERVIEW}\n`);
    return 0;
  }
  if (command === '--version' || command === '-V') {
    process.stdout.write(`lsmc ${VERSION}\n`);
    return 0;
  }
  if (command === 'help') {
    if (rest.length > 1) throw new InputError('lsmc help', rest[1], 'at most one COMMAND');
    const topic = rest[0];
    if (topic === undefined) process.stdout.write(`${OVERVIEW}\n`);
    else if (COMMANDS[topic] === undefined) throw unknownCommand(topic);
    else process.stdout.write(`${helpText(COMMANDS[topic])}\n`);
    return 0;
  }
  const spec = COMMANDS[command];
  if (spec === undefined) throw unknownCommand(command);
  setCommand(command);
  if (wantsHelp(rest)) {
    process.stdout.write(`${helpText(spec)}\n`);
    return 0;
  }
  if (command === 'knobs') {
    const { values } = parseCommand(KNOBS, rest);
    process.stdout.write(values.json ? `${JSON.stringify(knobsJson(), null, 2)}\n` : `${renderKnobs()}\n`);
    return 0;
  }
  if (command === 'check') return check(rest);
  if (command === 'simulate') return simulate(rest);
  if (command === 'worker') return workerCommand(rest);
  if (command === 'replay') return replayCommand(rest);
  if (command === 'selftest') return selftestCommand(rest);
  if (command === 'review') return reviewCommand(rest, resolve(ROOT, DEFAULT_MODEL));
  if (command === 'compare') return compareCommand(rest, ROOT, resolve(ROOT, DEFAULT_MODEL));
  return genCommand(rest, ROOT);
}

async function check(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommand(CHECK, args);
  if (positionals.length > 1) throw new InputError('lsmc check', positionals[1], 'at most one CONFIG file');
  const modelPath = positionals[0] ?? resolve(ROOT, DEFAULT_MODEL);
  const sets = values.set ?? [];
  const invariants = values.invariant ?? [];
  const known = [...INVARIANT_NAMES, DEADLOCK];
  for (const name of invariants)
    if (!known.includes(name as (typeof known)[number])) throw new InputError('--invariant', name, `one of ${known.join(', ')}`);
  const maxStates = positiveNumber('--max-states', values['max-states'], true);
  const maxSeconds = positiveNumber('--max-seconds', values['max-seconds'], false);
  const continued = values.continue === true;
  const fingerprintBits = fingerprintOption(values.fingerprint);
  const traceOut = values['trace-out'];
  const checkedNames = invariants.length === 0 ? known : invariants;
  // Every file a --continue run may write is checked now, not only the first.
  if (traceOut !== undefined) for (const file of continued ? checkedNames.map((name) => traceFileFor(traceOut, name)) : [traceOut]) guardTraceFile('--trace-out', file);

  const named = loadConfigFile(modelPath);
  const config = applyOverrides(named.config, sets);
  const symmetry = !values['no-symmetry'];
  const partialOrder = !values['no-por'];
  const workers = positiveNumber('--workers', values.workers, true) ?? availableParallelism();
  const rerun = rerunCommand([
    'check',
    ...positionals.slice(0, 1),
    ...sets.flatMap((s) => ['--set', s]),
    ...invariants.flatMap((i) => ['--invariant', i]),
    ...(symmetry ? [] : ['--no-symmetry']),
    ...(partialOrder ? [] : ['--no-por']),
    ...(values.workers === undefined ? [] : ['--workers', String(workers)]),
    ...(maxStates === undefined ? [] : ['--max-states', String(maxStates)]),
    ...(maxSeconds === undefined ? [] : ['--max-seconds', String(maxSeconds)]),
    ...(continued ? ['--continue'] : []),
    ...(fingerprintBits === undefined ? [] : ['--fingerprint', String(fingerprintBits)]),
  ]);
  const request: CheckRequest = { config, model: named.name, invariants, symmetry, partialOrder, maxStates, maxSeconds, continueAfterViolation: continued, rerun, fingerprintBits, workers };

  const report = await runInWorker<CheckRequest, Progress, CheckReport>(new URL('./check-worker.js', import.meta.url), request, progressLine);
  if (values.json) process.stdout.write(`${JSON.stringify(checkJson(report))}\n`);
  else process.stdout.write(`${renderCheck(report, styleFor(process.stdout, process.env, values['no-color'] === true))}\n`);
  if (traceOut !== undefined) {
    if (!continued || report.violations.length === 0) writeCounterexample('--trace-out', traceOut, report.itf);
    else for (const v of report.violations) writeCounterexample('--trace-out', traceFileFor(traceOut, v.invariant), v.itf);
  }
  return exitCodeFor(report);
}

function fingerprintOption(text: string | undefined): FingerprintBits | undefined {
  if (text === undefined) return undefined;
  const bits = FINGERPRINT_WIDTHS.find((w) => String(w) === text);
  if (bits === undefined) throw new InputError('--fingerprint', text, `one of ${FINGERPRINT_WIDTHS.join(', ')} (bits per state fingerprint)`);
  return bits;
}

function progressLine(p: Progress): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  const rate = p.seconds > 0 ? Math.round(p.distinct / p.seconds) : 0;
  return `lsmc check: ${n(p.distinct)} distinct states, ${n(p.transitions)} transitions, depth ${p.depth}, ${n(p.queued)} queued, ${n(rate)} states/s, ${p.seconds.toFixed(0)} s`;
}

quietOnClosedPipe();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof InputError) {
      process.stderr.write(`${errorLine(prefix(), e)}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`${prefix()}: internal error: ${(e as Error).message ?? String(e)}\n`);
      process.exitCode = 4;
    }
  },
);
