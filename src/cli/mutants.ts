/**
 * `npm run mutants [-- --json] [--budget S] [--seed N] [--only ID] [--mutations FILE]`: scores the
 * generated suite and the fast-check baseline against mutants of the reference implementation
 * (src/mutants/score.ts). Exit 0 when the suite kills every mutant, 1 otherwise, 2 bad input, 4
 * when the unmutated implementation fails.
 */
import { InputError } from '../model/config.js';
import type { ChildResult } from '../mutants/child.js';
import { runMutants, type Score } from '../mutants/score.js';
import { parseCommandLine } from './args.js';

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

function main(): number {
  const { values } = parseCommandLine(
    'npm run mutants',
    process.argv.slice(2),
    { json: { type: 'boolean' }, budget: { type: 'string' }, seed: { type: 'string' }, only: { type: 'string' }, mutations: { type: 'string' } },
    false,
    'README.md, section Mutants',
  );
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

try {
  process.exitCode = main();
} catch (e) {
  if (e instanceof InputError) {
    process.stderr.write(`mutants: ${e.message}\n`);
    process.exitCode = 2;
  } else throw e;
}
