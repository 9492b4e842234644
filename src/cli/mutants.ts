/**
 * `npm run mutants [-- --json] [--budget S] [--seed N] [--only ID] [--mutations FILE] [--soak S]`:
 * scores the generated suite, the fast-check baselines and optionally a soak against mutants of the
 * reference implementation (src/mutants/score.ts), the project's own and the held-out ones apart.
 */
import { InputError } from '../model/config.js';
import type { ChildResult } from '../mutants/child.js';
import { type MutantSet, runMutants, type Score } from '../mutants/score.js';
import { type CommandSpec, errorLine, helpText, parseCommand, quietOnClosedPipe, wantsHelp } from './command.js';
import { integerIn, numberIn, positiveNumber } from './numbers.js';

const mark = (r: ChildResult | null): string => (r === null ? '-' : r.killed ? 'killed' : 'SURVIVED');
const killed = (scores: readonly Score[], f: (s: Score) => ChildResult | null): number => scores.filter((s) => f(s)?.killed === true).length;

interface Totals {
  readonly budgetMs: number;
  readonly seed: number;
  readonly soakSeconds: number | null;
  readonly control: { readonly replaySeconds: number; readonly steps: number; readonly files: number; readonly bytes: number };
}

function renderSet(set: MutantSet, t: Totals): string[] {
  const soak = t.soakSeconds !== null;
  const w = Math.max(6, ...set.scores.map((s) => s.id.length));
  const lines = [set.name, `  ${'mutant'.padEnd(w)} ${'suite'.padEnd(8)} ${'fc'.padEnd(8)} ${'fc swarm'.padEnd(8)} ${soak ? `${'soak'.padEnd(8)} ` : ''}where the suite caught it`];
  for (const s of set.scores)
    lines.push(`  ${s.id.padEnd(w)} ${mark(s.suite).padEnd(8)} ${mark(s.baseline).padEnd(8)} ${mark(s.swarm).padEnd(8)} ${soak ? `${mark(s.soak).padEnd(8)} ` : ''}${s.suite.by ?? (s.soak?.killed === true ? `(soak) ${s.soak.by ?? ''}` : '')}`);
  const n = set.scores.length;
  lines.push(
    `  killed of ${n}: generated suite ${killed(set.scores, (s) => s.suite)}, fast-check fc.commands ${killed(set.scores, (s) => s.baseline)}, fc.commands with swarm weights ${killed(set.scores, (s) => s.swarm)}${soak ? `, soak ${killed(set.scores, (s) => s.soak)}, suite or soak ${set.scores.filter((s) => s.suite.killed || s.soak?.killed === true).length}` : ''}`,
  );
  return lines;
}

function render(sets: readonly MutantSet[], t: Totals): string {
  const lines: string[] = [];
  for (const set of sets) lines.push(...renderSet(set, t), '');
  const c = t.control;
  lines.push(`generated suite: ${c.files.toLocaleString('en-US')} traces, ${c.steps.toLocaleString('en-US')} steps, ${(c.bytes / 1e6).toFixed(2)} MB on disk, replayed in ${c.replaySeconds.toFixed(2)} s per mutant`);
  lines.push(`fast-check baselines: ${(t.budgetMs / 1000).toFixed(2)} s of random interleavings per mutant each (the suite's replay time), seed ${t.seed}`);
  if (t.soakSeconds !== null) lines.push(`soak: ${t.soakSeconds} s per mutant of model/reference.json's knobs, 2 writer and 2 reader threads`);
  return lines.join('\n');
}

