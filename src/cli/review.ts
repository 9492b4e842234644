/**
 * `lsmc review [CONFIG] [--knobs k1,k2] [--product] [--set ...]`: every variant checked against every
 * property, the rows side by side on worker threads, one progress line for the whole matrix; the
 * matrix and costs on stdout (or --json), the mailing-list text in --text FILE.
 */
import { availableParallelism } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Progress } from '../../checker/explore.js';
import { DEADLOCK } from '../../checker/explore.js';
import { INVARIANT_NAMES } from '../../spec/invariants.js';
import { isKnob, KNOBS, type KnobName } from '../../spec/knobs.js';
import { checkOutputFile, samePath } from '../fs/output.js';
import { applyOverrides, InputError, loadConfigFile } from '../model/config.js';
import { didYouMean } from '../model/nearest.js';
import { type Review, reviewExitCode, rowNotRun } from '../review/matrix.js';
import type { RowRequest } from '../review/run.js';
import { reviewVariants } from '../review/variants.js';
import { reviewJson } from '../report/review-json.js';
import { HTML_MARK, reviewHtml } from '../report/review-html.js';
import { type Alternatives, measureAlternatives } from '../review/alternatives.js';
import { renderReview, reviewText, TEXT_MARK } from '../report/review-text.js';
import { styleFor } from '../report/style.js';
import { type CommandSpec, parseCommand } from './command.js';
import { positiveNumber } from './numbers.js';
import { rerunCommand } from './rerun.js';
import { runJobs } from './run-jobs.js';
import { type QueueProgress, redisOptions } from '../queue/redis.js';

export const REVIEW = {
  invocation: 'lsmc review',
  summary: 'check every variant of the design against every property: a verdict matrix with costs',
  usage: '[CONFIG] [options]',
  about:
    'Checks the configuration as given (the reference design, as a rule) and each variant of it: by default each other value of every knob, one at a time; --knobs narrows that to the named knobs; --product takes every combination of their values. Each row is one lsmc check --no-por --continue of its variant, so each cell says what lsmc check says of that variant and property: holds, broken (with its shortest counterexample\'s length; for reader-progress, a lasso\'s) or not decided. Rows run side by side on worker threads and come out in the same order every run. Each row also gives the design\'s costs at the bounds (memory, loads and syscalls per read, retries) and the spec\'s coverage goals it reached.',
  positionals: [['CONFIG', 'model file, model/reference.json by default']],
  options: {
    knobs: { type: 'string', arg: 'k1,k2', help: 'vary only these knobs (lsmc knobs lists them)' },
    product: { type: 'boolean', help: 'every combination of the named knobs\' values instead of one knob at a time (needs --knobs)' },
    set: { type: 'string', multiple: true, arg: 'knob=value', help: 'change the configuration the review starts from; may repeat' },
    jobs: { type: 'string', arg: 'N', help: 'check N variants at once, each on its own worker thread (default: one per core)' },
    queue: { type: 'string', arg: 'URL', help: 'check each variant as a job on the BullMQ queue at redis://HOST:PORT, for lsmc worker processes on any machine to take (default: worker threads here); the same matrix either way' },
    'max-states': { type: 'string', arg: 'N', help: 'stop each variant after N distinct states (its unchecked cells say so)' },
    'max-seconds': { type: 'string', arg: 'S', help: 'stop each variant after S seconds' },
    'no-symmetry': { type: 'boolean', help: 'explore without symmetry reduction (slower; the same verdicts)' },
    json: { type: 'boolean', help: 'print one JSON object on stdout: every cell, cost and counterexample (ITF)' },
    text: { type: 'string', arg: 'FILE', help: 'write the review for a mailing list: the matrix, the costs and every counterexample (a shortest one, or a liveness lasso), in 72 columns' },
    html: { type: 'string', arg: 'FILE', help: 'write one self-contained HTML page: the matrix linked to a sequence diagram of every counterexample, the costs, the coverage, and the alternatives measured on this machine\'s kernel' },
    'no-alternatives': { type: 'boolean', help: 'with --html, leave out the alternatives measured on the kernel (a bench of about 10 s that starts 1,000 processes): the section says it was left out' },
    'no-color': { type: 'boolean', help: 'no colour (colour is on only on a terminal, and off with a non-empty NO_COLOR)' },
  },
  exits: '0 the review ran to its end, 1 the configuration as given breaks a property, 2 bad input, 3 a limit or Ctrl-C left cells undecided.',
  examples: ['lsmc review', 'lsmc review --knobs validation,indexReuse --product --text review.txt --html review.html', 'lsmc review model/allocator.json --knobs zeroOnRecycle --json'],
} as const satisfies CommandSpec;

const CHECKED = [...INVARIANT_NAMES, DEADLOCK];

function knobList(text: string | undefined): KnobName[] | null {
  if (text === undefined) return null;
  const names = text.split(',').map((s) => s.trim());
  const known = Object.keys(KNOBS);
  for (const name of names) if (!isKnob(name)) throw new InputError('--knobs', name, `knob names separated by commas: ${known.join(', ')}${didYouMean(name, known)}`);
  if (new Set(names).size !== names.length) throw new InputError('--knobs', text, 'each knob once');
  return names as KnobName[];
}

