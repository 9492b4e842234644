/**
 * `lsmc gen [CONFIG] [--set knob=value ...] --out DIR [--json]`: a coverage suite of ITF traces.
 * `lsmc gen --manifest FILE --out DIR`: everything model/suites.json lists (the committed tests).
 * Exit 0 written, 2 bad input, 3 interrupted (nothing written).
 */
import { join, resolve } from 'node:path';
import type { Progress } from '../../checker/explore.js';
import { InputError } from '../model/config.js';
import { type CommandSpec, parseCommand } from './command.js';
import type { CoverageReport, SuiteRun } from '../gen/files.js';
import type { GenJob } from '../gen/job.js';
import { runInWorker } from './worker-run.js';
import { loadManifest } from '../gen/manifest.js';
import { guardOutDir, writeFiles } from '../gen/write.js';
import { applyOverrides, loadConfigFile } from '../model/config.js';

export const GEN = {
  invocation: 'lsmc gen',
  summary: 'generate a coverage suite of ITF traces (or every suite a manifest lists)',
  usage: '[CONFIG] [--set knob=value ...] --out DIR [--json]  |  lsmc gen --manifest FILE --out DIR',
  about:
    'Explores the whole state space of CONFIG and keeps, shortest first, one trace for every coverage goal that no shorter kept trace reaches (a kind of step with one of its outcomes, refined by the path it takes; two consecutive steps of different actors; a step carried on to the nearest step that reads what it changed; a step that sets, changes or clears a variable; the lone kernel context\'s or reader\'s operation, then its next); prints which goals were reached. With --manifest, writes every suite and hazard counterexample the manifest lists (npm run gen:tests uses model/suites.json). DIR is refused if it holds files lsmc did not write.',
  positionals: [['CONFIG', 'model file, model/reference.json by default']],
  options: {
    out: { type: 'string', arg: 'DIR', help: 'directory to write the traces into (required)' },
    set: { type: 'string', multiple: true, arg: 'knob=value', help: 'override a knob or bound; may repeat, a later one wins' },
    json: { type: 'boolean', help: 'print the coverage as one JSON object on stdout' },
    manifest: { type: 'string', arg: 'FILE', help: 'generate every suite and hazard trace FILE lists' },
  },
  exits: '0 written, 2 bad input, 3 interrupted (a suite not finished is not written).',
  examples: ['lsmc gen --set validation=uid --out /tmp/uid-suite', 'npm run gen:tests'],
} as const satisfies CommandSpec;

const n = (x: number): string => x.toLocaleString('en-US');

export function renderCoverage(c: CoverageReport, dir: string, seconds: number, states: number): string {
  const lines = [
    `lsmc gen: ${n(c.traces)} traces, ${n(c.steps)} steps, from ${n(states)} states in ${seconds.toFixed(1)} s -> ${dir}`,
    `coverage: ${c.goals.reached} of ${c.goals.possible} step goals (step kind -> outcome [path]) reached; ${n(c.goals.pairs)} pair goals (two consecutive steps of different actors), ${n(c.goals.continuations)} continuation goals (a goal's step, then the nearest step that reads what it changed), ${n(c.goals.writes)} write goals (a step that sets, changes or clears a variable) and ${n(c.goals.sequences)} sequence goals (a lone actor's operation, then its next) reached`,
    '  step kinds and the outcomes reached:',
    ...Object.entries(c.stepKinds).map(([step, outs]) => `    ${step.padEnd(24)} ${outs.join(', ')}`),
    `  outcome kinds: ${Object.entries(c.outcomes)
      .map(([o, k]) => `${o} ${k === 0 ? '(not reached)' : k}`)
      .join(', ')}`,
  ];
  if (c.unreached.length > 0) lines.push(`  could not reach in this configuration (${c.unreached.length}):`, ...c.unreached.map((g) => `    ${g}`));
  return lines.join('\n');
}

const progressLine = (label: string) => (p: Progress): string => `lsmc gen ${label}: ${n(p.distinct)} states, depth ${p.depth}, ${p.seconds.toFixed(0)} s`;

