/**
 * The specification of design.md as a Spec the explorer can walk: configuration in, initial state,
 * action table, invariants and symmetry out. Everything here is pure: a step reads one packed state
 * and writes its successor into another, and nothing else.
 */
import { match } from 'ts-pattern';
import type { LivenessProperty, Spec } from '../checker/spec.js';
import { MUST_WAIT, NOT_ENABLED, STEP_INVARIANT_BITS } from '../checker/spec.js';
import { type Action, type ActionKind, type Actors, actorsOf, buildActions } from './actions.js';
import { PAGE_FIELDS, PAGE, KERNEL, OWNER, READER, SLOT } from './layout.js';
import { type Observation, observation, type Outcome, OUTCOMES, VIEW_UNMAPPED, VIEW_ZERO } from './vocabulary.js';
import { ownerRef } from './names.js';
import { stepName } from './describe.js';
import { historySlot, recordLastOp } from './history.js';
import { allActorsIdle, type Ctx, kernelAt, makeCtx, ownerAt, readerAt, slotAt, type SpecOptions } from './context.js';
import { INVARIANTS, LIVENESS, stateViolations } from './invariants.js';
import { continueOp, graceStep, kernelHasBudget, kernelRegs, type Regs, startCreate, startDelete, startUpdate } from './kernel.js';
import type { Config } from './knobs.js';
import { UNBOUNDABLE, UNBOUNDED } from './knobs.js';
import { lifecycleStep, makeOwnerRegs, nextLifecycleStep } from './owner.js';
import { continueRead, lookup, readerCanStart, readerPending, startRead, startScan } from './reader.js';
import { makeCanonicalizer } from './symmetry.js';
import { persistentLifecycle } from './persistent.js';
import { type Goal, goalOfStep, possibleGoals } from './coverage.js';
import { type Counters, epochView, genView, seqView, unboundedProblem } from './counters.js';

export type ActorRole = 'owner' | 'kernel' | 'reader' | 'rcu';

/** A taken step's result carries its outcome's code above the step-invariant bits (a small integer, so that it stays one). */
const OUTCOME_SHIFT = 16;
/** The outcome a taken step's result says it returned. */
const outcomeOfResult = (r: number): Outcome => OUTCOMES[r >>> OUTCOME_SHIFT];

/** Takes the action on a copy of the state: TAKEN, or NOT_ENABLED / MUST_WAIT (the copy is then discarded). */
type Apply = (spec: LsmcSpec, s: Uint8Array, a: Action) => number;

const kernelIndex = (spec: LsmcSpec, a: Action): number => a.actor - spec.actors.firstKernel;
const readerIndex = (spec: LsmcSpec, a: Action): number => a.actor - spec.actors.firstReader;

const applyFor = (kind: ActionKind): Apply =>
  match(kind)
    .with('lifecycle', (): Apply => (spec, s, a) => lifecycleStep(spec.ctx, s, a.owner, spec.ownerRegs[a.owner]))
    .with('create', (): Apply => (spec, s, a) => startCreate(spec.ctx, s, kernelIndex(spec, a), a.owner))
    .with('update', (): Apply => (spec, s, a) => startUpdate(spec.ctx, s, kernelIndex(spec, a), a.owner, a.value))
    .with('delete', (): Apply => (spec, s, a) => startDelete(spec.ctx, s, kernelIndex(spec, a), a.owner))
    .with('kernel-step', (): Apply => (spec, s, a) => continueOp(spec.ctx, s, spec.kernelRegs[kernelIndex(spec, a)]))
    .with('lookup', (): Apply => (spec, s, a) => lookup(spec.ctx, s, readerIndex(spec, a), a.owner, a.answer))
    .with('read', (): Apply => (spec, s, a) => startRead(spec.ctx, s, readerIndex(spec, a)))
    .with('scan', (): Apply => (spec, s, a) => startScan(spec.ctx, s, readerIndex(spec, a), a.index))
    .with('reader-step', (): Apply => (spec, s, a) => continueRead(spec.ctx, s, readerIndex(spec, a)))
    .with('grace', (): Apply => (spec, s, a) => graceStep(spec.ctx, s, a.index))
    .exhaustive();