/** A report file may replace only a report lsmc review wrote. */
const isOurText = (path: string): boolean => readFileSync(path, 'utf8').startsWith(`${TEXT_MARK}\n`);
const isOurHtml = (path: string): boolean => readFileSync(path, 'utf8').slice(0, 512).includes(HTML_MARK);

/** One line for the whole matrix; rows waiting with none running are waiting for a queue's worker only when there is a queue. */
function progressLine(names: readonly string[], queued: boolean): (p: QueueProgress<Progress>) => string {
  const n = (x: number): string => x.toLocaleString('en-US');
  return (p) => {
    const running = p.running.map(([i, q]) => `${names[i]}${q === null ? '' : ` ${n(q.distinct)} states`}`).join(', ');
    const idle = p.running.length === 0 && p.waiting > 0 ? `; ${p.waiting} ${queued ? 'waiting for a worker (lsmc worker --queue URL)' : 'not run'}` : '';
    return `lsmc review: ${p.done} of ${p.total} variants done${running === '' ? '' : `; ${running}`}${idle}; ${p.seconds.toFixed(0)} s`;
  };
}

export async function reviewCommand(args: readonly string[], defaultModel: string): Promise<number> {
  const { values, positionals } = parseCommand(REVIEW, args);
  if (positionals.length > 1) throw new InputError('lsmc review', positionals[1], 'at most one CONFIG file');
  const knobs = knobList(values.knobs);
  if (values.product === true && knobs === null) throw new InputError('--product', 'without --knobs', 'a list of knobs to combine (--knobs k1,k2): the product of every knob is too many variants');
  const jobs = positiveNumber('--jobs', values.jobs, true) ?? availableParallelism();
  const queue = values.queue;
  if (queue !== undefined) redisOptions('--queue', queue);
  const maxStates = positiveNumber('--max-states', values['max-states'], true);
  const maxSeconds = positiveNumber('--max-seconds', values['max-seconds'], false);
  const textOut = values.text;
  if (textOut !== undefined) checkOutputFile('--text', textOut, isOurText, 'a review lsmc wrote');
  const htmlOut = values.html;
  if (htmlOut !== undefined) checkOutputFile('--html', htmlOut, isOurHtml, 'a review lsmc wrote');
  if (values['no-alternatives'] === true && htmlOut === undefined) throw new InputError('--no-alternatives', 'without --html', '--html FILE (the alternatives are measured for the HTML report only)');
  if (htmlOut !== undefined && textOut !== undefined && samePath(htmlOut, textOut)) throw new InputError('--html', htmlOut, 'a file other than --text\'s');

  const sets = values.set ?? [];
  const named = loadConfigFile(positionals[0] ?? defaultModel);
  const base = applyOverrides(named.config, sets);
  const symmetry = values['no-symmetry'] !== true;
  const { rows: variants, left } = reviewVariants(base, knobs, values.product === true);
  const requests: RowRequest[] = variants.map((variant) => ({
    variant,
    model: named.name,
    symmetry,
    maxStates,
    maxSeconds,
    jobs,
    rerun: rerunCommand([
      'check',
      ...positionals.slice(0, 1),
      ...[...sets, ...Object.entries(variant.changes).map(([k, v]) => `${k}=${v}`)].flatMap((s) => ['--set', s]),
      ...(symmetry ? [] : ['--no-symmetry']),
      ...(maxStates === undefined ? [] : ['--max-states', String(maxStates)]),
      ...(maxSeconds === undefined ? [] : ['--max-seconds', String(maxSeconds)]),
      // A cell's length is the true shortest (rows explore unreduced); the default check's reduced graph can add an owner's exit or reap.
      '--no-por',
      '--continue',
    ]),
  }));
  const started = performance.now();
  const reports = await runJobs('review', requests, { queue, flag: '--queue', threads: jobs }, progressLine(variants.map((v) => v.name), queue !== undefined));
  const rows = reports.map((row, i) => row ?? rowNotRun(requests[i].variant, CHECKED, requests[i].rerun, 'interrupted before this variant started'));
  const config = Object.fromEntries(Object.entries({ ...base.knobs, ...base.bounds }));
  const review: Review = { model: named.name, config, checked: CHECKED, rows, left, seconds: (performance.now() - started) / 1000 };

  process.stdout.write(values.json === true ? `${JSON.stringify(reviewJson(review))}\n` : `${renderReview(review, styleFor(process.stdout, process.env, values['no-color'] === true))}\n`);
  if (textOut !== undefined) {
    writeFileSync(textOut, reviewText(review));
    process.stderr.write(`lsmc review: the review for a mailing list is in ${textOut}\n`);
  }
  if (htmlOut !== undefined) {
    const skip = values['no-alternatives'] === true;
    if (!skip) process.stderr.write('lsmc review: measuring the alternatives on this machine\'s kernel\n');
    const alternatives: Alternatives = skip ? { kind: 'unavailable', why: 'left out by --no-alternatives' } : measureAlternatives();
    if (alternatives.kind === 'unavailable' && !skip) process.stderr.write(`lsmc review: the alternatives were not measured: ${alternatives.why}\n`);
    writeFileSync(htmlOut, reviewHtml(review, alternatives));
    process.stderr.write(`lsmc review: the report is in ${htmlOut}\n`);
  }
  return reviewExitCode(review);
}
