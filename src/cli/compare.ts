/**
 * `lsmc compare [A [B]] [--a/--b knob=value]` or `lsmc compare [CONFIG] --rev R1 --rev R2`: two
 * designs, or the spec at two revisions, checked against every property; what flipped, the
 * counterexample of each property B newly breaks, what B made safe. Exit 1 when a verdict got worse.
 */
import { resolve } from 'node:path';
import type { Progress } from '../../checker/explore.js';
import { DEADLOCK } from '../../checker/explore.js';
import { INVARIANT_NAMES } from '../../spec/invariants.js';
import { applyOverrides, InputError, loadConfigFile } from '../model/config.js';
import { compareSides, type Comparison, newlyBroken, type Side } from '../review/compare.js';
import { type Row, rowNotRun } from '../review/matrix.js';
import { buildRevision, cellsOfCheckJson, removeRevision, resolveRevision, type Revision, runRevision } from '../review/revision.js';
import type { RowRequest } from '../review/run.js';
import { compareJson, type Shown, renderComparison } from '../report/compare-text.js';
import { renderViolation, traceLength } from '../report/text.js';
import { styleFor } from '../report/style.js';
import { type CommandSpec, parseCommand } from './command.js';
import { positiveNumber } from './numbers.js';
import { rerunCommand } from './rerun.js';
import { runPool, runWithProgress } from './worker-run.js';

export const COMPARE = {
  invocation: 'lsmc compare',
  summary: 'two designs, or the spec at two git revisions: which verdicts flipped, and why',
  usage: '[A [B]] [options] | [CONFIG] --rev R1 --rev R2 [options]',
  about:
    'Checks every property of A and of B and shows the verdicts that differ: for each property B newly breaks, its shortest counterexample; the properties B makes safe; the shortest counterexamples that got shorter or longer (a liveness property\'s lasso is the first one found, not a least one, so its length is not compared). A and B are model files (the reference configuration by default; B is A when left out), changed by --set (both), --a and --b (one side each). With --rev, the two sides are the spec at two git revisions of this repository, each checked out in a temporary worktree, built and run with its own command line on CONFIG, so that a patch to the spec is reviewed by what it changes.',
  positionals: [
    ['A', 'the first model file (model/reference.json by default)'],
    ['B', 'the second model file (A by default)'],
  ],
  options: {
    a: { type: 'string', multiple: true, arg: 'knob=value', help: 'change side A only; may repeat' },
    b: { type: 'string', multiple: true, arg: 'knob=value', help: 'change side B only; may repeat' },
    set: { type: 'string', multiple: true, arg: 'knob=value', help: 'change both sides; may repeat' },
    rev: { type: 'string', multiple: true, arg: 'R', help: 'a git revision of this repository (give two: the first is A); the sides are the spec at R1 and at R2' },
    'max-states': { type: 'string', arg: 'N', help: 'stop each side after N distinct states' },
    'max-seconds': { type: 'string', arg: 'S', help: 'stop each side after S seconds' },
    json: { type: 'boolean', help: 'print one JSON object on stdout' },
    'no-color': { type: 'boolean', help: 'no colour (colour is on only on a terminal, and off with a non-empty NO_COLOR)' },
  },
  exits: '0 no verdict got worse from A to B, 1 a verdict got worse (a property that held is broken or undecided, or one undecided is broken; a property B no longer checks, or adds broken), 2 bad input, 3 interrupted (Ctrl-C) before both sides were checked.',
  examples: ['lsmc compare --b validation=none', 'lsmc compare model/hazard-12-create-race.json --b createRace=unlocked --json', 'lsmc compare model/hazard-12-create-race.json --rev main~1 --rev main'],
} as const satisfies CommandSpec;

const CHECKED = [...INVARIANT_NAMES, DEADLOCK];

interface Options {
  readonly maxStates: number | undefined;
  readonly maxSeconds: number | undefined;
}

const limitArgs = (o: Options): string[] => [
  ...(o.maxStates === undefined ? [] : ['--max-states', String(o.maxStates)]),
  ...(o.maxSeconds === undefined ? [] : ['--max-seconds', String(o.maxSeconds)]),
];

function label(file: string | undefined, changes: readonly string[]): string {
  const name = file ?? 'reference';
  return changes.length === 0 ? name : `${name} ${changes.join(' ')}`;
}

