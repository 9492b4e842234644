/**
 * Breadth-first explicit-state exploration of any Spec. Every counterexample it returns is a
 * shortest one. States are kept only as 64-bit fingerprints plus a parent link and an action per
 * state; the full states of a path are rebuilt on demand by replaying actions from the initial state.
 */
import { ChunkedArray } from './chunked.js';
import { collisionProbability, DEFAULT_FINGERPRINT_BITS, fingerprint, type FingerprintBits, fingerprintWide } from './fingerprint.js';
import { findLasso, type StateGraph } from './liveness.js';
import { type LastStepTest, rebuildPath, type Path } from './rebuild.js';
import { FingerprintTable } from './seen-set.js';
import { actionsToTry, type LivenessProperty, type Spec } from './spec.js';
import { StateBuffer } from './state-buffer.js';
import { brokenOf, trimPath } from './trim.js';

export interface ExploreOptions {
  /** Bit i set: check invariant i. */
  readonly invariantMask: number;
  /** Names of the liveness properties to check (empty: none). */
  readonly liveness: readonly string[];
  readonly checkDeadlock: boolean;
  readonly symmetry: boolean;
  readonly maxStates?: number;
  readonly maxSeconds?: number;
  /** Called about every `progressEveryMs` with the counts so far. */
  readonly onProgress?: (p: Progress) => void;
  readonly progressEveryMs?: number;
  /** Polled now and then; true cuts the run short with a partial report. */
  readonly shouldStop?: () => boolean;
  /**
   * Called for every enabled transition, in BFS order, before its successor is canonicalised:
   * the first call for anything is on a shortest path to it (test generation hangs off this).
   * `bad` is the mask of every step invariant the transition breaks, checked or not.
   */
  readonly onStep?: (action: number, fromId: number, from: Uint8Array, to: Uint8Array, bad: number) => void;
  /** Called for every state when it is first reached, with the id onStep's fromId will give it, right after the onStep of the transition that reached it. */
  readonly onNewState?: (id: number) => void;
  /** Called for every state with no enabled action that is not a proper end (a deadlock), checked or not. */
  readonly onDeadEnd?: (id: number, state: Uint8Array) => void;
  /**
   * Keep exploring after a violation (TLC's -continue): every checked invariant that breaks is
   * reported once, with the first counterexample BFS meets for it, which is a shortest one.
   */
  readonly continueAfterViolation?: boolean;
  /** Bits per state fingerprint: 64 (the default), 96 or 128. */
  readonly fingerprintBits?: FingerprintBits;
  /**
   * Partial-order reduction: where the spec names a persistent action (Spec.persistentAction),
   * expand only it. Taken only where it keeps every verdict: the spec's graph is acyclic, no
   * liveness graph is kept, and no hook (onStep, onNewState, onDeadEnd) asks to see every
   * transition or state. Stats.partialOrder says whether it was.
   */
  readonly partialOrder?: boolean;
}

export interface Progress {
  readonly distinct: number;
  readonly transitions: number;
  readonly depth: number;
  readonly queued: number;
  readonly seconds: number;
}

export interface Stats {
  readonly distinctStates: number;
  readonly transitions: number;
  readonly depth: number;
  readonly seconds: number;
  readonly statesPerSecond: number;
  /** Fingerprint table plus trace links, per distinct state. */
  readonly bytesPerState: number;
  /** The largest the BFS queue (two levels of full states) grew, in bytes. */
  readonly queuePeakBytes: number;
  readonly collisionProbability: number;
  readonly fingerprintBits: FingerprintBits;
  readonly symmetry: boolean;
  /** Whether partial-order reduction was applied (asked for, and allowed in this run). */
  readonly partialOrder: boolean;
  /** States expanded by their persistent action alone. */
  readonly persistentStates: number;
  /** Worker threads that explored (checker/parallel.ts); 0: the calling thread, with explore(). */
  readonly workers: number;
}

/** What a run counted, for statsOf. */
export interface Counts {
  readonly states: number;
  readonly transitions: number;
  readonly depth: number;
  /** performance.now() when the run started. */
  readonly started: number;
  /** The fingerprint table and the trace links, in bytes. */
  readonly storeBytes: number;
  readonly queuePeak: number;
  readonly bits: FingerprintBits;
  readonly symmetry: boolean;
  readonly partialOrder: boolean;
  readonly persistentStates: number;
  readonly workers: number;
}

