/**
 * The Informal Trace Format (ITF), both ways: the only module that knows it. Integers are written as
 * {"#bigint": "n"}, lists as arrays, records as objects; each state carries `mbt::actionTaken` and
 * `mbt::nondetPicks` (a record of Option variants), as Quint's model-based testing writes them.
 * `loop`, on a lasso, is the index of the state the last state steps back to.
 */
import { z } from 'zod';
import type { Plain, Record_ } from '../../spec/describe.js';
import type { Trace } from './replay.js';

export type ItfValue =
  | string
  | boolean
  | { readonly '#bigint': string }
  | readonly ItfValue[]
  | { readonly [key: string]: ItfValue };

export interface ItfTrace {
  readonly '#meta': Record<string, unknown>;
  readonly vars: readonly string[];
  readonly states: readonly Record<string, ItfValue>[];
  readonly loop?: number;
}

export const ACTION_VAR = 'mbt::actionTaken';
export const PICKS_VAR = 'mbt::nondetPicks';
export const OBSERVATION_VAR = 'observation';
/** Every choice a step can make; each state records all of them, as Some or None. */
export const PICK_NAMES = ['owner', 'value', 'answer', 'index'] as const;

export function toItfValue(v: Plain): ItfValue {
  if (typeof v === 'number') return { '#bigint': String(v) };
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map(toItfValue);
  return Object.fromEntries(Object.entries(v as Record_).map(([k, x]) => [k, toItfValue(x)]));
}

const NONE: ItfValue = { tag: 'None', value: { '#tup': [] } as unknown as ItfValue };

export function toItf(trace: Trace, stateVars: readonly string[], meta: Record<string, unknown>): ItfTrace {
  const vars = [...stateVars, OBSERVATION_VAR, ACTION_VAR, PICKS_VAR];
  const states = trace.states.map((st, index) => {
    const out: Record<string, ItfValue> = { '#meta': { index: { '#bigint': String(index) } } as unknown as ItfValue };
    for (const name of stateVars) out[name] = toItfValue(st.vars[name]);
    out[OBSERVATION_VAR] = toItfValue(st.step?.observation ?? { kind: 'none', owner: 'none', index: -1, word1: -1, word2: -1 });
    out[ACTION_VAR] = st.step === null ? 'init' : `${st.step.actor}.${st.step.action}`;
    const picks: Record<string, ItfValue> = { actor: { tag: 'Some', value: st.step?.actor ?? 'none' } };
    for (const p of PICK_NAMES) {
      const v = st.step?.picks[p];
      picks[p] = v === undefined ? NONE : { tag: 'Some', value: toItfValue(v) };
    }
    out[PICKS_VAR] = picks;
    return out;
  });
  return trace.loop === undefined ? { '#meta': meta, vars, states } : { '#meta': meta, vars, states, loop: trace.loop };
}

// ---- reading ----

const itfValue: z.ZodType<ItfValue> = z.lazy(() =>
  z.union([
    z.string(),
    z.boolean(),
    z.object({ '#bigint': z.string().regex(/^-?[0-9]+$/, 'an integer in decimal') }).strict(),
    z.array(itfValue),
    z.record(z.string(), itfValue),
  ]),
);

const itfTrace = z
  .object({
    '#meta': z.record(z.string(), z.unknown(), { error: 'an object: the trace header' }),
    params: z.array(z.string(), { error: 'a list of parameter names' }).optional(),
    vars: z.array(z.string(), { error: 'a list of variable names' }),
    states: z.array(z.record(z.string(), z.unknown(), { error: 'a state: an object of variable values' }), { error: 'a list of states' }).min(1, 'at least one state'),
    loop: z.number({ error: 'a state index' }).int('a state index').nonnegative('a state index').optional(),
  })
  .strict();

/** Plain values back from ITF: integers as numbers, Option variants and tuples left as records. */
export function fromItfValue(v: ItfValue): Plain {
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map(fromItfValue);
  const rec = v as { readonly [key: string]: ItfValue };
  if (typeof rec['#bigint'] === 'string') return Number(rec['#bigint']);
  return Object.fromEntries(Object.entries(rec).map(([k, x]) => [k, fromItfValue(x)]));
}

export type ItfProblem = { readonly field: string; readonly expected: string };

/** Validates a parsed JSON document as an ITF trace; a problem names the field and what was expected. */
export function parseItf(json: unknown): { ok: true; trace: ItfTrace } | { ok: false; problem: ItfProblem } {
  const top = itfTrace.safeParse(json);
  if (!top.success) return { ok: false, problem: firstProblem(top.error) };
  const t = top.data;
  if (t.loop !== undefined && t.loop >= t.states.length) return { ok: false, problem: { field: 'loop', expected: `a state index below ${t.states.length}` } };
  for (let i = 0; i < t.states.length; i++) {
    for (const name of t.vars) {
      if (!(name in t.states[i])) return { ok: false, problem: { field: `states[${i}].${name}`, expected: 'a value for every variable in "vars"' } };
      const v = itfValue.safeParse(t.states[i][name]);
      if (!v.success) return { ok: false, problem: { field: `states[${i}].${name}`, expected: 'an ITF value' } };
    }
  }
  return { ok: true, trace: t as unknown as ItfTrace };
}

function firstProblem(error: z.ZodError): ItfProblem {
  const issue = error.issues[0];
  const field = issue.path.length === 0 ? '(top level)' : issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') return { field: issue.keys[0], expected: 'no such field in an ITF trace ("#meta", "params", "vars", "states", "loop")' };
  const missing = issue.code === 'invalid_type' && issue.input === undefined;
  if (missing && issue.path.length === 1) return { field, expected: `an ITF trace, which has "#meta", "vars" and "states" (this file has no "${field}")` };
  return { field, expected: issue.message };
}