/** The worker's files: structured cloning turns a Buffer into a plain Uint8Array. */
const asFiles = (files: ReadonlyMap<string, string | Uint8Array>): Map<string, string | Buffer> =>
  new Map([...files].map(([name, content]) => [name, typeof content === 'string' ? content : Buffer.from(content)]));

function inWorker<R>(job: GenJob, label: string): Promise<R | { readonly interrupted: true }> {
  return runInWorker<GenJob, Progress, R | { readonly interrupted: true }>(new URL('../gen/worker.js', import.meta.url), job, progressLine(label));
}

export async function genCommand(args: readonly string[], root: string): Promise<number> {
  const parsed = parseCommand(GEN, args);
  const { values, positionals } = parsed;
  const out = values.out;
  if (out === undefined) throw new InputError('lsmc gen', '--out', 'a directory to write the traces into');
  if (positionals.length > 1) throw new InputError('lsmc gen', positionals[1], 'at most one CONFIG file');
  guardOutDir(out);

  if (values.manifest !== undefined) {
    if (positionals.length > 0 || values.set !== undefined) throw new InputError('lsmc gen', '--manifest', 'no CONFIG and no --set with it (the manifest names both)');
    const manifest = loadManifest(values.manifest);
    // Validate every entry before the long part.
    for (const s of manifest.suites) applyOverrides(loadConfigFile(resolve(manifest.modelDir, s.model)).config, Object.entries(s.set).map(([k, v]) => `${k}=${v}`));
    const summary: string[] = [];
    for (const s of manifest.suites) {
      const started = performance.now();
      const run = await inWorker<SuiteRun>({ kind: 'manifest-suite', entry: s, modelDir: manifest.modelDir }, s.name);
      if ('interrupted' in run) {
        process.stderr.write(`lsmc gen: interrupted in suite ${s.name}; the ${summary.length} suites before it are written, the rest are not\n`);
        return 3;
      }
      writeFiles(join(out, 'suites', s.name), asFiles(run.files));
      const c = run.coverage;
      summary.push(`  ${s.name.padEnd(28)} ${String(c.traces).padStart(4)} traces ${String(c.steps).padStart(6)} steps  ${c.goals.reached}/${c.goals.possible} goals, ${c.goals.pairs} pairs, ${c.goals.continuations} continuations, ${c.goals.writes} writes, ${c.goals.sequences} sequences  ${((performance.now() - started) / 1000).toFixed(1)} s`);
      process.stderr.write(`${summary[summary.length - 1]}\n`);
    }
    const hazards = await inWorker<{ readonly files: Map<string, string> }>({ kind: 'hazards', hazards: manifest.hazards, modelDir: manifest.modelDir }, 'hazards');
    if ('interrupted' in hazards) {
      process.stderr.write('lsmc gen: interrupted in the hazard traces; every suite is written, the hazard traces are not\n');
      return 3;
    }
    writeFiles(join(out, 'hazards'), hazards.files);
    const count = (k: number, one: string, many: string): string => `${k} ${k === 1 ? one : many}`;
    process.stdout.write(`lsmc gen: ${count(manifest.suites.length, 'suite', 'suites')} and ${count(manifest.hazards.length, 'hazard trace', 'hazard traces')} -> ${out}\n${summary.join('\n')}\n`);
    return 0;
  }

  const modelArg = positionals[0] ?? 'model/reference.json';
  const modelPath = positionals[0] ?? resolve(root, 'model/reference.json');
  const sets = values.set ?? [];
  const started = performance.now();
  const named = loadConfigFile(modelPath);
  applyOverrides(named.config, sets);
  const run = await inWorker<SuiteRun>({ kind: 'suite', modelArg, modelPath, sets, gzip: false }, named.name);
  if ('interrupted' in run) {
    process.stderr.write('lsmc gen: interrupted before the exploration finished; nothing written\n');
    return 3;
  }
  writeFiles(out, asFiles(run.files));
  const coverage = run.coverage;
  const seconds = (performance.now() - started) / 1000;
  if (values.json) process.stdout.write(`${JSON.stringify({ ...coverage, out, seconds: Math.round(seconds * 1000) / 1000, states: run.suite.stats.distinctStates })}\n`);
  else process.stdout.write(`${renderCoverage(coverage, out, seconds, run.suite.stats.distinctStates)}\n`);
  return 0;
}
