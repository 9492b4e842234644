/**
 * The files a generation writes: a suite's traces plus its coverage.json, and the hazard
 * counterexamples. Contents depend only on the configuration, never on time or machine, so that
 * regenerating gives the same bytes.
 */
import { OUTCOMES } from '../../spec/vocabulary.js';
import { flatConfig, type Config } from '../../spec/knobs.js';
import { type CheckReport, runCheck } from '../check/run.js';
import { applyOverrides, loadConfigFile } from '../model/config.js';
import type { Progress } from '../../checker/explore.js';
import { resolve } from 'node:path';
import type { HazardEntry, SuiteEntry } from './manifest.js';
import { generateSuite, type Suite } from './suite.js';
import { gzipSync } from 'node:zlib';
import { jsonText, PRODUCER } from './write.js';
import { itfText } from '../trace/itf.js';

export interface CoverageReport {
  readonly producedBy: string;
  readonly model: string;
  readonly config: Record<string, string | number>;
  readonly traces: number;
  readonly steps: number;
  /**
   * Step goals (step, outcome [path]): possible in the configuration and reached; then the pair
   * goals (two consecutive steps of different actors), continuation goals (a goal's step, then
   * the nearest step reading what it changed), write goals (a step that sets, changes or clears a
   * variable) and sequence goals (a lone actor's operation, then its next) reached, which are not
   * known before exploring.
   */
  readonly goals: {
    readonly possible: number;
    readonly reached: number;
    readonly pairs: number;
    readonly continuations: number;
    readonly writes: number;
    readonly sequences: number;
  };
  /** Per step kind, the outcomes reached. */
  readonly stepKinds: Record<string, string[]>;
  /** Per observation or result kind, how many goals reached it (0: never). */
  readonly outcomes: Record<string, number>;
  readonly unreached: readonly string[];
  readonly files: readonly { readonly file: string; readonly goal: string; readonly steps: number }[];
}

export function coverageOf(suite: Suite, model: string, config: Config): CoverageReport {
  const steps: Record<string, string[]> = {};
  const outcomes: Record<string, number> = Object.fromEntries(OUTCOMES.map((o) => [o, 0]));
  for (const goal of suite.reached) {
    const m = /^(\S+) -> (\S+)(?: \[(.+)\])?$/.exec(goal);
    if (m === null) continue;
    const out = m[3] === undefined ? m[2] : `${m[2]} [${m[3]}]`;
    (steps[m[1]] ??= []).push(out);
    outcomes[m[2]]++;
  }
  return {
    producedBy: PRODUCER,
    model,
    config: flatConfig(config),
    traces: suite.traces.length,
    steps: suite.traces.reduce((n, t) => n + t.steps, 0),
    goals: { possible: suite.reached.length + suite.unreached.length, reached: suite.reached.length, pairs: suite.goals.pair, continuations: suite.goals.continuation, writes: suite.goals.write, sequences: suite.goals.sequence },
    stepKinds: steps,
    outcomes,
    unreached: suite.unreached,
    files: suite.traces.map((t) => ({ file: t.name, goal: t.goal, steps: t.steps })),
  };
}

export const COVERAGE_FILE = 'coverage.json';

/**
 * A suite's files. `gzip` compresses each trace on its own (a level and a zlib fixed by Node, no
 * timestamp), for the many variant suites whose plain text would weigh tens of megabytes.
 */
export function suiteFiles(suite: Suite, coverage: CoverageReport, gzip = false): Map<string, string | Buffer> {
  const files = new Map<string, string | Buffer>();
  for (const t of suite.traces) {
    const text = itfText(t.itf);
    if (gzip) files.set(`${t.name}.gz`, gzipSync(text, { level: 9 }));
    else files.set(t.name, text);
  }
  files.set(COVERAGE_FILE, jsonText(coverage));
  return files;
}

export function rerunOf(model: string, sets: readonly string[]): string {
  return ['lsmc gen', model, ...sets.map((s) => `--set ${s}`)].join(' ');
}

/** How a suite is written and which goal kinds beyond steps and continuations it asks for (all by default). */
export type SuiteOptions = Pick<SuiteEntry, 'gzip' | 'pairs' | 'writes' | 'sequences'>;

export type SuiteRun = { readonly suite: Suite; readonly coverage: CoverageReport; readonly files: Map<string, string | Buffer> } | { readonly interrupted: true };

export function runSuite(
  modelArg: string,
  modelPath: string,
  sets: readonly string[],
  hooks: { onProgress?: (p: Progress) => void; shouldStop?: () => boolean } = {},
  options: SuiteOptions = {},
): SuiteRun {
  const named = loadConfigFile(modelPath);
  const config = applyOverrides(named.config, sets);
  const suite = generateSuite({ config, model: named.name, rerun: rerunOf(modelArg, sets), pairs: options.pairs, writes: options.writes, sequences: options.sequences }, hooks);
  if ('interrupted' in suite) return { interrupted: true };
  const coverage = coverageOf(suite, named.name, config);
  return { suite, coverage, files: suiteFiles(suite, coverage, options.gzip === true) };
}

const slug = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

export const hazardFile = (h: HazardEntry): string => `hazard-${String(h.number).padStart(2, '0')}-${slug(h.name)}.itf.json`;

/** A manifest entry's suite, as `lsmc gen --manifest` writes it under suites/NAME. */
export function manifestSuite(entry: SuiteEntry, modelDir: string, hooks: { onProgress?: (p: Progress) => void; shouldStop?: () => boolean } = {}): SuiteRun {
  const sets = Object.entries(entry.set).map(([k, v]) => `${k}=${v}`);
  return runSuite(`model/${entry.model}`, resolve(modelDir, entry.model), sets, hooks, entry);
}

export interface HazardRun {
  /** The check that found it, with symmetry on, as `lsmc check --invariant` runs it. */
  readonly report: CheckReport;
  readonly file: string;
  readonly text: string;
}

type Hooks = { onProgress?: (p: Progress) => void; shouldStop?: () => boolean };

/** The shortest counterexample of one hazard in its variant, and the file it is committed as. */
export function hazardRun(h: HazardEntry, modelDir: string, hooks: Hooks = {}): HazardRun | { readonly interrupted: true } {
  const sets = Object.entries(h.set).map(([k, v]) => `${k}=${v}`);
  const config = applyOverrides(loadConfigFile(resolve(modelDir, h.model)).config, sets);
  const rerun = ['lsmc check', `model/${h.model}`, ...sets.map((s) => `--set ${s}`), `--invariant ${h.invariant}`].join(' ');
  // Unreduced: a committed hazard trace is the true shortest counterexample, not a reduced one.
  const report = runCheck({ config, model: h.model.replace(/\.json$/, ''), invariants: [h.invariant], symmetry: true, partialOrder: false, rerun }, hooks);
  if (report.result === 'limit') return { interrupted: true };
  if (report.itf === null) throw new Error(`hazard ${h.number} (${h.name}): ${rerun} found no counterexample`);
  const meta = { ...report.itf['#meta'], producedBy: PRODUCER, hazard: { number: h.number, name: h.name, set: h.set } };
  return { report, file: hazardFile(h), text: itfText({ ...report.itf, '#meta': meta }) };
}

export function hazardFiles(hazards: readonly HazardEntry[], modelDir: string, hooks: Hooks = {}): Map<string, string> | { readonly interrupted: true } {
  const files = new Map<string, string>();
  for (const h of hazards) {
    const run = hazardRun(h, modelDir, hooks);
    if ('interrupted' in run) return run;
    files.set(run.file, run.text);
  }
  return files;
}
