/**
 * Mutation scoring as a library call: every mutant of a set (src/mutants/list.ts, the held-out file
 * test/fixtures/held-out-mutants.json, or a mutations file) applied to the reference
 * implementation in turn, scored by the generated suite (the committed traces), by two fast-check
 * model-based baselines given the same time (uniform, and swarm-weighted), and optionally by a
 * soak. Each runs in a child process on a transpiled copy of dist/ (src/mutants/prepare.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
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
export const HELD_OUT = join(ROOT, 'test', 'fixtures', 'held-out-mutants.json');
/** A second held-out set, written on 2026-12-04 without reading the generator, while its write and sequence goals were being built. */
export const HELD_OUT_2 = join(ROOT, 'test', 'fixtures', 'held-out-2-mutants.json');
const SOAK_MODEL = join(ROOT, 'model', 'reference.json');

export interface Score {
  readonly id: string;
  readonly hazard: number | null;
  readonly about: string;
  readonly suite: ChildResult;
  readonly baseline: ChildResult;
  readonly swarm: ChildResult;
  /** With a soak asked for: what real concurrency found. */
  readonly soak: ChildResult | null;
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

/** The soak of the reference design on the mutant: a violation, a stuck thread or a crash kills it. */
function soak(dist: string, seconds: number): ChildResult {
  const timeoutMs = seconds * 1000 + SUITE_TIMEOUT_MS;
  const run = spawnSync(process.execPath, [join(dist, 'src', 'cli', 'soak.js'), SOAK_MODEL, '--seconds', String(seconds), '--json'], { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 << 20 });
  if (run.error !== undefined) return { killed: true, by: `timed out after ${timeoutMs / 1000} s`, work: 0, seconds };
  const last = run.stdout.trim().split('\n').slice(-1)[0] ?? '';
  if (run.status !== 0 && run.status !== 1) return { killed: true, by: `crashed: ${run.stderr.trim().split('\n').slice(-1)[0] ?? ''}`, work: 0, seconds };
  const j = JSON.parse(last) as { violations: number; reads: number; stuck: string[]; firstViolations: { description: string }[]; consistency: { first: { check: string; text: string }[] }; kernel: { pidClashes: number } };
  const by =
    j.stuck.length > 0
      ? `${j.stuck.join(', ')} stuck (an operation that never ends: a lock never released, or a wait never satisfied)`
      : j.consistency.first.length > 0
        ? `${j.consistency.first[0].text}: ${j.consistency.first[0].check}`
        : j.kernel.pidClashes > 0
          ? `${j.kernel.pidClashes} spawn(s) found their new pid number held by another task: pid-table`
          : (j.firstViolations[0]?.description ?? null);
  return { killed: j.violations > 0 || j.stuck.length > 0, by, work: j.reads, seconds };
}

function score(m: Mutant | null, budgetMs: number, seed: number, soakSeconds: number | undefined): Omit<Score, 'id' | 'hazard' | 'about'> {
  const dist = prepareMutant(ROOT, m?.id ?? 'control', m);
  // The reference suite first, then the variants in manifest order: a kill names the plainest trace.
  const dirs = [...loadManifest(MANIFEST).suites.map((s) => join(TRACES, 'suites', s.name)), join(TRACES, 'hazards')];
  const suite = child(dist, ['suite', ...dirs], SUITE_TIMEOUT_MS);
  const baseline = child(dist, ['baseline', MANIFEST, String(budgetMs), String(seed), 'uniform'], budgetMs + SUITE_TIMEOUT_MS);
  const swarm = child(dist, ['baseline', MANIFEST, String(budgetMs), String(seed), 'swarm'], budgetMs + SUITE_TIMEOUT_MS);
  return { suite, baseline, swarm, soak: soakSeconds === undefined ? null : soak(dist, soakSeconds) };
}

/** The committed suite's size: trace files and their bytes on disk (gzipped where they are). */
function suiteSize(): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.itf\.json(\.gz)?$/.test(e.name)) {
        files++;
        bytes += statSync(p).size;
      }
    }
  };
  walk(TRACES);
  return { files, bytes };
}

