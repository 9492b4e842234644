/**
 * What replay asks of an implementation of the design, whatever it is (the reference in shared
 * memory today, the real kernel tomorrow): take one step of a trace, say what it observed, and show
 * the state a user can see. Everything is in the trace's vocabulary: owners A, B, ...; kernel
 * contexts K1...; readers R1...; steps named as `mbt::actionTaken` names them.
 */
import type { Config } from '../../spec/knobs.js';
import type { StepName } from '../../spec/steps.js';
import type { Observation } from '../../spec/vocabulary.js';

export interface TraceStep {
  /** A, B, ... (an owner's lifecycle), K1..., R1..., or RCU. */
  readonly actor: string;
  /** spawn, create, create.alloc, lookup, read.uid, grace-period, ...: a step of the spec's table. */
  readonly action: StepName;
  readonly picks: { readonly owner?: string; readonly value?: number; readonly answer?: string; readonly index?: number };
}

export type { Observation } from '../../spec/vocabulary.js';

/**
 * Facts a real implementation can show beyond the trace's observation: for an accepted value, the
 * owner each word was really written for (values carry their writer's identity).
 */
export interface Evidence {
  readonly word1For?: string;
  readonly word2For?: string;
  /** The slot the value was read from, and the owner its uid names right after the last load ('none': empty). */
  readonly index?: number;
  readonly slotOwner?: string;
}

export type StepResult =
  | { readonly kind: 'took'; readonly observation: Observation; readonly evidence: Evidence }
  /** The step must wait (a lock is held): it did not happen. */
  | { readonly kind: 'blocked'; readonly reason: string }
  /** The implementation cannot take this step at all here (its next step is another one, or a precondition fails). */
  | { readonly kind: 'refused'; readonly reason: string }
  /**
   * The spec takes the step but this implementation cannot express it at all (a real kernel holds
   * no freed object, say): the trace is skipped with the reason, not counted as a divergence.
   */
  | { readonly kind: 'inexpressible'; readonly reason: string };

export interface VisibleSlot {
  readonly seq: number;
  /** The owner the slot names (uid) or its pid number (-1: none), as the trace's slot var has it. */
  readonly ident: string | number;
  readonly gen: number;
  readonly word1: number;
  readonly word2: number;
  /** Who each nonzero word was written for; `none` for a zero word. */
  readonly word1For: string;
  readonly word2For: string;
}

/**
 * The parts of the state an implementation may be able to show, each compared after every step
 * when the adapter declares it. What is not declared is left out and named in replay's report.
 */
export const VISIBLE_PARTS = {
  slots: "each slot's seq, identity, gen and value words, and whom each word was written for",
  allocator: "each slot's allocation: free, waiting for a grace period, or whose element it holds",
  pages: 'each page: present in the kernel or not, and its user view',
  publishedSize: 'the published size',
  owners: "each owner's phase, pid number and owner -> index link",
  cursors: "the allocator's cursor (cyclic), free list and high-water mark (lifo), each slot's allocation epoch, and the pid allocator's cursor",
  references: "each owner's reference count and whether a create is under way for it (createRace=locked)",
  held: "the element each kernel context works on and whether its RCU read-side marker protects it, and the element each owner's free path is destroying",
  readers: "each reader's cached answer (owner, index, uid or pid, gen) and the retries of its read under way",
} as const;
export type VisiblePart = keyof typeof VISIBLE_PARTS;
export const VISIBLE_PART_NAMES = Object.keys(VISIBLE_PARTS) as VisiblePart[];

/** The state as an implementation shows it: the parts its adapter declares, the others absent. */
export interface VisibleState {
  readonly slots?: readonly VisibleSlot[];
  readonly allocator?: readonly string[];
  readonly pages?: readonly { readonly kernel: string; readonly view: string }[];
  readonly publishedSize?: number;
  readonly owners?: Readonly<Record<string, { readonly phase: string; readonly pid: number; readonly link: number }>>;
  readonly cursors?: Cursors;
  readonly references?: Readonly<Record<string, { readonly refs: number; readonly creating: boolean }>>;
  /** Keyed K1..., then A, B, ... (an owner's free path, which never holds an RCU marker). */
  readonly held?: Readonly<Record<string, { readonly index: number; readonly rcu: boolean }>>;
  readonly readers?: Readonly<Record<string, VisibleReader>>;
}

/** What a reader carries from one operation to the next, and within a read. */
export interface VisibleReader {
  /** The owner the cached answer is for ('none': nothing cached); the other cache fields are -1 then. */
  readonly cacheOwner: string;
  readonly cacheIndex: number;
  /** The slot's uid (as the owner it names) or pid number when the answer was cached. */
  readonly cacheIdent: string | number;
  /** The slot's gen when the answer was cached: a number, or, in a trace, 'stale' (older than the slot's gen). */
  readonly cacheGen: number | 'stale';
  readonly retries: number;
}