/** Two configurations, checked side by side on two worker threads. */
async function compareConfigs(files: readonly string[], values: { a?: string[]; b?: string[]; set?: string[] }, options: Options, defaultModel: string): Promise<{ comparison: Comparison; shown: Shown[]; interrupted: boolean }> {
  const set = values.set ?? [];
  const sides = [
    { file: files[0], changes: [...set, ...(values.a ?? [])], flags: [...set.map(() => '--set'), ...(values.a ?? []).map(() => '--a')] },
    { file: files[1] ?? files[0], changes: [...set, ...(values.b ?? [])], flags: [...set.map(() => '--set'), ...(values.b ?? []).map(() => '--b')] },
  ];
  // One lsmc check per side, unreduced so that its lengths are the true shortest; --continue or --invariant is added to it.
  const checkArgs = sides.map((side) => ['check', ...(side.file === undefined ? [] : [side.file]), ...side.changes.flatMap((s) => ['--set', s]), ...limitArgs(options), '--no-por']);
  const requests: RowRequest[] = sides.map((side, i) => {
    const named = loadConfigFile(side.file ?? defaultModel);
    const config = applyOverrides(named.config, side.changes, undefined, side.flags);
    return { variant: { name: label(side.file, side.changes), changes: {}, config }, model: named.name, symmetry: true, maxStates: options.maxStates, maxSeconds: options.maxSeconds, jobs: 2, rerun: rerunCommand([...checkArgs[i], '--continue']) };
  });
  let interrupted = false;
  const rows = await runPool<RowRequest, Progress, Row>(
    new URL('../review/worker.js', import.meta.url),
    requests,
    2,
    (r) => {
      interrupted = true;
      return rowNotRun(r.variant, CHECKED, r.rerun, 'interrupted before it started');
    },
    (p) => p.running.length === 0 ? `lsmc compare: both sides checked; ${p.seconds.toFixed(0)} s` : `lsmc compare: ${p.running.map(([i, q]) => `${i === 0 ? 'A' : 'B'} ${q === null ? 'starting' : `${q.distinct.toLocaleString('en-US')} states`}`).join(', ')}; ${p.seconds.toFixed(0)} s`,
  );
  const [a, b] = rows.map((row): Side => ({ label: row.variant, cells: row.cells, states: row.states }));
  const comparison = compareSides(a, b);
  const shown = newlyBroken(comparison).flatMap((invariant) => {
    const v = rows[1].counterexamples.find((x) => x.invariant === invariant);
    const rerun = rerunCommand([...checkArgs[1], '--invariant', invariant]);
    const how = v === undefined ? '' : v.trace.loop !== undefined ? traceLength(v.trace) : `${traceLength(v.trace)}, a shortest one`;
    return v === undefined ? [] : [{ invariant, steps: v.trace.states.length - 1, explanation: v.explanation, lines: renderViolation(v.invariant, v.explanation, how, v.trace), itf: v.itf, rerun }];
  });
  const cut = rows.some((row) => Object.values(row.cells).some((c) => c.verdict === 'undecided' && c.why === 'interrupted'));
  return { comparison, shown, interrupted: interrupted || cut };
}

