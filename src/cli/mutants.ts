/**
 * `npm run mutants [-- --json] [--budget S] [--seed N] [--only ID] [--mutations FILE]`: scores the
 * generated suite and the fast-check baseline against mutants of the reference implementation
 * (src/mutants/score.ts). Exit 0 when the suite kills every mutant, 1 otherwise, 2 bad input, 4
 * when the unmutated implementation fails.
 */
import { InputError } from '../model/config.js';
import type { ChildResult } from '../mutants/child.js';
import { runMutants, type Score } from '../mutants/score.js';
import { type CommandSpec, errorLine, helpText, parseCommand, quietOnClosedPipe, wantsHelp } from './command.js';

function render(scores: readonly Score[], budgetMs: number, seed: number): string {
  const mark = (r: ChildResult): string => (r.killed ? 'killed  ' : 'SURVIVED');
  const lines = [`${'mutant'.padEnd(30)} ${'hazard'.padEnd(6)} ${'suite'.padEnd(8)} ${'fast-check'.padEnd(10)} where the suite caught it`];
  for (const s of scores)
    lines.push(`${s.id.padEnd(30)} ${(s.hazard === null ? '-' : String(s.hazard)).padEnd(6)} ${mark(s.suite)} ${mark(s.baseline).padEnd(10)} ${s.suite.by ?? ''}`);
  const k = (f: (s: Score) => ChildResult): number => scores.filter((s) => f(s).killed).length;
  lines.push('');
  lines.push(`generated suite: ${k((s) => s.suite)} of ${scores.length} mutants killed`);
  lines.push(`fast-check fc.commands baseline: ${k((s) => s.baseline)} of ${scores.length} mutants killed (${(budgetMs / 1000).toFixed(2)} s of random interleavings per mutant, seed ${seed})`);
  return lines.join('\n');
}

const MUTANTS = {
  invocation: 'npm run mutants --',
  summary: 'score the generated suite and a fast-check baseline against mutants of the reference implementation',
  usage: '[options]',
  about:
    'Applies each mutation of src/mutants/list.ts (or of --mutations FILE) to the reference implementation, and runs against each mutant, in a child process: the generated suite (every committed trace; the first divergence kills) and a fast-check fc.commands baseline given the same wall time. A mutant that hangs or crashes counts as killed. docs/commands.md, section npm run mutants, says more.',
  positionals: [],
  options: {
    json: { type: 'boolean', help: 'print one JSON object on stdout' },
    budget: { type: 'string', arg: 'S', help: 'seconds of random interleavings per mutant for the baseline (default: the time a full replay of the suite takes)' },
    seed: { type: 'string', arg: 'N', help: 'the baseline\'s seed, an integer (default 1)' },
    only: { type: 'string', arg: 'ID', help: 'score only the mutant ID' },
    mutations: { type: 'string', arg: 'FILE', help: 'score the mutations of FILE instead ({ "mutants": [ { "id", "about", "file", "edits": [ { "find", "replace" } ] } ] })' },
  },
  exits: '0 the suite kills every mutant, 1 a mutant survives it, 2 bad input, 4 the unmutated implementation fails.',
  examples: ['npm run mutants', 'npm run mutants -- --mutations test/fixtures/unlisted-mutants.json'],
} as const satisfies CommandSpec;

function main(): number {
  const args = process.argv.slice(2);
  if (wantsHelp(args)) {
    process.stdout.write(`${helpText(MUTANTS)}\n`);
    return 0;
  }
  const { values } = parseCommand(MUTANTS, args);
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!Number.isInteger(seed)) throw new InputError('--seed', values.seed ?? '', 'an integer');
  if (values.budget !== undefined && !(Number(values.budget) > 0)) throw new InputError('--budget', values.budget, 'a positive number of seconds');
  const report = runMutants(
    { mutations: values.mutations, only: values.only, budgetSeconds: values.budget === undefined ? undefined : Number(values.budget), seed },
    (m) => process.stderr.write(`mutants: ${m.id}: suite ${m.suite.killed ? 'killed' : 'SURVIVED'}, fast-check ${m.baseline.killed ? 'killed' : 'SURVIVED'}\n`),
    () => process.stderr.write('mutants: control run on the unmutated implementation\n'),
  );
  if (report.kind === 'control-failed') {
    process.stderr.write(`mutants: the unmutated implementation fails: ${report.why}\n`);
    return 4;
  }
  const { scores, budgetMs } = report;
  const killedBySuite = scores.filter((s) => s.suite.killed).length;
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({
        mutants: scores.length,
        suite: { killed: killedBySuite, replaySeconds: report.control.replaySeconds, steps: report.control.steps },
        baseline: { killed: scores.filter((s) => s.baseline.killed).length, budgetSeconds: budgetMs / 1000, seed },
        scores,
      })}\n`,
    );
  } else {
    process.stdout.write(`${render(scores, budgetMs, seed)}\n`);
  }
  return killedBySuite === scores.length ? 0 : 1;
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