/** A run's figures from its counts: one builder for explore() and the parallel explorer. */
export function statsOf(c: Counts): Stats {
  const seconds = (performance.now() - c.started) / 1000;
  return {
    distinctStates: c.states,
    transitions: c.transitions,
    depth: c.depth,
    seconds,
    statesPerSecond: seconds > 0 ? Math.round(c.states / seconds) : c.states,
    bytesPerState: c.states > 0 ? c.storeBytes / c.states : 0,
    queuePeakBytes: c.queuePeak,
    collisionProbability: collisionProbability(c.states, c.transitions, c.bits),
    fingerprintBits: c.bits,
    symmetry: c.symmetry,
    partialOrder: c.partialOrder,
    persistentStates: c.persistentStates,
    workers: c.workers,
  };
}

export type { Path } from './rebuild.js';

/** The path from the initial state through state `fromId`, then `action` (picked out by `lastOk` under symmetry). */
export type PathBuilder = (fromId: number, action: number, lastOk: LastStepTest) => Path;

export type LimitReason = 'max-states' | 'max-seconds' | 'interrupted';

export interface Violation {
  readonly invariant: string;
  readonly path: Path;
}

export type ExploreResult =
  | { readonly kind: 'ok'; readonly stats: Stats; readonly pathTo: PathBuilder }
  | {
      readonly kind: 'violation';
      /** The first violation found, and its shortest path; `violations` holds it and, with continueAfterViolation, every other. */
      readonly invariant: string;
      readonly path: Path;
      readonly violations: readonly Violation[];
      /**
       * Why exploration ended before the whole space was seen, or null when it was all seen (only
       * with continueAfterViolation): then every checked invariant not in `violations` holds.
       */
      readonly stopped: 'first-violation' | 'all-broken' | LimitReason | null;
      readonly stats: Stats;
    }
  | { readonly kind: 'limit'; readonly reason: LimitReason; readonly stats: Stats; readonly pathTo: PathBuilder };

export const DEADLOCK = 'deadlock';

const POLL_EVERY = 1024;