/** The spec at two revisions: each built in a worktree and asked through its own command line. */
async function compareRevisions(root: string, revs: readonly string[], config: string, sets: readonly string[], options: Options): Promise<{ comparison: Comparison; shown: Shown[]; interrupted: boolean }> {
  const commits = revs.map((rev) => resolveRevision(root, rev));
  const built: Revision[] = [];
  const cleanup = (): void => {
    for (const r of built.splice(0)) removeRevision(root, r);
  };
  process.on('exit', cleanup);
  try {
    return await runWithProgress<string, { comparison: Comparison; shown: Shown[]; interrupted: boolean }>(
      async (stop, onProgress) => {
        const stopped = (): boolean => Atomics.load(new Int32Array(stop), 0) !== 0;
        revs.forEach((rev, i) => {
          onProgress(`lsmc compare: building ${rev} (${commits[i].slice(0, 12)}) in a temporary worktree`);
          built.push(buildRevision(root, rev, commits[i]));
        });
        // The true shortest counterexamples on both sides, so that a length that changed is the spec's doing, not a reduction's:
        // a revision with partial-order reduction is asked without it; one from before it had none.
        const helps = await Promise.all(built.map(async (r) => (await runRevision(r, ['check', '--help'], stopped)).stdout));
        helps.forEach((help, i) => {
          // Each side is read from its check's --continue --json: a revision from before those cannot be compared.
          if (!help.includes('--continue') || !help.includes('--json')) throw new InputError('--rev', revs[i], 'a revision whose lsmc check has --continue and --json (this one is older than lsmc compare can read)');
        });
        const unreduced = helps.map((help) => (help.includes('--no-por') ? ['--no-por'] : []));
        const argsOf = unreduced.map((flags) => ['check', config, ...sets.flatMap((s) => ['--set', s]), ...limitArgs(options), ...flags]);
        onProgress(`lsmc compare: checking ${revs.join(' and ')}`);
        const runs = await Promise.all(built.map((r, i) => runRevision(r, [...argsOf[i], '--continue', '--json'], stopped)));
        runs.forEach((run, i) => {
          if (run.code === 2 || run.code === 4) throw new InputError('--rev', revs[i], `a revision whose lsmc check runs on ${config} (it said: ${run.stderr.trim().split('\n')[0] ?? ''})`);
        });
        const parsed = runs.map((run, i) => cellsOfCheckJson(built[i], run.stdout));
        const [a, b] = parsed.map(({ cells, states }, i): Side => ({ label: `${revs[i]} (${commits[i].slice(0, 12)})`, cells, states }));
        const comparison = compareSides(a, b);
        const shown: Shown[] = [];
        for (const invariant of newlyBroken(comparison)) {
          onProgress(`lsmc compare: the counterexample of ${invariant} at ${revs[1]}`);
          const text = await runRevision(built[1], [...argsOf[1], '--invariant', invariant], stopped);
          const cell = b.cells[invariant];
          const explanation = parsed[1].explanations[invariant] ?? '';
          const lines = text.stdout.split('\n');
          const end = lines.findIndex((l) => /^\s+\d[\d,]* distinct states/.test(l));
          shown.push({ invariant, steps: cell.verdict === 'broken' ? cell.steps : 0, explanation, lines: lines.slice(0, end < 0 ? lines.length : end).filter((l, i, all) => i < all.length - 1 || l !== ''), itf: null, rerun: `at ${revs[1]}: ${rerunCommand([...argsOf[1], '--invariant', invariant])}` });
        }
        return { comparison, shown, interrupted: stopped() };
      },
      (line) => line,
    );
  } finally {
    cleanup();
    process.off('exit', cleanup);
  }
}

export async function compareCommand(args: readonly string[], root: string, defaultModel: string): Promise<number> {
  const { values, positionals } = parseCommand(COMPARE, args);
  const options: Options = { maxStates: positiveNumber('--max-states', values['max-states'], true), maxSeconds: positiveNumber('--max-seconds', values['max-seconds'], false) };
  const revs = values.rev ?? [];
  let result: { comparison: Comparison; shown: Shown[]; interrupted: boolean };
  if (revs.length > 0) {
    if (revs.length !== 2) throw new InputError('--rev', revs.join(' '), 'two revisions, --rev R1 --rev R2');
    if (positionals.length > 1) throw new InputError('lsmc compare', positionals[1], 'at most one CONFIG with --rev (both revisions check it)');
    if ((values.a ?? []).length + (values.b ?? []).length > 0) throw new InputError(values.a !== undefined ? '--a' : '--b', 'with --rev', 'no --a or --b: with --rev both sides check the same configuration (use --set)');
    // Both revisions check the same file, the user's, whatever each revision's own model/ holds.
    const config = resolve(positionals[0] ?? defaultModel);
    // A bad --set is the user's, said before two revisions are built (each would refuse it as its own failure).
    applyOverrides(loadConfigFile(config).config, values.set ?? []);
    result = await compareRevisions(root, revs, config, values.set ?? [], options);
  } else {
    if (positionals.length > 2) throw new InputError('lsmc compare', positionals[2], 'at most two model files, A and B');
    result = await compareConfigs(positionals, values, options, defaultModel);
  }
  const { comparison, shown } = result;
  process.stdout.write(values.json === true ? `${JSON.stringify(compareJson(comparison, shown))}\n` : `${renderComparison(comparison, shown, styleFor(process.stdout, process.env, values['no-color'] === true))}\n`);
  // An interrupted side has verdicts it did not finish: that is no verdict that got worse.
  return result.interrupted ? 3 : comparison.worse ? 1 : 0;
}