/** Cheap tests on the unchanged state that rule an action out before its state is copied. */
type Possible = (spec: LsmcSpec, s: Uint8Array, a: Action) => boolean;

const kernelIdle: Possible = (spec, s, a) => {
  const k = kernelIndex(spec, a);
  return s[kernelAt(spec.ctx, k) + KERNEL.pc] === 0 && kernelHasBudget(spec.ctx, s, k);
};

const possibleFor = (kind: ActionKind): Possible =>
  match(kind)
    .with('lifecycle', (): Possible => (spec, s, a) => nextLifecycleStep(spec.ctx, s, a.owner) !== 'none')
    .with('create', 'update', 'delete', () => kernelIdle)
    .with('kernel-step', (): Possible => (spec, s, a) => s[kernelAt(spec.ctx, kernelIndex(spec, a)) + KERNEL.pc] !== 0)
    .with('lookup', 'read', 'scan', (): Possible => (spec, s, a) => readerCanStart(spec.ctx, s, readerIndex(spec, a)))
    .with('reader-step', (): Possible => (spec, s, a) => readerPending(spec.ctx, s, readerIndex(spec, a)))
    .with('grace', (): Possible => (spec, s, a) => s[slotAt(spec.ctx, a.index) + SLOT.alloc] === spec.ctx.pending)
    .exhaustive();

/** A problem with a configuration that the schema cannot see (knobs that do not fit together). */
export function configProblem(config: Config): { field: string; expected: string } | null {
  if (config.knobs.ownerIdentity === 'pid' && config.knobs.ownerKind !== 'task')
    return { field: 'ownerIdentity', expected: '"uid" when ownerKind is "cgroup" (cgroups have no pid number)' };
  if (UNBOUNDABLE.some((b) => config.bounds[b] === UNBOUNDED)) return unboundedProblem(config.knobs);
  return null;
}

/**
 * Why an action is not enabled: its actor is in the middle of another operation, has used up its
 * operations, or has nothing to do (no operation under way, no index pending); the owner, cache or
 * answer it needs is not there; or a scan's index is at or past the published size, a load the
 * protocol forbids.
 */
export type NotEnabled = 'busy' | 'no-budget' | 'nothing-to-do' | 'precondition' | 'past-published-size';

export type StepResult =
  | { readonly kind: 'not-enabled'; readonly why: NotEnabled }
  /** A lock, a writer in the element's window, references still held, or a grace period not over holds it back. */
  | { readonly kind: 'must-wait' }
  | { readonly kind: 'taken'; readonly observation: Observation; readonly broke: number };

export class LsmcSpec implements Spec {
  readonly ctx: Ctx;
  readonly actions: readonly Action[];
  readonly actors: Actors;
  readonly stateBytes: number;
  readonly actionCount: number;
  readonly actorCount: number;
  readonly invariants = INVARIANTS;
  readonly liveness: readonly LivenessProperty[];
  readonly mayCycle: boolean;
  readonly ownerRegs: readonly Regs[];
  readonly kernelRegs: readonly Regs[];
  readonly canonicalize: (state: Uint8Array) => void;
  private readonly applies: readonly Apply[];
  /** Each owner's lifecycle action (spec/persistent.ts). */
  private readonly lifecycleActions: readonly number[];
  private readonly possibles: readonly Possible[];