export function explore(spec: Spec, options: ExploreOptions): ExploreResult {
  const started = performance.now();
  const liveProps = spec.liveness.filter((p) => options.liveness.includes(p.name) && p.holdsWithoutSearch === null);
  const recordGraph = liveProps.length > 0 && spec.mayCycle;
  // Liveness subjects are actors, which symmetry would permute; the graph is kept unreduced.
  const symmetry = options.symmetry && !recordGraph;
  const onStep = options.onStep;
  // The reduction keeps verdicts, not the set of states or transitions that hooks count; and it
  // needs no cycle proviso only because the graph it prunes is acyclic (spec/persistent.ts).
  const persistentAction =
    options.partialOrder === true && !spec.mayCycle && !recordGraph && onStep === undefined && options.onNewState === undefined && options.onDeadEnd === undefined
      ? spec.persistentAction?.bind(spec)
      : undefined;
  let persistentStates = 0;
  const range = new Int32Array(2);
  // With continueAfterViolation an invariant leaves what is checked once it is reported. The hot
  // loop reads its own copies (a variable a closure captures lives in a slower context slot), which
  // it refreshes from `live` after `broken` changes it.
  const live = { state: maskOf(spec, 'state', options.invariantMask), step: maskOf(spec, 'step', options.invariantMask), deadlock: options.checkDeadlock };
  let stateMask = live.state;
  let stepMask = live.step;
  let checkDeadlock = live.deadlock;
  const keepGoing = options.continueAfterViolation === true;
  const found: Violation[] = [];

  const words = spec.stateBytes >> 2;
  const cur = new Uint8Array(spec.stateBytes);
  const next = new Uint8Array(spec.stateBytes);
  const curWords = new Int32Array(cur.buffer);
  const nextWords = new Int32Array(next.buffer);
  const bits = options.fingerprintBits ?? DEFAULT_FINGERPRINT_BITS;
  const width = bits / 32;
  const fp = new Int32Array(width);
  // The 64-bit path stays the one it was (two words passed as numbers); wider keys go through an array.
  const wide = width > 2;
  const seen = new FingerprintTable(recordGraph, 1 << 16, width);
  const remember = (id: number): number => {
    if (!wide) {
      fingerprint(nextWords, words, fp);
      return seen.insert(fp[0], fp[1], id);
    }
    fingerprintWide(nextWords, words, fp, width);
    return seen.insertWide(fp, id);
  };
  const parents = ChunkedArray.int32();
  const actions = ChunkedArray.unsignedBelow(spec.actionCount + 1);
  let level = new StateBuffer(words);
  let nextLevel = new StateBuffer(words);
  const graph = recordGraph ? newGraph() : null;

  let transitions = 0;
  let depth = 0;
  let queuePeak = 0;
  let lastProgress = started;
  const progressEvery = options.progressEveryMs ?? 2000;

  const stats = (): Stats =>
    statsOf({
      states: seen.size,
      transitions,
      depth,
      started,
      storeBytes: seen.bytes + parents.bytes + actions.bytes,
      queuePeak,
      bits,
      symmetry,
      partialOrder: persistentAction !== undefined,
      persistentStates,
      workers: 0,
    });
  const pathTo: PathBuilder = (fromId, action, lastOk) => rebuildPath(spec, { parents, actions }, fromId, action, symmetry, lastOk);
  const ended = (stopped: 'first-violation' | 'all-broken' | LimitReason | null): ExploreResult =>
    ({ kind: 'violation', invariant: found[0].invariant, path: found[0].path, violations: found, stopped, stats: stats() });
  /**
   * Records the invariants of `mask` (or deadlock) as broken by the path to `lastId` then
   * `lastAction`; returns the result to end with, or null to go on exploring.
   */
  const broken = (mask: number, lastId: number, lastAction: number): ExploreResult | null => {
    for (const invariant of mask === 0 ? [DEADLOCK] : namesOf(spec, keepGoing ? mask : lowestBit(mask))) {
      const bit = invariantBit(spec, invariant);
      let path = rebuildPath(spec, { parents, actions }, lastId, lastAction, symmetry, (_a, _f, _t, bad) => (bad & bit) === bit);
      if (persistentAction !== undefined) path = { actions: trimPath(spec, path.actions, brokenOf(spec, spec.invariants.findIndex((inv) => inv.name === invariant))) };
      found.push({ invariant, path });
      live.state &= ~bit;
      live.step &= ~bit;
      if (invariant === DEADLOCK) live.deadlock = false;
    }
    if (!keepGoing) return ended('first-violation');
    return live.state === 0 && live.step === 0 && !live.deadlock && liveProps.length === 0 ? ended('all-broken') : null;
  };
  const limited = (reason: LimitReason): ExploreResult => (found.length > 0 ? ended(reason) : { kind: 'limit', reason, stats: stats(), pathTo });

  spec.init(next);
  if (symmetry) spec.canonicalize(next);
  remember(0);
  parents.push(-1);
  actions.push(spec.actionCount);
  const initBad = spec.violations(next, stateMask);
  if (initBad !== 0) {
    const end = broken(initBad, 0, -1);
    if (end !== null) return end;
    ({ state: stateMask, step: stepMask, deadlock: checkDeadlock } = live);
  }
  level.push(nextWords, 0);

  let processed = 0;
  while (level.count > 0) {
    for (let q = 0; q < level.count; q++) {
      const id = level.read(q, curWords);
      if (graph !== null) graph.recordState(liveProps, cur);
      let enabled = 0;
      if (actionsToTry(spec, persistentAction, cur, range)) persistentStates++;
      const end = range[1];
      for (let a = range[0]; a < end; a++) {
        const bad = spec.step(a, cur, next);
        if (bad < 0) continue;
        enabled++;
        transitions++;
        if (onStep !== undefined) onStep(a, id, cur, next, bad);
        if ((bad & stepMask) !== 0) {
          const end = broken(bad & stepMask, id, a);
          if (end !== null) return end;
          ({ state: stateMask, step: stepMask, deadlock: checkDeadlock } = live);
        }
        if (symmetry) spec.canonicalize(next);
        const newId = seen.size;
        let known: number;
        if (wide) {
          fingerprintWide(nextWords, words, fp, width);
          known = seen.insertWide(fp, newId);
        } else {
          fingerprint(nextWords, words, fp);
          known = seen.insert(fp[0], fp[1], newId);
        }
        if (graph !== null) graph.recordEdge(known === -1 ? newId : known, a, spec.actorOf(a));
        if (known !== -1) continue;
        parents.push(id);
        actions.push(a);
        options.onNewState?.(newId);
        const badState = spec.violations(next, stateMask);
        if (badState !== 0) {
          const end = broken(badState, newId, -1);
          if (end !== null) return end;
          ({ state: stateMask, step: stepMask, deadlock: checkDeadlock } = live);
        }
        nextLevel.push(nextWords, newId);
      }
      if (enabled === 0 && (checkDeadlock || options.onDeadEnd !== undefined) && !spec.isFinal(cur)) {
        if (checkDeadlock) {
          const end = broken(0, id, -1);
          if (end !== null) return end;
          ({ state: stateMask, step: stepMask, deadlock: checkDeadlock } = live);
        } else options.onDeadEnd?.(id, cur);
      }
      if (++processed % POLL_EVERY === 0) {
        const now = performance.now();
        const seconds = (now - started) / 1000;
        if (options.maxStates !== undefined && seen.size >= options.maxStates) return limited('max-states');
        if (options.maxSeconds !== undefined && seconds >= options.maxSeconds) return limited('max-seconds');
        if (options.shouldStop?.()) return limited('interrupted');
        if (options.onProgress && now - lastProgress >= progressEvery) {
          lastProgress = now;
          options.onProgress({ distinct: seen.size, transitions, depth, queued: level.count - q + nextLevel.count, seconds });
        }
      }
    }
    queuePeak = Math.max(queuePeak, level.bytes + nextLevel.bytes);
    if (nextLevel.count > 0) depth++;
    const done = level;
    done.clear();
    level = nextLevel;
    nextLevel = done;
  }

  if (graph !== null) {
    const frozen = graph.freeze();
    let bitOffset = 0;
    for (const prop of liveProps) {
      const lasso = findLasso(spec, frozen, prop, bitOffset, { parents, actions });
      bitOffset += prop.subjects;
      if (lasso === null) continue;
      found.push({ invariant: prop.name, path: lasso });
      if (!keepGoing) return ended('first-violation');
    }
  }
  return found.length > 0 ? ended(null) : { kind: 'ok', stats: stats(), pathTo };
}

