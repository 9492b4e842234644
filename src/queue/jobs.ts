/**
 * The jobs lsmc hands to a queue, one row per kind: the worker-thread script that runs one, and how
 * a request and a report are read back when they crossed a network. A job is the same request
 * whether it runs on a thread here or on `lsmc worker` elsewhere, so both read this table.
 *
 * Every job carries the digest of the code that answers it (spec, checker, simulation, review): a
 * worker built from other sources would give other results, and refuses the job instead.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { Progress } from '../../checker/explore.js';
import { KNOBS, type KnobName } from '../../spec/knobs.js';
import { BOUNDS } from '../../spec/knobs.js';
import { InputError, parseConfigValue, SIMULATION_BOUNDS } from '../model/config.js';
import { parseWith } from '../model/json-file.js';
import type { Row } from '../review/matrix.js';
import type { RowRequest } from '../review/run.js';
import type { SimulationReport, SimulationRequest } from '../simulate/run.js';
import type { SearchProgress } from '../simulate/search.js';
import { SIMULATED_NAMES } from '../simulate/selection.js';

interface JobTypes {
  readonly simulate: { readonly request: SimulationRequest; readonly progress: SearchProgress; readonly report: SimulationReport };
  readonly review: { readonly request: RowRequest; readonly progress: Progress; readonly report: Row };
}
export type JobKind = keyof JobTypes;
export type RequestOf<K extends JobKind> = JobTypes[K]['request'];
export type ProgressOf<K extends JobKind> = JobTypes[K]['progress'];
export type ReportOf<K extends JobKind> = JobTypes[K]['report'];

export interface JobKindSpec<K extends JobKind> {
  /** What one job of this kind is, for progress lines and worker logs. */
  readonly noun: string;
  readonly script: URL;
  /** A request off the queue, checked as a file would be; `where` names the job in the error. */
  readonly request: (where: string, json: unknown) => RequestOf<K>;
  readonly report: (where: string, json: unknown) => ReportOf<K>;
  /** A running job's progress as a worker published it, or null when it is not one: a line is not worth failing a run for. */
  readonly progress: (json: unknown) => ProgressOf<K> | null;
}

const int = (min: number) => z.number().int().min(min);
const seconds = z.number().min(0);

const simulationRequest = z
  .object({
    config: z.unknown(),
    model: z.string(),
    invariants: z.array(z.enum(SIMULATED_NAMES as [string, ...string[]])),
    runs: int(1),
    depth: int(1),
    seed: int(0).max(0x7fffffff),
    rerun: z.string(),
  })
  .strict();

const simulationReport = z.looseObject({
  result: z.enum(['ok', 'violation', 'interrupted']),
  runs: int(0),
  requestedRuns: int(0),
  steps: int(0),
  seconds,
  invariant: z.string().nullable(),
  notes: z.array(z.string()),
  checked: z.array(z.string()),
  rerun: z.string(),
  trace: z.looseObject({ states: z.array(z.unknown()) }).nullable(),
});

const knobChanges = z.partialRecord(z.enum(Object.keys(KNOBS) as [KnobName, ...KnobName[]]), z.string());

const rowRequest = z
  .object({
    variant: z.object({ name: z.string(), changes: knobChanges, config: z.unknown() }).strict(),
    model: z.string(),
    symmetry: z.boolean(),
    maxStates: int(1).optional(),
    maxSeconds: z.number().positive().optional(),
    rerun: z.string(),
    jobs: int(1).optional(),
  })
  .strict();

const cell = z.union([
  z.object({ verdict: z.literal('holds') }),
  z.object({ verdict: z.literal('broken'), steps: int(0), lasso: z.boolean() }),
  z.object({ verdict: z.literal('undecided'), why: z.string() }),
]);

const row = z.looseObject({
  variant: z.string(),
  changes: knobChanges,
  cells: z.record(z.string(), cell),
  states: int(0),
  transitions: int(0),
  depth: int(0),
  seconds,
  costs: z.looseObject({}).nullable(),
  coverage: z.object({ reached: int(0), possible: int(0), unreached: z.array(z.string()) }).nullable(),
  counterexamples: z.array(z.looseObject({ invariant: z.string() })),
  rerun: z.string(),
});

const searchProgress = z.looseObject({
  phase: z.enum(['search', 'shrink']),
  runs: int(0),
  steps: int(0),
  seconds,
  invariant: z.string().optional(),
  shrinkTries: int(0).optional(),
  shortest: int(0).optional(),
});

const exploreProgress = z.looseObject({ distinct: int(0), transitions: int(0), depth: int(0), queued: int(0), seconds });

const progressOf = <T>(schema: z.ZodType<T>) => (json: unknown): T | null => {
  const r = schema.safeParse(json);
  return r.success ? r.data : null;
};

function parsed<T>(where: string, schema: z.ZodType<T>, json: unknown, field = ''): T {
  const r = parseWith(schema, json);
  if (!r.ok) throw new InputError(where, `${field}${r.field}`, r.expected);
  return r.data;
}

export const JOBS: { readonly [K in JobKind]: JobKindSpec<K> } = {
  simulate: {
    noun: 'shard',
    script: new URL('../simulate/worker.js', import.meta.url),
    request: (where, json) => {
      const r = parsed(where, simulationRequest, json, 'request.');
      return { ...r, config: parseConfigValue(where, r.config, SIMULATION_BOUNDS, 'request.config') };
    },
    // The shapes the merge and the report read are checked; the trace inside is our own replay's.
    report: (where, json) => parsed(where, simulationReport, json) as unknown as SimulationReport,
    progress: progressOf(searchProgress),
  },
  review: {
    noun: 'variant',
    script: new URL('../review/worker.js', import.meta.url),
    request: (where, json) => {
      const r = parsed(where, rowRequest, json, 'request.');
      return { ...r, variant: { ...r.variant, config: parseConfigValue(where, r.variant.config, BOUNDS, 'request.variant.config') } };
    },
    report: (where, json) => parsed(where, row, json) as unknown as Row,
    progress: progressOf(exploreProgress),
  },
};

/** dist/, from dist/src/queue. */
const DIST = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The code a job's answer depends on; the command line, reports and kernel adapter do not change it. */
const ANSWERING = ['spec', 'checker', 'src/simulate', 'src/review', 'src/check', 'src/trace', 'src/model'];

let digest: string | null = null;

/** A short hash of the compiled code that answers jobs: the same sources give the same digest on every machine. */
export function codeDigest(): string {
  if (digest !== null) return digest;
  const hash = createHash('sha256');
  for (const dir of ANSWERING) {
    const root = join(DIST, dir);
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.js'))
      .sort();
    for (const f of files) hash.update(`${dir}/${f}\0`).update(readFileSync(join(root, f))).update('\0');
  }
  digest = hash.digest('hex').slice(0, 16);
  return digest;
}

/** What travels on the queue: the kind, the code digest, where the job sits in its run, and the request. */
export const envelope = z
  .object({
    kind: z.enum(Object.keys(JOBS) as [JobKind, ...JobKind[]]),
    code: z.string(),
    run: z.string(),
    index: int(0),
    total: int(1),
    request: z.unknown(),
  })
  .strict();
export type Envelope = z.infer<typeof envelope>;

export function parseEnvelope(where: string, json: unknown): Envelope {
  return parsed(where, envelope, json);
}
