/**
 * Mutation scoring as a library call: every mutant of src/mutants/list.ts (or of a mutations file)
 * applied to the reference implementation in turn, scored by the generated suite (the committed
 * traces) and by a fast-check model-based baseline given the same time. Each runs in a child
 * process on a transpiled copy of dist/ (src/mutants/prepare.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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

export interface Score {
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

export interface MutantsRequest {
  /** A mutations file of the user's, or undefined for the built-in list. */
  readonly mutations: string | undefined;
  /** The start of the mutant ids to run, or undefined for all. */
  readonly only: string | undefined;
  /** Seconds of random interleavings the baseline gets per mutant; undefined: what a full replay of the suite takes. */
  readonly budgetSeconds: number | undefined;
  readonly seed: number;
}

export type MutantsReport =
  | { readonly kind: 'control-failed'; readonly why: string }
  | {
      readonly kind: 'scored';
      readonly scores: readonly Score[];
      readonly budgetMs: number;
      readonly seed: number;
      readonly control: { readonly replaySeconds: number; readonly steps: number };
    };

/** Checks the request, runs the control and every chosen mutant; `onMutant` hears each score as it comes. */
export function runMutants(request: MutantsRequest, onMutant: (s: Score) => void = () => undefined, onControl: () => void = () => undefined): MutantsReport {
  if (!existsSync(join(TRACES, 'suites'))) throw new InputError(TRACES, '(directory)', 'the generated suites (npm run gen:tests)');
  const all = request.mutations === undefined ? MUTANTS : loadMutations(request.mutations, join(ROOT, 'src', 'reference'));
  const chosen = request.only === undefined ? all : all.filter((m) => m.id.startsWith(request.only ?? ''));
  if (chosen.length === 0) throw new InputError('--only', request.only ?? '', `the start of a mutant id, e.g. ${all[0].id}`);
  onControl();
  const control = score(null, request.budgetSeconds === undefined ? 1000 : request.budgetSeconds * 1000, request.seed);
  if (control.suite.killed || control.baseline.killed) return { kind: 'control-failed', why: control.suite.by ?? control.baseline.by ?? 'it failed' };
  // Same time for both methods: the baseline gets what a full replay of the suite takes.
  const budgetMs = request.budgetSeconds === undefined ? Math.max(1, Math.round(control.suite.seconds * 1000)) : request.budgetSeconds * 1000;
  const scores: Score[] = [];
  for (const m of chosen) {
    const { suite, baseline } = score(m, budgetMs, request.seed);
    const s: Score = { id: m.id, hazard: m.hazard, about: m.about, suite, baseline };
    scores.push(s);
    onMutant(s);
  }
  cleanMutants(ROOT);
  return { kind: 'scored', scores, budgetMs, seed: request.seed, control: { replaySeconds: control.suite.seconds, steps: control.suite.work } };
}
