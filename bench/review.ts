/**
 * The review matrix against the way a reviewer would otherwise get it: every cell a check of its
 * own, one after another on one core; then `lsmc review` (one check per variant that goes on after
 * violations) on one worker thread and on one per core. Wall time of the command, start-up included.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCheck } from '../src/check/run.js';
import { loadConfigFile } from '../src/model/config.js';
import { reviewVariants } from '../src/review/variants.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const REVIEW_MODEL = 'model/hazard-03-link-then-init.json';

export interface ReviewFigures {
  readonly model: string;
  readonly variants: number;
  readonly cells: number;
  /** Every cell checked alone (lsmc check --invariant NAME), one after another, in this process. */
  readonly cellsSeconds: number;
  /** lsmc review --jobs N, wall time, for N = 1 and the machine's cores. */
  readonly matrix: readonly { readonly jobs: number; readonly seconds: number }[];
}

export function measureReview(log: (line: string) => void): ReviewFigures {
  const base = loadConfigFile(resolve(ROOT, REVIEW_MODEL)).config;
  const variants = reviewVariants(base, null, false).rows;
  let cells = 0;
  const started = performance.now();
  for (const v of variants) {
    const names = runCheck({ config: v.config, model: 'bench', invariants: [], symmetry: true, partialOrder: false, maxStates: 1, rerun: '' }).checked;
    for (const name of names) {
      runCheck({ config: v.config, model: 'bench', invariants: [name], symmetry: true, partialOrder: false, rerun: '' });
      cells++;
    }
  }
  const cellsSeconds = (performance.now() - started) / 1000;
  log(`review of ${REVIEW_MODEL} on the default knobs (${variants.length} variants x ${cells / variants.length} properties):`);
  log(`  every cell a check of its own, one after another   ${cellsSeconds.toFixed(1).padStart(7)} s`);
  const matrix = [...new Set([1, availableParallelism()])].map((jobs) => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [resolve(ROOT, 'bin/lsmc.js'), 'review', REVIEW_MODEL, '--json', '--jobs', String(jobs)], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 28 });
    if (r.status !== 0) throw new Error(`bench: lsmc review --jobs ${jobs} exited ${r.status}: ${r.stderr.trim().split('\n').pop() ?? ''}`);
    const seconds = (performance.now() - t0) / 1000;
    log(`  lsmc review --jobs ${jobs}${' '.repeat(30)}${seconds.toFixed(1).padStart(7)} s  ${(cellsSeconds / seconds).toFixed(1)}x faster than the cells alone`);
    return { jobs, seconds };
  });
  return { model: REVIEW_MODEL, variants: variants.length, cells, cellsSeconds, matrix };
}