export interface MutantsRequest {
  /** A mutations file of the user's, or undefined for the built-in list and then the held-out file. */
  readonly mutations: string | undefined;
  /** The start of the mutant ids to run, or undefined for all. */
  readonly only: string | undefined;
  /** Seconds of random interleavings the baseline gets per mutant; undefined: what a full replay of the suite takes. */
  readonly budgetSeconds: number | undefined;
  readonly seed: number;
  /** Seconds of soak per mutant, or undefined for none. */
  readonly soakSeconds: number | undefined;
}

/** One set of mutants: the project's own, the held-out file, or a file of the user's. */
export interface MutantSet {
  readonly name: string;
  readonly file: string | null;
  readonly scores: readonly Score[];
}

export type MutantsReport =
  | { readonly kind: 'control-failed'; readonly why: string }
  | {
      readonly kind: 'scored';
      readonly sets: readonly MutantSet[];
      readonly budgetMs: number;
      readonly seed: number;
      readonly soakSeconds: number | null;
      readonly control: { readonly replaySeconds: number; readonly steps: number; readonly files: number; readonly bytes: number };
    };

/** Checks the request, runs the control and every chosen mutant; `onMutant` hears each score as it comes. */
export function runMutants(request: MutantsRequest, onMutant: (s: Score) => void = () => undefined, onControl: () => void = () => undefined): MutantsReport {
  if (!existsSync(join(TRACES, 'suites'))) throw new InputError(TRACES, '(directory)', 'the generated suites (npm run gen:tests)');
  const reference = join(ROOT, 'src', 'reference');
  const sets =
    request.mutations === undefined
      ? [
          { name: "the project's own mutants (src/mutants/list.ts)", file: null, mutants: MUTANTS },
          { name: 'held-out mutants (never used to tune the generator)', file: HELD_OUT, mutants: loadMutations(HELD_OUT, reference) },
          { name: 'second held-out set (never used to tune the generator)', file: HELD_OUT_2, mutants: loadMutations(HELD_OUT_2, reference) },
        ]
      : [{ name: request.mutations, file: request.mutations, mutants: loadMutations(request.mutations, reference) }];
  const chosen = sets.map((set) => ({ ...set, mutants: request.only === undefined ? set.mutants : set.mutants.filter((m) => m.id.startsWith(request.only ?? '')) }));
  if (chosen.every((set) => set.mutants.length === 0)) throw new InputError('--only', request.only ?? '', `the start of a mutant id, e.g. ${sets[0].mutants[0].id}`);
  onControl();
  const control = score(null, request.budgetSeconds === undefined ? 1000 : request.budgetSeconds * 1000, request.seed, request.soakSeconds);
  const failed = [control.suite, control.baseline, control.swarm, control.soak].find((r): r is ChildResult => r !== null && r.killed);
  if (failed !== undefined) return { kind: 'control-failed', why: failed.by ?? 'it failed' };
  // Same time for every method that draws: the baselines get what a full replay of the suite takes.
  const budgetMs = request.budgetSeconds === undefined ? Math.max(1, Math.round(control.suite.seconds * 1000)) : request.budgetSeconds * 1000;
  const scored: MutantSet[] = [];
  for (const set of chosen) {
    const scores: Score[] = [];
    for (const m of set.mutants) {
      const s: Score = { id: m.id, hazard: m.hazard, about: m.about, ...score(m, budgetMs, request.seed, request.soakSeconds) };
      scores.push(s);
      onMutant(s);
    }
    if (scores.length > 0) scored.push({ name: set.name, file: set.file, scores });
  }
  cleanMutants(ROOT);
  return {
    kind: 'scored',
    sets: scored,
    budgetMs,
    seed: request.seed,
    soakSeconds: request.soakSeconds ?? null,
    control: { replaySeconds: control.suite.seconds, steps: control.suite.work, ...suiteSize() },
  };
}
