/**
 * Loading traces for replay: files and directories in, validated ITF traces with their
 * configuration out. Every problem is an InputError naming the file, the field and what was
 * expected: a file that is not JSON, not ITF, not an lsmc trace, or whose bounds do not fit.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { STATE_VARS } from '../../spec/describe.js';
import { isBound, isKnob, type Config } from '../../spec/knobs.js';
import { applyOverrides, InputError, parseConfigFile, SIMULATION_BOUNDS } from '../model/config.js';
import { readText } from '../gen/write.js';
import { ACTION_VAR, actionOf, fromItfValue, type ItfTrace, type ItfValue, OBSERVATION_VAR, parseItf, PICKS_VAR } from '../trace/itf.js';
import { isStepName } from '../../spec/steps.js';
import { recogniseJson, recogniseText } from '../trace/foreign.js';
import type { TraceStep } from '../adapter/adapter.js';
import { type Observation, OUTCOMES } from '../../spec/vocabulary.js';
import { z } from 'zod';

export interface LoadedTrace {
  readonly file: string;
  readonly itf: ItfTrace;
  /** The configuration the trace was made in, as `#meta.config` records it. */
  readonly recorded: Config;
  /** The configuration to replay in: the recorded one with --set applied. */
  readonly config: Config;
  /** The invariant a counterexample breaks at its last step, if it is one. */
  readonly invariant: string | null;
  /** steps[i - 1] is the step that leads to state i, and observations[i - 1] what it returned. */
  readonly steps: readonly TraceStep[];
  readonly observations: readonly Observation[];
}

export const TRACE_SUFFIX = '.itf.json';
/** Traces may be stored gzip-compressed. */
export const isTraceFile = (name: string): boolean => name.endsWith(TRACE_SUFFIX) || name.endsWith(`${TRACE_SUFFIX}.gz`);

/** The trace files named by PATH arguments: files as given, directories searched for *.itf.json, sorted. */
export function traceFiles(paths: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (isTraceFile(name)) out.push(full);
    }
  };
  for (const path of paths) {
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      throw new InputError(path, '(file)', 'a trace file or a directory that exists');
    }
    if (isDir) {
      const before = out.length;
      walk(path);
      if (out.length === before) throw new InputError(path, '(directory)', `at least one *${TRACE_SUFFIX} (or .gz) trace`);
    } else {
      out.push(path);
    }
  }
  return out;
}

export function loadTrace(file: string, sets: readonly string[]): LoadedTrace {
  let json: unknown;
  try {
    json = JSON.parse(readText(file));
  } catch (e) {
    const what = recogniseText(readFileSync(file));
    throw new InputError(file, 'format', what === null ? `a JSON ITF trace (${(e as Error).message})` : `an ITF trace lsmc wrote; this is ${what}`);
  }
  const parsed = parseItf(json);
  if (!parsed.ok) {
    const what = recogniseJson(json);
    throw what === null ? new InputError(file, parsed.problem.field, parsed.problem.expected) : new InputError(file, 'format', `an ITF trace lsmc wrote; this is ${what}`);
  }
  const itf = parsed.trace;
  const needed = [...STATE_VARS, OBSERVATION_VAR, ACTION_VAR, PICKS_VAR];
  const missing = needed.find((v) => !itf.vars.includes(v));
  if (missing !== undefined)
    throw new InputError(file, 'vars', `the variables of an lsmc trace (${needed.join(', ')}); "${missing}" is missing, so this is ${recogniseJson(json) ?? 'a trace of another spec'}`);
  const recorded = configOfMeta(file, itf['#meta']);
  let config: Config;
  try {
    config = applyOverrides(recorded, sets, SIMULATION_BOUNDS);
  } catch (e) {
    if (e instanceof InputError) throw new InputError(e.where, e.field, `${e.expected} (replaying ${file})`);
    throw e;
  }
  checkFits(file, itf, config);
  const invariant = typeof itf['#meta'].invariant === 'string' ? itf['#meta'].invariant : null;
  const steps = itf.states.slice(1).map((state, i) => stepOf(file, i + 1, state));
  const observations = itf.states.slice(1).map((state, i) => observationOf(file, i + 1, state));
  return { file, itf, recorded, config, invariant, steps, observations };
}

