/**
 * Model files (model/*.json) and --set overrides, validated with zod. Every problem names the file
 * or flag, the field and what was expected; nothing is filled in silently except the knobs a file
 * leaves out, which take the reference design's values (the documented default).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { configProblem } from '../../spec/index.js';
import {
  BOUNDS,
  type BoundName,
  type BoundValue,
  type Bounds,
  type Config,
  isBound,
  isKnob,
  KNOBS,
  type KnobName,
  type Knobs,
  REFERENCE_KNOBS,
  UNBOUNDABLE,
  UNBOUNDED,
} from '../../spec/knobs.js';

export { InputError } from './input-error.js';
import { InputError } from './input-error.js';
import { parseWith } from './json-file.js';
import { recogniseJson, recogniseText } from '../trace/foreign.js';

export interface NamedConfig {
  readonly name: string;
  readonly description: string;
  readonly config: Config;
}

/** The range each bound may take: BOUNDS for exhaustive checking, SIMULATION_BOUNDS for random walks. */
export type BoundCeilings = { readonly [B in BoundName]: { readonly min: number; readonly max: number } };

/**
 * Random walks need no finite state space, so `lsmc simulate` accepts larger bounds. What still
 * caps them is the packed state: every field is a byte. An owner + 1 (and the grace marker, owners
 * + 1) is stored in one, so is an index + 1 and the published size in slots, so that the slots,
 * slotsPerPage x maxPages, must stay below 256 (checked in `simulationBoundsProblem`). seq, gen and
 * a slot's allocation epoch count modulo 256; each kernel operation bumps a slot's seq at most
 * twice and its element's destroy twice more, so kernelContexts x kernelOps <= 63 keeps seq (and
 * gen, and the epoch) from wrapping, as BOUNDS does. A reader's `seen` bits hold values 0..7.
 * Owner names run A..Z and then O27, O28, ... (spec/names.ts).
 */
export const SIMULATION_BOUNDS: BoundCeilings = {
  owners: { min: 1, max: 48 },
  pidNumbers: { min: 1, max: 48 },
  slotsPerPage: { min: 1, max: 64 },
  maxPages: { min: 1, max: 32 },
  kernelContexts: { min: 1, max: 16 },
  readers: { min: 1, max: 16 },
  values: { min: 1, max: 7 },
  kernelOps: { min: 1, max: 63 },
  readerOps: { min: 1, max: 255 },
  readRetries: { min: 1, max: 16 },
};

/** The largest slot count and kernel-operation total whose counters fit a byte without wrapping. */
export const SIMULATION_MAX_SLOTS = 255;
export const SIMULATION_MAX_KERNEL_OPS = 63;

/** A problem with bounds that are each within SIMULATION_BOUNDS but do not fit together. */
export function simulationBoundsProblem(bounds: Bounds): { field: BoundName; expected: string } | null {
  const { slotsPerPage, maxPages, kernelContexts, kernelOps } = bounds;
  if (typeof slotsPerPage === 'number' && typeof maxPages === 'number' && slotsPerPage * maxPages > SIMULATION_MAX_SLOTS)
    return { field: 'maxPages', expected: `at most ${Math.floor(SIMULATION_MAX_SLOTS / slotsPerPage)} with slotsPerPage ${slotsPerPage} (slotsPerPage x maxPages at most ${SIMULATION_MAX_SLOTS}: an index is stored in a byte)` };
  if (typeof kernelContexts === 'number' && typeof kernelOps === 'number' && kernelContexts * kernelOps > SIMULATION_MAX_KERNEL_OPS)
    return { field: 'kernelOps', expected: `at most ${Math.floor(SIMULATION_MAX_KERNEL_OPS / kernelContexts)} with kernelContexts ${kernelContexts}, or "${UNBOUNDED}" (kernelContexts x kernelOps at most ${SIMULATION_MAX_KERNEL_OPS}: seq counts modulo 256)` };
  return null;
}

const boundExpectation = (name: BoundName, ceilings: BoundCeilings = BOUNDS): string => {
  const b = ceilings[name];
  const range = `an integer from ${b.min} to ${b.max}`;
  return UNBOUNDABLE.includes(name) ? `${range} or "${UNBOUNDED}"` : range;
};

const boundSchema = (name: BoundName, ceilings: BoundCeilings = BOUNDS) => {
  const b = ceilings[name];
  const expected = boundExpectation(name, ceilings);
  const int = z.number({ error: expected }).int(expected).min(b.min, expected).max(b.max, expected);
  return UNBOUNDABLE.includes(name) ? z.union([int, z.literal(UNBOUNDED)], { error: expected }) : int;
};

const knobExpectation = (name: KnobName): string => `one of ${KNOBS[name].values.map((v) => `"${v}"`).join(', ')}`;

const knobsSchema = z
  .object(
    Object.fromEntries(
      (Object.keys(KNOBS) as KnobName[]).map((k) => [k, z.enum(KNOBS[k].values, { error: knobExpectation(k) }).optional()]),
    ),
  )
  .strict();

const boundsSchema = (ceilings: BoundCeilings) =>
  z.object(Object.fromEntries((Object.keys(BOUNDS) as BoundName[]).map((b) => [b, boundSchema(b, ceilings)]))).strict();

const fileSchemaFor = (ceilings: BoundCeilings) =>
  z
    .object({
      name: z.string({ error: 'a string' }).min(1, 'a non-empty string'),
      description: z.string({ error: 'a string' }),
      knobs: knobsSchema.optional(),
      bounds: boundsSchema(ceilings),
    })
    .strict();