  constructor(
    readonly config: Config,
    options: SpecOptions = {},
  ) {
    this.ctx = makeCtx(config, options);
    this.actions = buildActions(this.ctx);
    this.actors = actorsOf(this.ctx);
    this.stateBytes = this.ctx.L.bytes;
    this.actionCount = this.actions.length;
    this.actorCount = this.actors.count;
    this.ownerRegs = makeOwnerRegs(this.ctx);
    this.kernelRegs = Array.from({ length: this.ctx.L.kernels }, (_, k) => kernelRegs(this.ctx, k));
    this.applies = this.actions.map((a) => applyFor(a.kind));
    this.possibles = this.actions.map((a) => possibleFor(a.kind));
    this.canonicalize = makeCanonicalizer(this.ctx);
    this.lifecycleActions = Array.from({ length: this.ctx.L.owners }, (_, o) => this.actions.findIndex((a) => a.kind === 'lifecycle' && a.owner === o));
    const c = this.ctx;
    // A reader in the middle of a read is always enabled (spec/reader.ts: only an idle one is not),
    // so weak fairness makes it take its next load; under a retry bound each read ends within
    // (bound + 1) attempts of finitely many loads, retries counted exactly (READER.retries), so no
    // fair cycle keeps a read pending however long the kernel contexts go on (test/reader-progress.test.ts
    // holds this to the search).
    const bounded = c.retryBound >= 0 && options.searchLiveness !== true;
    const holdsWithoutSearch = bounded ? `with a bound on retries (readRetry=bounded, readRetries ${c.retryBound}) every read ends within its retries, and a reader in the middle of a read can always take its next load` : null;
    this.liveness = [{ name: LIVENESS[0].name, subjects: c.L.readers, pending: (s, r) => readerPending(c, s, r), holdsWithoutSearch }];
    this.mayCycle = c.retryBound < 0 || config.bounds.kernelOps === UNBOUNDED || config.bounds.readerOps === UNBOUNDED;
  }

  actorOf(action: number): number {
    return this.actions[action].actor;
  }

  init(out: Uint8Array): void {
    out.fill(0);
    const L = this.ctx.L;
    const view = this.config.knobs.growth === 'zero-page' ? VIEW_ZERO : VIEW_UNMAPPED;
    for (let p = 0; p < L.pages; p++) out[L.page + p * PAGE_FIELDS + PAGE.view] = view;
  }

  step(action: number, from: Uint8Array, to: Uint8Array): number {
    const a = this.actions[action];
    if (!this.possibles[action](this, from, a)) return NOT_ENABLED;
    to.set(from);
    const c = this.ctx;
    c.bad = 0;
    c.outKind = 0;
    const r = this.applies[action](this, to, a);
    if (r < 0) return r;
    if (c.history) this.recordHistory(action, from, to);
    return c.bad | (c.outKind << OUTCOME_SHIFT);
  }

  /** Under SpecOptions.history, a lone kernel context's or reader's operation that this step ended (spec/history.ts). */
  private recordHistory(action: number, from: Uint8Array, to: Uint8Array): void {
    const slot = historySlot(this.ctx, this.roleOf(action));
    if (slot >= 0 && !this.busyIn(action, to)) recordLastOp(this.ctx, slot, stepName(this, from, action), this.ctx.outKind, from, to);
  }

  /**
   * The step with its reasons, for everything but the explorer's hot loop: not enabled (and why),
   * must wait, or taken with what it returned and the step invariants it broke. The step functions
   * leave what they returned in the context's scratch; it is read here, right after them, and
   * nowhere else.
   */
  take(action: number, from: Uint8Array, to: Uint8Array): StepResult {
    const r = this.step(action, from, to);
    if (r === MUST_WAIT) return { kind: 'must-wait' };
    if (r === NOT_ENABLED) return { kind: 'not-enabled', why: this.whyNot(action, from) };
    return { kind: 'taken', observation: this.observation(), broke: r & STEP_INVARIANT_BITS };
  }

