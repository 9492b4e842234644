/**
 * The search: fast-check draws `runs` walks from the seed and judges each; on the first violation it
 * shrinks the walk's choices, keeping only candidates that break the same property. Nothing here
 * reads the clock except for progress and the timings reported, so a seed gives the same walks, the
 * same counterexample and the same counts on every machine.
 */
import * as fc from 'fast-check';
import type { Spec } from '../../checker/spec.js';
import { prefix, type Walk, WalkArbitrary } from './choices.js';
import type { Selection } from './selection.js';
import { type ActionClasses, type WalkOutcome, Walker } from './walk.js';

export interface SearchOptions {
  readonly runs: number;
  readonly depth: number;
  readonly seed: number;
  /** Walks judged while shrinking, at most. */
  readonly maxShrinkTries: number;
  /**
   * Actions probed while shrinking, at most (steps x actions in the spec): what a try costs grows
   * with the walk and with the bounds, and this keeps the whole of shrinking to seconds at any size
   * while still being a count, not a clock, so that the result stays the same from run to run.
   */
  readonly maxShrinkWork: number;
  readonly shouldStop?: () => boolean;
  readonly onProgress?: (p: SearchProgress) => void;
  readonly progressEveryMs?: number;
}

export interface SearchProgress {
  readonly phase: 'search' | 'shrink';
  readonly runs: number;
  readonly steps: number;
  readonly seconds: number;
  /** While shrinking: the property broken, the tries so far and the shortest failing walk yet. */
  readonly invariant?: string;
  readonly shrinkTries?: number;
  readonly shortest?: number;
}

export interface SearchOutcome {
  readonly result: 'ok' | 'violation' | 'interrupted';
  /** Walks judged before shrinking (the failing one included). */
  readonly runs: number;
  /** Steps those walks took. */
  readonly steps: number;
  /** Seconds spent on them; shrinking is timed apart. */
  readonly searchSeconds: number;
  readonly shrinkSeconds: number;
  readonly invariant: string | null;
  /** Steps of the walk that first broke the property, and of the shrunk walk. */
  readonly originalLength: number | null;
  readonly shrunkLength: number | null;
  readonly shrinkTries: number;
  /** The shrunk walk's actions, in the spec's numbering. */
  readonly actions: readonly number[] | null;
  /** True when Ctrl-C cut shrinking short: the counterexample is the shortest found so far. */
  readonly shrinkInterrupted: boolean;
  /** True when the shrinking budget ran out before fast-check ran out of candidates. */
  readonly shrinkBudgetSpent: boolean;
}

interface Failure {
  readonly invariant: string;
  /** Steps of the walk that broke it. */
  readonly length: number;
  /** When, in performance.now() milliseconds. */
  readonly at: number;
}

/** Thrown by the property to end fast-check's loop when the run is interrupted before any violation. */
class Interrupted extends Error {}

