/**
 * model/suites.json: what the committed generated tests are made of. A suite is a model file with
 * --set overrides; the hazards come from the hazard table (model/hazards.json).
 */
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { parseJson, readJson } from '../model/json-file.js';

export interface SuiteEntry {
  readonly name: string;
  readonly model: string;
  readonly set: Readonly<Record<string, string | number>>;
  /** Compress each trace (.itf.json.gz). */
  readonly gzip?: boolean;
  /** Pair goals (src/gen/suite.ts), true unless false. */
  readonly pairs?: boolean;
  /** Write goals (spec/writes.ts), true unless false. */
  readonly writes?: boolean;
  /** Sequence goals (src/gen/sequence.ts), true unless false. */
  readonly sequences?: boolean;
}

export interface HazardEntry {
  readonly number: number;
  readonly name: string;
  readonly model: string;
  readonly set: Readonly<Record<string, string>>;
  readonly invariant: string;
}

export interface Manifest {
  readonly suites: readonly SuiteEntry[];
  readonly hazards: readonly HazardEntry[];
  /** Model files are named relative to this directory. */
  readonly modelDir: string;
}

const name = z.string({ error: 'a string' }).regex(/^[A-Za-z0-9=._-]+$/, 'a name of letters, digits and = . _ - (it becomes a directory)');
const suitesSchema = z
  .object({
    description: z.string({ error: 'a string' }).optional(),
    suites: z.array(z.object({ name, model: z.string({ error: 'a model file name' }), set: z.record(z.string(), z.union([z.string(), z.number()]), { error: 'an object of knob or bound values' }), gzip: z.boolean({ error: 'true or false' }).optional(), pairs: z.boolean({ error: 'true or false' }).optional(), writes: z.boolean({ error: 'true or false' }).optional(), sequences: z.boolean({ error: 'true or false' }).optional() }).strict()),
    hazards: z.string({ error: 'the hazard table file name' }),
  })
  .strict();

const hazardsSchema = z
  .object({
    description: z.string({ error: 'a string' }).optional(),
    hazards: z.array(
      z
        .object({
          number: z.number({ error: 'an integer' }).int('an integer'),
          name: z.string({ error: 'a string' }),
          model: z.string({ error: 'a model file name' }),
          set: z.record(z.string(), z.string(), { error: 'an object of knob values' }),
          invariant: z.string({ error: 'an invariant name' }),
        })
        .strict(),
    ),
  })
  .strict();

export function loadHazards(path: string): HazardEntry[] {
  return parseJson(path, hazardsSchema, readJson(path)).hazards;
}

export function loadManifest(path: string): Manifest {
  const m = parseJson(path, suitesSchema, readJson(path));
  const modelDir = dirname(resolve(path));
  return { suites: m.suites, hazards: loadHazards(resolve(modelDir, m.hazards)), modelDir };
}
