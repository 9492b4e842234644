/**
 * Reading a JSON file we were given, checked by a zod schema: every problem is one InputError naming
 * the file and the field (`suites[0].model`), in lsmc's words rather than the validator's: a missing
 * field says so, an unknown one is told the known fields and the nearest of them, and zod's own messages ("Invalid input:
 * expected string, received undefined") are never shown.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { InputError } from './input-error.js';
import { didYouMean } from './nearest.js';

export function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new InputError(path, '(file)', 'a file that exists');
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(path, '(file)', `JSON (${(e as Error).message})`);
  }
}

type Path = readonly PropertyKey[];

/** `suites[0].model`, as a reader writes it. */
export function fieldName(path: Path): string {
  if (path.length === 0) return '(top level)';
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`)).join('');
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  null: 'null',
};

const plural = (n: number | bigint, one: string, many: string): string => `${n} ${Number(n) === 1 ? one : many}`;

/** What zod's default message would say, said as lsmc says it; a schema's own message takes precedence. */
function lsmcWords(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return TYPE_WORDS[issue.expected] ?? `a ${issue.expected}`;
    case 'too_small':
      return issue.origin === 'array' ? `at least ${plural(issue.minimum, 'entry', 'entries')}` : issue.origin === 'string' ? `at least ${plural(issue.minimum, 'character', 'characters')}` : `at least ${issue.minimum}`;
    case 'too_big':
      return issue.origin === 'array' ? `at most ${plural(issue.maximum, 'entry', 'entries')}` : issue.origin === 'string' ? `at most ${plural(issue.maximum, 'character', 'characters')}` : `at most ${issue.maximum}`;
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_format':
      return issue.format === 'regex' && 'pattern' in issue ? `text matching ${String(issue.pattern)}` : `a ${issue.format}`;
    case 'unrecognized_keys':
      return 'no such field';
    case 'invalid_union':
      return 'one of the forms this field takes';
    default:
      return undefined;
  }
}

const present = (json: unknown, path: Path): boolean => {
  let at: unknown = json;
  for (const key of path) {
    if (typeof at !== 'object' || at === null || !Object.hasOwn(at, key)) return false;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at !== undefined;
};

/** The object schema whose fields live at `path`, looking through lists, optionals and nullables. */
function objectAt(schema: z.ZodType, path: Path): z.ZodObject | null {
  let at: z.ZodType = schema;
  const unwrap = (): void => {
    while (at instanceof z.ZodOptional || at instanceof z.ZodNullable) at = at.unwrap() as z.ZodType;
  };
  for (const key of path) {
    unwrap();
    if (at instanceof z.ZodArray && typeof key === 'number') at = at.element as z.ZodType;
    else if (at instanceof z.ZodObject && typeof key === 'string' && key in at.shape) at = at.shape[key] as z.ZodType;
    else return null;
  }
  unwrap();
  return at instanceof z.ZodObject ? at : null;
}

export type Parsed<T> = { readonly ok: true; readonly data: T } | { readonly ok: false; readonly field: string; readonly expected: string };

/**
 * Checks `json` against `schema`, describing the first problem. `unknownField` may replace the list
 * of known fields for an object too large to list (the knobs: "see lsmc knobs").
 */
export function parseWith<T>(schema: z.ZodType<T>, json: unknown, unknownField?: (path: Path) => string | undefined): Parsed<T> {
  const r = schema.safeParse(json, { error: lsmcWords });
  if (r.success) return { ok: true, data: r.data };
  const issue = r.error.issues[0];
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0];
    const known = Object.keys(objectAt(schema, issue.path)?.shape ?? {});
    const what = unknownField?.(issue.path) ?? (known.length > 0 ? `one of the fields ${known.join(', ')}` : 'no field here');
    return { ok: false, field: fieldName([...issue.path, key]), expected: `${what}${didYouMean(key, known)}` };
  }
  // A missing field reaches zod as undefined of the wrong type; say which it was.
  const missing = issue.code === 'invalid_type' && !present(json, issue.path);
  return { ok: false, field: fieldName(issue.path), expected: missing ? `${issue.message} (the field is missing)` : issue.message };
}

export function parseJson<T>(path: string, schema: z.ZodType<T>, json: unknown): T {
  const r = parseWith(schema, json);
  if (r.ok) return r.data;
  throw new InputError(path, r.field, r.expected);
}