export function search(spec: Spec, classes: ActionClasses, selection: Selection, options: SearchOptions): SearchOutcome {
  const started = performance.now();
  const progressEvery = options.progressEveryMs ?? 5000;
  let lastProgress = started;
  let stopped = false;
  let runs = 0;
  let steps = 0;
  let shrinkTries = 0;
  let shrinkWork = 0;
  const budgetLeft = (): boolean => shrinkTries < options.maxShrinkTries && shrinkWork < options.maxShrinkWork;
  let shortest = 0;
  // A holder rather than a `let`: the property's callbacks set it, which narrowing cannot see.
  const first: { failure: Failure | null } = { failure: null };

  const progress = (): void => {
    const now = performance.now();
    if (options.onProgress === undefined || now - lastProgress < progressEvery) return;
    lastProgress = now;
    const seconds = (now - started) / 1000;
    const failure = first.failure;
    if (failure === null) options.onProgress({ phase: 'search', runs, steps, seconds });
    else options.onProgress({ phase: 'shrink', runs, steps, seconds, invariant: failure.invariant, shrinkTries, shortest });
  };
  const poll = (): boolean => {
    progress();
    if (!stopped && options.shouldStop?.()) stopped = true;
    return stopped;
  };
  const walker = new Walker(spec, selection, classes, { poll });

  // Walks the shrinker judged while making them (see ShrinkControl), and the actions of each
  // failing walk, which the shrinker asks for right after it is judged.
  const judged = new WeakMap<Walk, WalkOutcome>();
  const paths = new WeakMap<Walk, readonly number[]>();
  const follower = new Walker(spec, selection, classes);
  const arbitrary = new WalkArbitrary(options.depth, classes, {
    path: (walk) => {
      const known = paths.get(walk);
      if (known !== undefined) return known;
      const actions: number[] = [];
      follower.run(walk.swarm, walk.choices, actions);
      return actions;
    },
    cut: (walk, length) => {
      const shorter: Walk = { swarm: walk.swarm, choices: prefix(walk.choices, length) };
      const outcome = judged.get(walk);
      const path = paths.get(walk);
      if (outcome !== undefined) judged.set(shorter, outcome);
      if (path !== undefined) paths.set(shorter, path);
      return shorter;
    },
    follow: (swarm, actions) => {
      const followed = follower.follow(swarm, actions);
      // Following probes every step as a walk does, whether or not it gets to the end.
      shrinkWork += ((followed?.outcome.steps ?? actions.length) + 1) * spec.actionCount;
      if (followed === null) return null;
      const walk: Walk = { swarm, choices: followed.choices };
      judged.set(walk, followed.outcome);
      paths.set(walk, actions.slice(0, followed.outcome.steps));
      return walk;
    },
    shape: { actorOf: (action) => classes.actorOf[action], continues: (action) => classes.continues[action] !== 0 },
    mayGoOn: () => !stopped && budgetLeft(),
  });

  const taken: number[] = [];
  /** A shrinking candidate that did not come judged: fast-check's own array shrinks. */
  const judge = (walk: Walk): WalkOutcome => {
    taken.length = 0;
    const out = walker.run(walk.swarm, walk.choices, taken);
    shrinkWork += (out.steps + 1) * spec.actionCount;
    if (out.violation !== null) paths.set(walk, [...taken]);
    return out;
  };
  const property = fc.property(arbitrary, (walk) => {
    const failure = first.failure;
    if (poll()) {
      if (failure === null) throw new Interrupted();
      return true;
    }
    if (failure === null) {
      taken.length = 0;
      const out = walker.run(walk.swarm, walk.choices, taken);
      runs++;
      steps += out.steps;
      if (out.stopped) throw new Interrupted();
      if (out.violation === null) return true;
      first.failure = { invariant: out.violation, length: out.steps, at: performance.now() };
      shortest = out.steps;
      judged.set(walk, out);
      paths.set(walk, [...taken]);
      return false;
    }
    // Shrinking: a candidate counts only if it breaks the same property; a walk cut short by
    // Ctrl-C proves nothing, so it passes and shrinking stops with what it has.
    shrinkTries++;
    const out = judged.get(walk) ?? judge(walk);
    if (out.stopped || out.violation !== failure.invariant) return true;
    shortest = Math.min(shortest, out.steps);
    return false;
  });

  const details = fc.check(property, { seed: options.seed, numRuns: options.runs });
  const ended = performance.now();
  const base = { runs, steps, shrinkTries };
  const found = first.failure;
  if (found === null) {
    // A failure that is neither a violation nor our interruption is a fault in the spec or here.
    if (details.failed && !(details.errorInstance instanceof Interrupted)) throw details.errorInstance;
    const interrupted = details.failed || stopped;
    return {
      ...base,
      result: interrupted ? 'interrupted' : 'ok',
      searchSeconds: (ended - started) / 1000,
      shrinkSeconds: 0,
      invariant: null,
      originalLength: null,
      shrunkLength: null,
      actions: null,
      shrinkInterrupted: false,
      shrinkBudgetSpent: false,
    };
  }
  const counterexample = details.counterexample?.[0];
  if (counterexample === undefined) throw new Error('fast-check reported no counterexample for a failing walk');
  const actions: number[] = [];
  const replay = new Walker(spec, selection, classes).run(counterexample.swarm, counterexample.choices, actions);
  if (replay.violation !== found.invariant) throw new Error(`the shrunk walk breaks ${String(replay.violation)}, not ${found.invariant}`);
  return {
    ...base,
    result: 'violation',
    searchSeconds: (found.at - started) / 1000,
    shrinkSeconds: (ended - found.at) / 1000,
    invariant: found.invariant,
    originalLength: found.length,
    shrunkLength: actions.length,
    actions,
    shrinkInterrupted: stopped,
    shrinkBudgetSpent: !budgetLeft(),
  };
}