const MUTANTS = {
  invocation: 'npm run mutants --',
  summary: 'score the generated suite and fast-check baselines against mutants of the reference implementation',
  usage: '[options]',
  about:
    "Applies each mutation of src/mutants/list.ts and then of the held-out files test/fixtures/held-out-mutants.json and held-out-2-mutants.json (each written before a round of the generator's changes, and never used to tune them), or of --mutations FILE only, to the reference implementation, and runs against each mutant, in a child process: the generated suite (every committed trace; the first divergence kills), a fast-check fc.commands baseline and the same with swarm weights as lsmc simulate draws them, each given the suite's replay time, and with --soak a soak. A mutant that hangs or crashes counts as killed. docs/commands.md, section npm run mutants, says more.",
  positionals: [],
  options: {
    json: { type: 'boolean', help: 'print one JSON object on stdout' },
    budget: { type: 'string', arg: 'S', help: 'seconds of random interleavings per mutant for each baseline (default: the time a full replay of the suite takes)' },
    seed: { type: 'string', arg: 'N', help: "the baselines' seed, an integer (default 1)" },
    only: { type: 'string', arg: 'ID', help: 'score only the mutants whose id starts with ID' },
    mutations: { type: 'string', arg: 'FILE', help: 'score the mutations of FILE only ({ "mutants": [ { "id", "about", "file", "edits": [ { "find", "replace" } ] } ] })' },
    soak: { type: 'string', arg: 'S', help: 'also soak each mutant for S seconds (real threads: slips that no trace can show)' },
  },
  exits: '0 the suite (or, with --soak, the suite or the soak) kills every mutant, 1 a mutant survives, 2 bad input, 4 the unmutated implementation fails.',
  examples: ['npm run mutants', 'npm run mutants -- --mutations test/fixtures/concurrency-mutants.json --soak 5'],
} as const satisfies CommandSpec;

function main(): number {
  const args = process.argv.slice(2);
  if (wantsHelp(args)) {
    process.stdout.write(`${helpText(MUTANTS)}\n`);
    return 0;
  }
  const { values } = parseCommand(MUTANTS, args);
  // fast-check takes 32-bit seeds; non-negative ones read the same everywhere, as lsmc simulate's.
  const seed = integerIn('--seed', values.seed, 0, 0x7fffffff) ?? 1;
  const budgetSeconds = positiveNumber('--budget', values.budget, false);
  const soakSeconds = numberIn('--soak', values.soak, { integer: true, min: 1, max: Number.MAX_SAFE_INTEGER, expected: 'a positive whole number of seconds' });
  const report = runMutants(
    { mutations: values.mutations, only: values.only, budgetSeconds, seed, soakSeconds },
    (m) => process.stderr.write(`mutants: ${m.id}: suite ${mark(m.suite)}, fc ${mark(m.baseline)}, fc swarm ${mark(m.swarm)}${m.soak === null ? '' : `, soak ${mark(m.soak)}`}\n`),
    () => process.stderr.write('mutants: control run on the unmutated implementation\n'),
  );
  if (report.kind === 'control-failed') {
    process.stderr.write(`mutants: the unmutated implementation fails: ${report.why}\n`);
    return 4;
  }
  const all = report.sets.flatMap((set) => set.scores);
  if (values.json) {
    const count = (scores: readonly Score[]) => ({
      mutants: scores.length,
      suite: killed(scores, (s) => s.suite),
      baseline: killed(scores, (s) => s.baseline),
      swarm: killed(scores, (s) => s.swarm),
      soak: report.soakSeconds === null ? null : killed(scores, (s) => s.soak),
    });
    process.stdout.write(
      `${JSON.stringify({
        suite: report.control,
        budgetSeconds: report.budgetMs / 1000,
        seed,
        soakSeconds: report.soakSeconds,
        sets: report.sets.map((set) => ({ name: set.name, file: set.file, killed: count(set.scores), scores: set.scores })),
      })}\n`,
    );
  } else {
    process.stdout.write(`${render(report.sets, report)}\n`);
  }
  return all.every((s) => s.suite.killed || s.soak?.killed === true) ? 0 : 1;
}

quietOnClosedPipe();
try {
  process.exitCode = main();
} catch (e) {
  if (e instanceof InputError) {
    process.stderr.write(`${errorLine('mutants', e)}\n`);
    process.exitCode = 2;
  } else throw e;
}