export function maskOf(spec: Spec, kind: 'state' | 'step', selected: number): number {
  let mask = 0;
  spec.invariants.forEach((inv, i) => {
    if (inv.kind === kind && (selected & (1 << i)) !== 0) mask |= 1 << i;
  });
  return mask;
}

/** The invariants of `mask`, in the spec's order. */
function namesOf(spec: Spec, mask: number): string[] {
  return spec.invariants.filter((_, i) => (mask & (1 << i)) !== 0).map((inv) => inv.name);
}

const lowestBit = (mask: number): number => mask & -mask;


function invariantBit(spec: Spec, name: string): number {
  const i = spec.invariants.findIndex((inv) => inv.name === name);
  return i < 0 ? 0 : 1 << i;
}

/** Edges in BFS order (states are expanded in id order), with what liveness needs per state. */
function newGraph() {
  const edgeStart = ChunkedArray.int32();
  const edgeTarget = ChunkedArray.int32();
  const edgeAction = ChunkedArray.int32();
  const enabledActors = ChunkedArray.int32();
  const pending = ChunkedArray.int32();
  let enabledNow = 0;
  return {
    recordState(props: readonly LivenessProperty[], state: Uint8Array): void {
      if (edgeStart.length > 0) enabledActors.push(enabledNow);
      enabledNow = 0;
      edgeStart.push(edgeTarget.length);
      let bits = 0;
      let bit = 0;
      for (const p of props) for (let k = 0; k < p.subjects; k++, bit++) if (p.pending(state, k)) bits |= 1 << bit;
      pending.push(bits);
    },
    recordEdge(target: number, action: number, actor: number): void {
      edgeTarget.push(target);
      edgeAction.push(action);
      enabledNow |= 1 << actor;
    },
    freeze(): StateGraph {
      enabledActors.push(enabledNow);
      edgeStart.push(edgeTarget.length);
      return { edgeStart, edgeTarget, edgeAction, enabledActors, pending };
    },
  };
}
