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

/** Bad input: exit 2 with one line naming where, which field, and what was expected. */
export class InputError extends Error {
  constructor(
    readonly where: string,
    readonly field: string,
    readonly expected: string,
  ) {
    super(`${where}: ${field}: expected ${expected}`);
  }
}

export interface NamedConfig {
  readonly name: string;
  readonly description: string;
  readonly config: Config;
}

const boundExpectation = (name: BoundName): string => {
  const b = BOUNDS[name];
  const range = `an integer from ${b.min} to ${b.max}`;
  return UNBOUNDABLE.includes(name) ? `${range} or "${UNBOUNDED}"` : range;
};

const boundSchema = (name: BoundName) => {
  const b = BOUNDS[name];
  const int = z.number({ error: boundExpectation(name) }).int(boundExpectation(name)).min(b.min, boundExpectation(name)).max(b.max, boundExpectation(name));
  return UNBOUNDABLE.includes(name) ? z.union([int, z.literal(UNBOUNDED)], { error: boundExpectation(name) }) : int;
};

const knobExpectation = (name: KnobName): string => `one of ${KNOBS[name].values.map((v) => `"${v}"`).join(', ')}`;

const knobsSchema = z
  .object(
    Object.fromEntries(
      (Object.keys(KNOBS) as KnobName[]).map((k) => [k, z.enum(KNOBS[k].values, { error: knobExpectation(k) }).optional()]),
    ),
  )
  .strict();

const boundsSchema = z
  .object(Object.fromEntries((Object.keys(BOUNDS) as BoundName[]).map((b) => [b, boundSchema(b)])))
  .strict();

const fileSchema = z
  .object({
    name: z.string({ error: 'a string' }).min(1, 'a non-empty string'),
    description: z.string({ error: 'a string' }),
    knobs: knobsSchema.optional(),
    bounds: boundsSchema,
  })
  .strict();

function describeIssue(issue: z.core.$ZodIssue): { field: string; expected: string } {
  const field = issue.path.length === 0 ? '(top level)' : issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const where = issue.path.length === 0 ? '' : `${field}.`;
    const known = issue.path[0] === 'knobs' ? 'a knob name (see lsmc knobs)' : issue.path[0] === 'bounds' ? 'a bound name (see lsmc knobs)' : 'one of name, description, knobs, bounds';
    return { field: `${where}${issue.keys[0]}`, expected: `no such field; ${known}` };
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) return { field, expected: issue.message === 'Invalid input' ? 'a value' : `${issue.message} (the field is missing)` };
  return { field, expected: issue.message };
}

export function parseConfigFile(path: string, text: string): NamedConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError(path, '(file)', `JSON (${(e as Error).message})`);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const { field, expected } = describeIssue(parsed.error.issues[0]);
    throw new InputError(path, field, expected);
  }
  const d = parsed.data;
  const knobs = { ...REFERENCE_KNOBS, ...(d.knobs ?? {}) } as Knobs;
  const config: Config = { knobs, bounds: d.bounds as Bounds };
  const problem = configProblem(config);
  if (problem) throw new InputError(path, `knobs.${problem.field}`, problem.expected);
  return { name: d.name, description: d.description, config };
}

export function loadConfigFile(path: string): NamedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(path, '(file)', code === 'ENOENT' ? 'a model file that exists' : `a readable file (${code ?? 'unreadable'})`);
  }
  return parseConfigFile(path, text);
}

/** Applies `--set name=value` overrides in order; a later one wins. */
export function applyOverrides(config: Config, sets: readonly string[]): Config {
  const knobs: Record<string, string> = { ...config.knobs };
  const bounds: Record<string, BoundValue> = { ...config.bounds };
  for (const set of sets) {
    const flag = `--set ${set}`;
    const eq = set.indexOf('=');
    if (eq <= 0) throw new InputError(flag, set || '(empty)', 'name=value, e.g. --set validation=none');
    const name = set.slice(0, eq);
    const value = set.slice(eq + 1);
    if (isKnob(name)) {
      if (!(KNOBS[name].values as readonly string[]).includes(value)) throw new InputError(flag, name, knobExpectation(name));
      knobs[name] = value;
    } else if (isBound(name)) {
      const parsed = value === UNBOUNDED ? value : /^[0-9]+$/.test(value) ? Number(value) : NaN;
      const check = boundSchema(name).safeParse(parsed);
      if (!check.success) throw new InputError(flag, name, boundExpectation(name));
      bounds[name] = check.data as BoundValue;
    } else {
      throw new InputError(flag, name, 'a knob or bound name (see lsmc knobs)');
    }
  }
  const out: Config = { knobs: knobs as unknown as Knobs, bounds: bounds as unknown as Bounds };
  const problem = configProblem(out);
  if (problem) throw new InputError('--set', problem.field, problem.expected);
  return out;
}
