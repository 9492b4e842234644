/**
 * The Informal Trace Format (ITF), both ways: the only module that knows it. Integers are written as
 * {"#bigint": "n"}, lists as arrays, tuples as {"#tup": [...]}, variants (Quint's sum types, Option's
 * Some and None among them) as {"tag", "value"}, records as objects; each state carries
 * `mbt::actionTaken` and `mbt::nondetPicks` (a record of Option variants), as Quint's model-based
 * testing writes them. `loop`, on a lasso, is the index of the state the last state steps back to.
 * The header (`#meta`) and the text of a trace file are made here and nowhere else.
 */
import { z } from 'zod';
import { parseWith } from '../model/json-file.js';
import type { Plain, Record_ } from '../../spec/describe.js';
import type { Trace } from './replay.js';

export type ItfValue =
  | string
  | boolean
  | { readonly '#bigint': string }
  | { readonly '#tup': readonly ItfValue[] }
  | { readonly tag: string; readonly value: ItfValue }
  | readonly ItfValue[]
  | { readonly [key: string]: ItfValue };

/** A variant as Plain values carry it back: its tag and its payload. */
export interface Variant {
  readonly tag: string;
  readonly value: Plain;
}

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

/** Option's two variants, as Quint writes them: None carries the empty tuple. */
export const itfSome = (v: ItfValue): ItfValue => ({ tag: 'Some', value: v });
export const ITF_NONE: ItfValue = { tag: 'None', value: { '#tup': [] } };

export const ITF_SOURCE = 'lsmc';

/**
 * A trace's header: the format, where it is described, who wrote it, then the writer's own fields
 * in the order given (files are compared byte for byte, so the order is part of the format).
 */
export function itfHeader(fields: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return { format: 'ITF', 'format-description': 'https://apalache-mc.org/docs/adr/015adr-trace.html', source: ITF_SOURCE, ...fields };
}

/** What a counterexample found by check or simulate says of itself; `extra` follows, in its order. */
export interface CounterexampleFacts {
  readonly invariant: string;
  readonly explanation: string;
  readonly model: string;
  readonly config: Readonly<Record<string, string | number>>;
  readonly rerun: string;
}

export function counterexampleHeader(c: CounterexampleFacts, extra: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return itfHeader({ description: `Counterexample to ${c.invariant}: ${c.explanation}`, status: 'violation', invariant: c.invariant, model: c.model, config: c.config, rerun: c.rerun, ...extra });
}

/** A trace file's text: one state per line, compact, and still readable and diffable line by line. */
export function itfText(t: ItfTrace): string {
  const states = t.states.map((st) => JSON.stringify(st)).join(',\n');
  const loop = t.loop === undefined ? '' : `,"loop":${t.loop}`;
  return `{"#meta":${JSON.stringify(t['#meta'])},"vars":${JSON.stringify(t.vars)},"states":[\n${states}\n]${loop}}\n`;
}

export function toItf(trace: Trace, stateVars: readonly string[], meta: Record<string, unknown>): ItfTrace {
  const vars = [...stateVars, OBSERVATION_VAR, ACTION_VAR, PICKS_VAR];
  const states = trace.states.map((st, index) => {
    const out: Record<string, ItfValue> = { '#meta': { index: { '#bigint': String(index) } } };
    for (const name of stateVars) out[name] = toItfValue(st.vars[name]);
    out[OBSERVATION_VAR] = toItfValue(st.step?.observation ?? { kind: 'none', owner: 'none', index: -1, word1: -1, word2: -1 });
    out[ACTION_VAR] = st.step === null ? 'init' : `${st.step.actor}.${st.step.action}`;
    const picks: Record<string, ItfValue> = { actor: itfSome(st.step?.actor ?? 'none') };
    for (const p of PICK_NAMES) {
      const v = st.step?.picks[p];
      picks[p] = v === undefined ? ITF_NONE : itfSome(toItfValue(v));
    }
    out[PICKS_VAR] = picks;
    return out;
  });
  return trace.loop === undefined ? { '#meta': meta, vars, states } : { '#meta': meta, vars, states, loop: trace.loop };
}

// ---- reading ----

const RESERVED: ReadonlySet<string> = new Set(['#bigint', '#tup', '#set', '#map', '#unserializable']);