const OBSERVATION = z.object({
  kind: z.enum(OUTCOMES),
  owner: z.string(),
  index: z.number().int(),
  word1: z.number().int(),
  word2: z.number().int(),
});

function observationOf(file: string, i: number, state: Readonly<Record<string, ItfValue>>): Observation {
  const parsed = OBSERVATION.safeParse(fromItfValue(state[OBSERVATION_VAR]));
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue.path.length === 0 ? '' : `.${issue.path.map(String).join('.')}`;
  const expected = issue.path[0] === 'kind' ? `one of ${OUTCOMES.join(', ')}` : 'an observation { kind, owner, index, word1, word2 }, as lsmc writes it';
  throw new InputError(file, `states[${i}].${OBSERVATION_VAR}${field}`, expected);
}

/** State i's `mbt::actionTaken` ("K1.create.alloc") and picks as a step of the spec's table. */
function stepOf(file: string, i: number, state: Readonly<Record<string, ItfValue>>): TraceStep {
  const { taken, picks } = actionOf(state);
  const dot = taken.indexOf('.');
  const actor = dot < 0 ? taken : taken.slice(0, dot);
  const action = dot < 0 ? '' : taken.slice(dot + 1);
  if (!isStepName(action)) throw new InputError(file, `states[${i}].${ACTION_VAR}`, `an actor and a step of the spec, e.g. "K1.create.alloc" (not "${taken}")`);
  const { owner, value, answer, index } = picks;
  return {
    actor,
    action,
    picks: {
      ...(typeof owner === 'string' ? { owner } : {}),
      ...(typeof value === 'number' ? { value } : {}),
      ...(typeof answer === 'string' ? { answer } : {}),
      ...(typeof index === 'number' ? { index } : {}),
    },
  };
}

function configOfMeta(file: string, meta: Record<string, unknown>): Config {
  const flat = meta.config;
  if (typeof flat !== 'object' || flat === null || Array.isArray(flat)) throw new InputError(file, '#meta.config', 'the configuration the trace was made in (knobs and bounds), as lsmc writes it');
  const knobs: Record<string, unknown> = {};
  const bounds: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(flat)) {
    if (isKnob(name)) knobs[name] = value;
    else if (isBound(name)) bounds[name] = value;
    else throw new InputError(file, `#meta.config.${name}`, 'a knob or bound name (see lsmc knobs)');
  }
  const text = JSON.stringify({ name: 'trace', description: '', knobs, bounds });
  try {
    return parseConfigFile(file, text, SIMULATION_BOUNDS).config;
  } catch (e) {
    if (e instanceof InputError) throw new InputError(file, `#meta.config.${e.field.replace(/^(knobs|bounds)\./, '')}`, e.expected);
    throw e;
  }
}

/** The trace's states must have the shape the configuration gives: as many slots, pages, owners, contexts, readers. */
function checkFits(file: string, itf: ItfTrace, config: Config): void {
  const s0 = itf.states[0];
  const count = (name: string): number => {
    const v = fromItfValue(s0[name]);
    if (Array.isArray(v)) return v.length;
    return typeof v === 'object' && v !== null ? Object.keys(v).length : -1;
  };
  const b = config.bounds;
  const want: [string, number, number, string][] = [
    ['slots', count('slots'), (b.slotsPerPage as number) * (b.maxPages as number), 'slotsPerPage x maxPages'],
    ['pages', count('pages'), b.maxPages as number, 'maxPages'],
    ['owners', count('owners'), b.owners as number, 'owners'],
    ['kernel', count('kernel'), b.kernelContexts as number, 'kernelContexts'],
    ['readers', count('readers'), b.readers as number, 'readers'],
  ];
  for (const [variable, has, expected, bound] of want)
    if (has !== expected) throw new InputError(file, `states[0].${variable}`, `${expected} entries for ${bound} = ${expected} in the replay configuration; the trace has ${has} (its bounds do not fit)`);
}