  private whyNot(action: number, s: Uint8Array): NotEnabled {
    const a = this.actions[action];
    const c = this.ctx;
    const possible = this.possibles[action](this, s, a);
    return match(a.kind)
      .with('create', 'update', 'delete', (): NotEnabled => {
        if (possible) return 'precondition';
        return s[kernelAt(c, kernelIndex(this, a)) + KERNEL.pc] !== 0 ? 'busy' : 'no-budget';
      })
      .with('lookup', 'read', 'scan', (kind): NotEnabled => {
        if (possible) return kind === 'scan' ? 'past-published-size' : 'precondition';
        return readerPending(c, s, readerIndex(this, a)) ? 'busy' : 'no-budget';
      })
      .with('lifecycle', 'kernel-step', 'reader-step', 'grace', (): NotEnabled => 'nothing-to-do')
      .exhaustive();
  }

  private observation(): Observation {
    const c = this.ctx;
    const kind = OUTCOMES[c.outKind];
    switch (kind) {
      case 'value':
        return observation(kind, ownerRef(c.outA), -1, c.outB, c.outC);
      case 'index':
      case 'gone':
      case 'not-visible':
      case 'fault':
      case 'busy':
      case 'retry':
        return observation(kind, ownerRef(c.outA), c.outB);
      default:
        return observation(kind, 'none', c.outA);
    }
  }

  /** The coverage goal (spec/coverage.ts) of the transition `action` from `from` to `to`, whose step returned `result`. */
  goalOf(action: number, from: Uint8Array, to: Uint8Array, result: number): number {
    return goalOfStep(this.ctx, this.actions[action], stepName(this, from, action), this.actors, from, to, outcomeOfResult(result));
  }

  /** The kind of actor `action` belongs to: an owner (its life and free path), a kernel context, a reader, or the grace period. */
  roleOf(action: number): ActorRole {
    const actor = this.actions[action].actor;
    const a = this.actors;
    return actor < a.firstKernel ? 'owner' : actor < a.firstReader ? 'kernel' : actor < a.grace ? 'reader' : 'rcu';
  }

  /** Whether the actor of `action` is in the middle of an operation in state `s` (its program counter is not idle). */
  busyIn(action: number, s: Uint8Array): boolean {
    const actor = this.actions[action].actor;
    const a = this.actors;
    const c = this.ctx;
    if (actor < a.firstKernel) return s[ownerAt(c, actor) + OWNER.pc] !== 0;
    if (actor < a.firstReader) return s[kernelAt(c, actor - a.firstKernel) + KERNEL.pc] !== 0;
    if (actor < a.grace) return s[readerAt(c, actor - a.firstReader) + READER.pc] !== 0;
    return false;
  }

  /** The goals the design allows in this configuration: what a complete suite would hit. */
  possibleGoals(): Goal[] {
    return possibleGoals(this.ctx);
  }

  /** How seq, gen and the epoch are kept (spec/counters.ts): reports say when the finite form is in use. */
  get counters(): Counters {
    return this.ctx.counters;
  }

  violations(state: Uint8Array, mask: number): number {
    return stateViolations(this.ctx, state, mask);
  }

  persistentAction(state: Uint8Array): number {
    return persistentLifecycle(this.ctx, state, this.lifecycleActions);
  }

  isFinal(state: Uint8Array): boolean {
    return allActorsIdle(this.ctx, state);
  }
}

/**
 * How an implementation's real seq and gen compare with a trace made in `config`: in the form the
 * spec keeps them there (literally, or the finite form of spec/counters.ts).
 */
export interface CounterViews {
  readonly seq: (v: number) => number;
  readonly gen: (v: number) => number;
  readonly epoch: (v: number) => number;
}

// Replay asks for every step of a trace; a context is built once per configuration.
const views = new WeakMap<Config, CounterViews>();

export function counterViews(config: Config): CounterViews {
  let v = views.get(config);
  if (v === undefined) {
    const c = makeCtx(config);
    v = { seq: (x) => seqView(c, x), gen: (x) => genView(c, x), epoch: (x) => epochView(c, x) };
    views.set(config, v);
  }
  return v;
}

export function buildSpec(config: Config, options: SpecOptions = {}): LsmcSpec {
  return new LsmcSpec(config, options);
}