/** State no user sees that decides what later steps do: a wrong value here shows only steps later. */
export interface Cursors {
  readonly allocCursor: number;
  /** The lifo free list, bottom first (empty under the other policies). */
  readonly freeList: readonly number[];
  readonly highWater: number;
  /** How many times each slot was handed out (the element's name with its index), as the trace's counters keep it. */
  readonly epochs: readonly number[];
  readonly pidCursor: number;
}

/**
 * What an implementation can do. `drive`: `step`, every atomic step of the spec on its own (so that
 * a trace's interleavings, waits and refusals can be checked), or `operation`, only whole
 * operations (then replay runs a trace only where no operation interleaves with another, checks
 * each operation's observation at its last step and the state between operations, and cannot
 * check waits). `shows`: the parts of the state it can show.
 */
export interface Capabilities {
  readonly drive: 'step' | 'operation';
  readonly shows: readonly VisiblePart[];
}

/**
 * Whether an actor's next step would wait now: `waits` (nothing changed), `took` (it did not wait,
 * and the step happened), or `idle` (the actor has no such operation under way).
 */
export type Probe = 'waits' | 'took' | 'idle';


/** Thrown by an adapter whose implementation was cut short (Ctrl-C): replay stops with a partial report. */
export class AdapterInterrupted extends Error {}

export interface Adapter {
  readonly name: string;
  readonly capabilities: Capabilities;
  step(step: TraceStep): StepResult;
  /**
   * Tries the next step of `actor`'s operation under way (or, with `start`, the start of that
   * operation) where the spec says it must wait. Used to check waits that no trace step shows.
   */
  probeWait(actor: string, start: StepName | null, picks: TraceStep['picks']): Probe;
  visible(): VisibleState;
  /**
   * Optional: the step, then the probes (as probeWait would make them, one after another), in one
   * go, for an implementation where each call is a round trip. Probes are made only if the step
   * was taken.
   */
  stepAndProbe?(step: TraceStep, probes: readonly WaitProbe[]): { readonly result: StepResult; readonly probes: readonly Probe[] };
  /**
   * The whole trace ahead, before its first step: every step and the probes replay will make after
   * it, in order, so that an implementation behind a channel can send them before their replies are
   * read. The stepAndProbe calls that follow are exactly these, until replay stops at a divergence.
   */
  plan?(steps: readonly PlannedStep[]): void;
  /** For an implementation that runs a planned trace ahead on its own: whether replay can go on now without waiting for it. */
  ready?(): boolean;
  close(): void;
}

export interface HostCosts {
  /** How often and how long the implementation waited on its host rather than worked. */
  readonly waits: number;
  readonly waitMs: number;
  /** Free hooks the kernel did not run, whose free step the helper took itself (kernel/driver.c, free_lost). */
  readonly hooksLost: number;
  /** How many times it loaded a variant into its host (the BPF verifier ran). */
  readonly loads: number;
}

export interface PlannedStep {
  readonly step: TraceStep;
  readonly probes: readonly WaitProbe[];
}

/** A probe as replay asks it: the actor, the start it would make (null: its next step), its picks. */
export interface WaitProbe {
  readonly actor: string;
  readonly start: StepName | null;
  readonly picks: TraceStep['picks'];
}

export interface AdapterFactory {
  readonly name: string;
  /** One line for `--help`: what implementation this is and how it is driven. */
  readonly about: string;
  readonly capabilities: Capabilities;
  /** Why this adapter cannot run here (missing privileges, say), or null. */
  unavailable(): string | null;
  /** `lane`: which of the factory's `lanes` implementations (helper processes) runs it. */
  open(config: Config, lane?: number): Adapter;
  /**
   * The run is over: release what the factory keeps from one trace to the next (a helper process).
   * It has let go when this returns; a worker thread awaits the promise before it ends (a child
   * process is reaped only by the event loop of the thread that started it).
   */
  shutdown?(): void | Promise<void>;
  /** How many replay shards to run side by side on a machine with `cores` cores (default: one per core). */
  jobs?(cores: number): number;
  /**
   * How many traces one shard keeps under way at once, each on its own lane, for an implementation
   * that runs a planned trace ahead on its own (its adapters say ready() when replay can go on).
   */
  readonly lanes?: number;
  /** What this run cost its host beyond the steps (the kernel's RCU before free hooks, BPF objects loaded), or null. */
  hostCosts?(): HostCosts | null;
}
