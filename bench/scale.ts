/**
 * Scale (issue 14): the reference configuration checked with symmetry alone and with symmetry and
 * partial-order reduction, each on 1 and 2 worker threads, every property but reader-progress
 * (vacuous on these bounds), as `lsmc check` runs it.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCheckOn } from '../src/check/run.js';
import { loadConfigFile } from '../src/model/config.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
export const SCALE_MODEL = 'model/reference.json';

export interface ScaleRow {
  readonly partialOrder: boolean;
  readonly workers: number;
  readonly distinctStates: number;
  readonly transitions: number;
  readonly seconds: number;
  readonly statesPerSecond: number;
  readonly bytesPerState: number;
}

export interface ScaleFigures {
  readonly model: string;
  readonly rows: readonly ScaleRow[];
}

export async function measureScale(log: (line: string) => void): Promise<ScaleFigures> {
  const config = loadConfigFile(resolve(ROOT, SCALE_MODEL)).config;
  const rows: ScaleRow[] = [];
  log(`scale: ${SCALE_MODEL}, symmetry on, every property:`);
  for (const partialOrder of [false, true])
    for (const workers of [1, 2]) {
      const r = await runCheckOn({ config, model: 'reference', invariants: [], symmetry: true, partialOrder, workers, rerun: '' });
      if (r.result !== 'ok') throw new Error(`bench: ${SCALE_MODEL} did not pass (${r.result})`);
      const s = r.stats;
      const row = { partialOrder, workers, distinctStates: s.distinctStates, transitions: s.transitions, seconds: s.seconds, statesPerSecond: s.statesPerSecond, bytesPerState: s.bytesPerState };
      rows.push(row);
      const one = rows.find((x) => x.partialOrder === partialOrder && x.workers === 1);
      const speedup = workers > 1 && one !== undefined ? `  ${(one.seconds / row.seconds).toFixed(2)}x on ${workers} workers` : '';
      log(`  ${partialOrder ? 'symmetry + por' : 'symmetry     '}  ${workers} worker(s)  ${row.distinctStates.toLocaleString('en-US').padStart(12)} states  ${row.seconds.toFixed(1).padStart(6)} s  ${row.statesPerSecond.toLocaleString('en-US').padStart(9)} states/s  ${row.bytesPerState.toFixed(1)} bytes/state${speedup}`);
    }
  return { model: SCALE_MODEL, rows };
}
