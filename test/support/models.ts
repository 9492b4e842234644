/** Loading the committed model files and the hazard table, as the tests use them. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { applyOverrides, loadConfigFile } from '../../src/model/config.js';
import type { Config } from '../../spec/knobs.js';
import { type CheckReport, runCheck } from '../../src/check/run.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const modelPath = (file: string): string => resolve(ROOT, 'model', file);

export function configOf(file: string, sets: Record<string, string | number> = {}): Config {
  return applyOverrides(loadConfigFile(modelPath(file)).config, Object.entries(sets).map(([k, v]) => `${k}=${v}`));
}

const hazardSchema = z.object({
  hazards: z.array(
    z.object({
      number: z.number().int(),
      name: z.string(),
      model: z.string(),
      set: z.record(z.string(), z.string()),
      invariant: z.string(),
    }),
  ),
});

export const HAZARDS = hazardSchema.parse(JSON.parse(readFileSync(modelPath('hazards.json'), 'utf8'))).hazards;

/** `lsmc check` as the library runs it; unreduced by default, so that counterexamples are the true shortest (test/por.test.ts holds the reduction to it). */
export function check(config: Config, invariants: readonly string[] = [], symmetry = true, partialOrder = false): CheckReport {
  return runCheck({ config, model: 'test', invariants, symmetry, partialOrder, rerun: 'test' });
}