/**
 * What zod's union of the ITF forms accepted, as one walk: a union tries every branch of every
 * nested value and builds an issue for each branch that fails, which made loading the committed
 * suite spend seconds in zod. A string, a boolean, `{ "#bigint": decimal }`, `{ "#tup": [...] }`, an
 * array, or a record (a variant `{ tag, value }` is one) whose keys are none of ITF's own forms: a
 * key of those makes the value that form or nothing, so a malformed integer is not a record.
 */
function isItfValue(v: unknown): v is ItfValue {
  if (typeof v === 'string' || typeof v === 'boolean') return true;
  if (Array.isArray(v)) return v.every(isItfValue);
  if (typeof v !== 'object' || v === null) return false;
  const rec = v as Record<string, unknown>;
  const keys = Object.keys(rec);
  if (keys.length === 1 && keys[0] === '#bigint') return typeof rec['#bigint'] === 'string' && /^-?[0-9]+$/.test(rec['#bigint']);
  if (keys.length === 1 && keys[0] === '#tup') return Array.isArray(rec['#tup']) && rec['#tup'].every(isItfValue);
  return keys.every((k) => !RESERVED.has(k) && isItfValue(rec[k]));
}

const itfValue = z.custom<ItfValue>(isItfValue, { error: 'an ITF value' });

const itfTrace = z
  .object({
    '#meta': z.record(z.string(), z.unknown(), { error: 'an object: the trace header' }),
    params: z.array(z.string(), { error: 'a list of parameter names' }).optional(),
    vars: z.array(z.string(), { error: 'a list of variable names' }),
    states: z.array(z.record(z.string(), z.unknown(), { error: 'a state: an object of variable values' }), { error: 'a list of states' }).min(1, 'at least one state'),
    loop: z.number({ error: 'a state index' }).int('a state index').nonnegative('a state index').optional(),
  })
  .strict();

/**
 * Plain values back from ITF: integers as numbers, tuples as arrays, a variant as `{ tag, value }`
 * with its payload decoded (read an Option with `optionValue`).
 */
export function fromItfValue(v: ItfValue): Plain {
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map(fromItfValue);
  const rec = v as { readonly [key: string]: ItfValue };
  if (typeof rec['#bigint'] === 'string') return Number(rec['#bigint']);
  if (Array.isArray(rec['#tup']) && Object.keys(rec).length === 1) return (rec['#tup'] as readonly ItfValue[]).map(fromItfValue);
  return Object.fromEntries(Object.entries(rec).map(([k, x]) => [k, fromItfValue(x)]));
}

const isVariant = (v: Plain | undefined): v is Plain & Variant =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { tag?: unknown }).tag === 'string' && 'value' in v && Object.keys(v).length === 2;

/** The payload of a decoded Option: Some's value, undefined for None or anything that is not an Option. */
export function optionValue(v: Plain | undefined): Plain | undefined {
  return isVariant(v) && v.tag === 'Some' ? v.value : undefined;
}

/** A state's `mbt::actionTaken` and the Some picks of its `mbt::nondetPicks`, decoded. */
export function actionOf(state: Readonly<Record<string, ItfValue>>): { readonly taken: string; readonly picks: Readonly<Record<string, Plain>> } {
  const picks = fromItfValue(state[PICKS_VAR]);
  const out: Record<string, Plain> = {};
  if (typeof picks === 'object' && picks !== null && !Array.isArray(picks))
    for (const [name, v] of Object.entries(picks)) {
      const some = optionValue(v);
      if (some !== undefined) out[name] = some;
    }
  return { taken: String(fromItfValue(state[ACTION_VAR])), picks: out };
}

export type ItfProblem = { readonly field: string; readonly expected: string };

/** Validates a parsed JSON document as an ITF trace; a problem names the field and what was expected. */
export function parseItf(json: unknown): { ok: true; trace: ItfTrace } | { ok: false; problem: ItfProblem } {
  if (typeof json === 'object' && json !== null && !Array.isArray(json)) {
    const absent = ['#meta', 'vars', 'states'].find((k) => !Object.hasOwn(json, k));
    if (absent !== undefined) return { ok: false, problem: { field: absent, expected: `an ITF trace, which has "#meta", "vars" and "states" (this file has no "${absent}")` } };
  }
  const top = parseWith(itfTrace, json);
  if (!top.ok) return { ok: false, problem: { field: top.field, expected: top.expected } };
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

