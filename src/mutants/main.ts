/**
 * `npm run mutants [-- --json] [--budget S] [--seed N] [--only ID] [--mutations FILE]`: every
 * mutant of src/mutants/list.ts (or of FILE) applied to the reference implementation in turn,
 * scored by the generated suite (the committed traces) and by a fast-check model-based baseline
 * given the same time. Exit 0 when the suite kills every mutant, 1 otherwise, 2 bad input, 4 when
 * the unmutated implementation fails.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCommandLine } from '../cli/args.js';
import { InputError } from '../model/config.js';
import { loadManifest } from '../gen/manifest.js';
import type { ChildResult } from './child.js';
import { loadMutations } from './file.js';
import { MUTANTS, type Mutant } from './list.js';
import { cleanMutants, prepareMutant } from './prepare.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const TRACES = join(ROOT, 'generated-tests', 'traces');
const MANIFEST = join(ROOT, 'model', 'suites.json');
const SUITE_TIMEOUT_MS = 300_000;

interface Score {
  readonly id: string;
  readonly hazard: number | null;
  readonly about: string;
  readonly suite: ChildResult;
  readonly baseline: ChildResult;
}

function child(dist: string, args: readonly string[], timeoutMs: number): ChildResult {
  const run = spawnSync(process.execPath, [join(dist, 'src', 'mutants', 'child.js'), ...args], { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 });
  if (run.error !== undefined || run.status !== 0) {
    // A mutant that hangs or crashes the implementation is caught too, as mutation tools count it.
    const why = run.error !== undefined ? `timed out after ${timeoutMs / 1000} s` : `crashed: ${run.stderr.trim().split('\n').slice(-1)[0] ?? ''}`;
    return { killed: true, by: why, work: 0, seconds: timeoutMs / 1000 };
  }
  return JSON.parse(run.stdout.trim().split('\n').slice(-1)[0]) as ChildResult;
}

function score(m: Mutant | null, budgetMs: number, seed: number): { suite: ChildResult; baseline: ChildResult } {
  const dist = prepareMutant(ROOT, m?.id ?? 'control', m);
  // The reference suite first, then the variants in manifest order: a kill names the plainest trace.
  const dirs = [...loadManifest(MANIFEST).suites.map((s) => join(TRACES, 'suites', s.name)), join(TRACES, 'hazards')];
  const suite = child(dist, ['suite', ...dirs], SUITE_TIMEOUT_MS);
  const baseline = child(dist, ['baseline', MANIFEST, String(budgetMs), String(seed)], budgetMs + SUITE_TIMEOUT_MS);
  return { suite, baseline };
}

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
  if (!existsSync(join(TRACES, 'suites'))) throw new InputError(TRACES, '(directory)', 'the generated suites (npm run gen:tests)');
  const all = values.mutations === undefined ? MUTANTS : loadMutations(values.mutations, join(ROOT, 'src', 'reference'));
  const chosen = values.only === undefined ? all : all.filter((m) => m.id.startsWith(values.only ?? ''));
  if (chosen.length === 0) throw new InputError('--only', values.only ?? '', `the start of a mutant id, e.g. ${all[0].id}`);

  process.stderr.write('mutants: control run on the unmutated implementation\n');
  const control = score(null, values.budget === undefined ? 1000 : Number(values.budget) * 1000, seed);
  if (control.suite.killed || control.baseline.killed) {
    process.stderr.write(`mutants: the unmutated implementation fails: ${control.suite.by ?? control.baseline.by}\n`);
    return 4;
  }
  // Same time for both methods: the baseline gets what a full replay of the suite takes.
  const budgetMs = values.budget === undefined ? Math.max(1, Math.round(control.suite.seconds * 1000)) : Number(values.budget) * 1000;
  const scores: Score[] = [];
  for (const m of chosen) {
    const { suite, baseline } = score(m, budgetMs, seed);
    scores.push({ id: m.id, hazard: m.hazard, about: m.about, suite, baseline });
    process.stderr.write(`mutants: ${m.id}: suite ${suite.killed ? 'killed' : 'SURVIVED'}, fast-check ${baseline.killed ? 'killed' : 'SURVIVED'}\n`);
  }
  cleanMutants(ROOT);
  const killedBySuite = scores.filter((s) => s.suite.killed).length;
  if (values.json) {
    process.stdout.write(
      `${JSON.stringify({
        mutants: scores.length,
        suite: { killed: killedBySuite, replaySeconds: control.suite.seconds, steps: control.suite.work },
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