const fileSchema = fileSchemaFor(BOUNDS);

/** The knobs and bounds are too many to list in one line; their table is one command away. */
const unknownConfigField = (path: readonly PropertyKey[]): string | undefined =>
  path[0] === 'knobs' ? 'a knob name (see lsmc knobs)' : path[0] === 'bounds' ? 'a bound name (see lsmc knobs)' : undefined;

export function parseConfigFile(path: string, text: string, ceilings: BoundCeilings = BOUNDS): NamedConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const what = recogniseText(new TextEncoder().encode(text));
    throw new InputError(path, what === null ? '(file)' : 'format', what === null ? `JSON (${(e as Error).message})` : `a model file; this is ${what}`);
  }
  const parsed = parseWith(ceilings === BOUNDS ? fileSchema : fileSchemaFor(ceilings), json, unknownConfigField);
  if (!parsed.ok) {
    const what = recogniseJson(json);
    if (what !== null && !what.startsWith('an lsmc model file')) throw new InputError(path, 'format', `a model file; this is ${what}`);
    throw new InputError(path, parsed.field, parsed.expected);
  }
  const d = parsed.data;
  const knobs = { ...REFERENCE_KNOBS, ...(d.knobs ?? {}) } as Knobs;
  const config: Config = { knobs, bounds: d.bounds as Bounds };
  const problem = configProblem(config);
  if (problem) throw new InputError(path, `knobs.${problem.field}`, problem.expected);
  return { name: d.name, description: d.description, config };
}

/**
 * A configuration that came from elsewhere than a model file (a job on a queue): every knob and
 * bound present, each within `ceilings`, and the knobs compatible with each other. `where` names
 * the source in the one-line error.
 */
export function parseConfigValue(where: string, json: unknown, ceilings: BoundCeilings = BOUNDS, field = 'config'): Config {
  const schema = z.object({ knobs: knobsSchema.required(), bounds: boundsSchema(ceilings) }).strict();
  const parsed = parseWith(schema, json, unknownConfigField);
  if (!parsed.ok) throw new InputError(where, `${field}.${parsed.field}`, parsed.expected);
  const config: Config = { knobs: parsed.data.knobs as Knobs, bounds: parsed.data.bounds as Bounds };
  const problem = configProblem(config) ?? (ceilings === SIMULATION_BOUNDS ? simulationBoundsProblem(config.bounds) : null);
  if (problem) throw new InputError(where, `${field}.${problem.field}`, problem.expected);
  return config;
}

export function loadConfigFile(path: string, ceilings: BoundCeilings = BOUNDS): NamedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(path, '(file)', code === 'ENOENT' ? 'a model file that exists' : `a readable file (${code ?? 'unreadable'})`);
  }
  return parseConfigFile(path, text, ceilings);
}

/** Applies `--set name=value` overrides in order; a later one wins. */
/**
 * `flags`, parallel to `sets`, names the flag each change came from (--set unless said: lsmc compare's
 * --a and --b), so that a bad one is blamed on the flag the user wrote.
 */
export function applyOverrides(config: Config, sets: readonly string[], ceilings: BoundCeilings = BOUNDS, flags: readonly string[] = []): Config {
  const knobs: Record<string, string> = { ...config.knobs };
  const bounds: Record<string, BoundValue> = { ...config.bounds };
  const from = (i: number): string => flags[i] ?? '--set';
  for (const [i, set] of sets.entries()) {
    const flag = `${from(i)} ${set}`;
    const eq = set.indexOf('=');
    if (eq <= 0) throw new InputError(flag, set, `name=value, e.g. ${from(i)} validation=none`);
    const name = set.slice(0, eq);
    const value = set.slice(eq + 1);
    if (isKnob(name)) {
      if (!(KNOBS[name].values as readonly string[]).includes(value)) throw new InputError(flag, name, knobExpectation(name));
      knobs[name] = value;
    } else if (isBound(name)) {
      const parsed = value === UNBOUNDED ? value : /^[0-9]+$/.test(value) ? Number(value) : NaN;
      const check = boundSchema(name, ceilings).safeParse(parsed);
      if (!check.success) throw new InputError(flag, name, boundExpectation(name, ceilings));
      bounds[name] = check.data as BoundValue;
    } else {
      throw new InputError(flag, name, 'a knob or bound name (see lsmc knobs)');
    }
  }
  const out: Config = { knobs: knobs as unknown as Knobs, bounds: bounds as unknown as Bounds };
  const problem = configProblem(out);
  if (problem) {
    // The flag of the last change to the field the problem names, or --set.
    const last = sets.findLastIndex((set) => set.startsWith(`${problem.field}=`));
    throw new InputError(last < 0 ? '--set' : from(last), problem.field, problem.expected);
  }
  return out;
}

/**
 * A model file and --set overrides for `lsmc simulate`: bounds up to SIMULATION_BOUNDS, and bounds
 * that fit together in the packed state. A joint problem is blamed on the file when the file alone
 * has it, on --set otherwise.
 */
export function loadSimulationConfig(path: string, sets: readonly string[]): NamedConfig {
  const named = loadConfigFile(path, SIMULATION_BOUNDS);
  const inFile = simulationBoundsProblem(named.config.bounds);
  if (inFile) throw new InputError(path, `bounds.${inFile.field}`, inFile.expected);
  const config = applyOverrides(named.config, sets, SIMULATION_BOUNDS);
  const joint = simulationBoundsProblem(config.bounds);
  if (joint) throw new InputError('--set', joint.field, joint.expected);
  return { ...named, config };
}
