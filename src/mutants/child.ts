/**
 * One scoring run inside a mutant's copy of dist/ (its own module graph, so the mutated reference
 * is the one loaded): `suite DIR...` replays the generated traces; `baseline MANIFEST MS SEED DRAW`
 * runs the fast-check model-based test (DRAW: uniform or swarm) on each suite configuration for an
 * equal share of MS. Prints one JSON line.
 */
import { resolve } from 'node:path';
import { referenceAdapter } from '../adapter/reference.js';
import { runReplay } from '../replay/run.js';
import { loadManifest } from '../gen/manifest.js';
import { applyOverrides, loadConfigFile } from '../model/config.js';
import { type BaselineDraw, modelBasedRun } from './model-based.js';

export interface ChildResult {
  readonly killed: boolean;
  /** Where it was caught: a trace and step, or a configuration and the failing check. */
  readonly by: string | null;
  readonly work: number;
  readonly seconds: number;
}

function suite(dirs: readonly string[]): ChildResult {
  const summary = runReplay(dirs, referenceAdapter, []);
  const d = summary.outcomes.find((o) => o.kind === 'diverged');
  const by = d === undefined || d.kind !== 'diverged' ? null : `${d.file.replace(/^.*traces\//, '')} step ${d.step} (${d.actor}.${d.action}): ${d.reason}`;
  return { killed: d !== undefined, by, work: summary.steps, seconds: summary.seconds };
}

function baseline(manifestPath: string, ms: number, seed: number, draw: BaselineDraw): ChildResult {
  const manifest = loadManifest(manifestPath);
  const started = performance.now();
  const share = ms / manifest.suites.length;
  let runs = 0;
  for (const s of manifest.suites) {
    const sets = Object.entries(s.set).map(([k, v]) => `${k}=${v}`);
    const config = applyOverrides(loadConfigFile(resolve(manifest.modelDir, s.model)).config, sets);
    const r = modelBasedRun(config, referenceAdapter, share, seed, draw);
    runs += r.runs;
    if (r.failed) return { killed: true, by: `${s.name}: ${r.counterexample ?? 'failed'}`, work: runs, seconds: (performance.now() - started) / 1000 };
  }
  return { killed: false, by: null, work: runs, seconds: (performance.now() - started) / 1000 };
}

const [mode, ...args] = process.argv.slice(2);
const result = mode === 'suite' ? suite(args) : baseline(args[0], Number(args[1]), Number(args[2]), args[3] === 'swarm' ? 'swarm' : 'uniform');
process.stdout.write(`${JSON.stringify(result)}\n`);
