/**
 * The command line: parse, run, render, exit. Exit codes: 0 every checked invariant holds on the
 * whole bounded space; 1 a violation; 2 bad input; 3 a limit was reached (or the run was
 * interrupted) with no violation found; 4 an internal error.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Progress } from '../../checker/explore.js';
import { DEADLOCK } from '../../checker/explore.js';
import { INVARIANT_NAMES } from '../../spec/invariants.js';
import { applyOverrides, InputError, loadConfigFile } from '../model/config.js';
import { checkJson } from '../report/json.js';
import { knobsJson, renderKnobs } from '../report/knobs.js';
import { renderCheck } from '../report/text.js';
import type { CheckReport, CheckRequest } from '../check/run.js';
import { REPLAY_USAGE, replayCommand } from './replay.js';
import { parseCommandLine } from './args.js';
import { runInWorker } from './worker-run.js';
import { guardTraceFile, writeTraceFile } from '../trace/file.js';
import { GEN_USAGE, genCommand } from './gen.js';

const HERE = dirname(fileURLToPath(import.meta.url));
/** The package root, from dist/src/cli. */
const ROOT = resolve(HERE, '../../..');
const DEFAULT_MODEL = 'model/reference.json';

const USAGE = `Usage:
  lsmc check [CONFIG] [--set knob=value ...] [--invariant NAME ...] [--json] [--no-symmetry]
             [--max-states N] [--max-seconds S] [--trace-out FILE]
  lsmc knobs [--json]
  lsmc simulate [CONFIG] [--set knob=value ...] [--runs N] [--depth D] [--seed S] [--json] [--out FILE]
${GEN_USAGE}
${REPLAY_USAGE}

CONFIG defaults to ${DEFAULT_MODEL}. Exit codes: 0 ok, 1 violation, 2 bad input, 3 limit reached, 4 internal error.`;

export function exitCodeFor(report: CheckReport): number {
  return report.result === 'ok' ? 0 : report.result === 'violation' ? 1 : 3;
}

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  if (command === 'knobs') {
    const { values } = parseCommandLine('lsmc knobs', rest, { json: { type: 'boolean' } }, false);
    process.stdout.write(values.json ? `${JSON.stringify(knobsJson(), null, 2)}\n` : `${renderKnobs()}\n`);
    return 0;
  }
  if (command === 'check') return check(rest);
  if (command === 'simulate') return (await import('./simulate.js')).simulate(rest);
  if (command === 'replay') return replayCommand(rest);
  if (command === 'gen') return genCommand(rest, ROOT);
  throw new InputError('lsmc', command, 'a command: check, replay, gen, simulate or knobs (see lsmc --help)');
}

function positiveNumber(flag: string, text: string | undefined, integer: boolean): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  const ok = /^[0-9]+(\.[0-9]+)?$/.test(text) && n > 0 && (!integer || Number.isInteger(n));
  if (!ok) throw new InputError(flag, text, integer ? 'a positive integer' : 'a positive number of seconds');
  return n;
}

async function check(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(
    'lsmc check',
    args,
    {
      set: { type: 'string', multiple: true },
      invariant: { type: 'string', multiple: true },
      json: { type: 'boolean' },
      'no-symmetry': { type: 'boolean' },
      'max-states': { type: 'string' },
      'max-seconds': { type: 'string' },
      'trace-out': { type: 'string' },
      help: { type: 'boolean' },
    },
    true,
  );
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length > 1) throw new InputError('lsmc check', positionals[1], 'at most one CONFIG file');
  const modelArg = positionals[0] ?? DEFAULT_MODEL;
  const modelPath = positionals[0] ?? resolve(ROOT, DEFAULT_MODEL);
  const sets = values.set ?? [];
  const invariants = values.invariant ?? [];
  const known = [...INVARIANT_NAMES, DEADLOCK];
  for (const name of invariants)
    if (!known.includes(name as (typeof known)[number])) throw new InputError('--invariant', name, `one of ${known.join(', ')}`);
  const maxStates = positiveNumber('--max-states', values['max-states'], true);
  const maxSeconds = positiveNumber('--max-seconds', values['max-seconds'], false);
  const traceOut = values['trace-out'];
  if (traceOut !== undefined) guardTraceFile('--trace-out', traceOut);

  const named = loadConfigFile(modelPath);
  const config = applyOverrides(named.config, sets);
  const symmetry = !values['no-symmetry'];
  const rerun = [
    'lsmc check',
    modelArg,
    ...sets.map((s) => `--set ${s}`),
    ...invariants.map((i) => `--invariant ${i}`),
    ...(symmetry ? [] : ['--no-symmetry']),
    ...(maxStates === undefined ? [] : [`--max-states ${maxStates}`]),
    ...(maxSeconds === undefined ? [] : [`--max-seconds ${maxSeconds}`]),
  ].join(' ');
  const request: CheckRequest = { config, model: named.name, invariants, symmetry, maxStates, maxSeconds, rerun };

  const report = await runInWorker<CheckRequest, Progress, CheckReport>(new URL('./check-worker.js', import.meta.url), request, progressLine);
  if (values.json) process.stdout.write(`${JSON.stringify(checkJson(report))}\n`);
  else process.stdout.write(`${renderCheck(report)}\n`);
  if (traceOut !== undefined) {
    if (report.itf !== null) {
      writeTraceFile(traceOut, report.itf);
      process.stderr.write(`lsmc: counterexample written to ${traceOut} (ITF)\n`);
    } else {
      process.stderr.write(`lsmc: no counterexample, nothing written to ${traceOut}\n`);
    }
  }
  return exitCodeFor(report);
}

function progressLine(p: Progress): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  const rate = p.seconds > 0 ? Math.round(p.distinct / p.seconds) : 0;
  return `lsmc: ${n(p.distinct)} distinct states, ${n(p.transitions)} transitions, depth ${p.depth}, ${n(p.queued)} queued, ${n(rate)} states/s, ${p.seconds.toFixed(0)} s`;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    if (e instanceof InputError) {
      process.stderr.write(`lsmc: ${e.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`lsmc: internal error: ${(e as Error).message ?? String(e)}\n`);
      process.exitCode = 4;
    }
  },
);
