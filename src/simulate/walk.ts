/**
 * One random walk through a spec, driven by a swarm (a weight per actor and per kind of action,
 * fixed for the walk) and a sequence of choices. Choice i picks among the actions enabled in the
 * state reached after i steps, each owning a stretch of [0, sum of their weights) as long as its
 * weight, by where the choice falls in that range (see `scale`). Every sequence of naturals below
 * CHOICE_RANGE is a walk, so a shrinker may cut or change any choice freely; with every weight
 * equal, each enabled action is equally likely.
 *
 * Why weights: a uniform pick among enabled actions spends the actors' small operation budgets at
 * once on lookups that find nothing and updates of elements not yet created, and lets owners run
 * their whole lives before anyone races them; hazards 1 and 11 of design.md section 7 did not show
 * in a million such walks each. Swarm testing (Groce et al., ISSTA 2012) varies which actors and
 * kinds of action dominate from walk to walk, so that some walks hold a reader back until a slot
 * has been recycled, or keep an owner alive while a kernel context works on its element.
 */
import { DEADLOCK } from '../../checker/explore.js';
import { type Spec } from '../../checker/spec.js';
import { firstInvariant, type Selection } from './selection.js';

export interface WalkOutcome {
  /** Steps taken, which is also how many choices were used. */
  readonly steps: number;
  /** The first property the walk broke, or null. */
  readonly violation: string | null;
  /** True when `poll` cut the walk short (no verdict on its remaining steps). */
  readonly stopped: boolean;
}

/** What the swarm weighs: each action's actor and kind, as small integers; and what shrinking cuts. */
export interface ActionClasses {
  readonly actorOf: Int32Array;
  readonly kindOf: Int32Array;
  /** 1 for an action that continues its actor's operation (a kernel context's next store), 0 for one that starts one. */
  readonly continues: Uint8Array;
  readonly actors: number;
  readonly kinds: number;
}

/**
 * Per-walk weights: `actor[a]` and `kind[k]` are levels below SWARM_LEVELS; an action weighs
 * SWARM_BASE^(its actor's level + its kind's level). All levels 0 is the uniform walk.
 */
export interface Swarm {
  readonly actor: readonly number[];
  readonly kind: readonly number[];
}

/**
 * Four levels four times apart: an actor or kind may be up to 64 times likelier than another, and an
 * action up to 4096 times. On hazards 1 to 12, six levels, or steps of 8 or 16, found about as many.
 */
export const SWARM_LEVELS = 4;
export const SWARM_BASE = 4;

/** Choices are naturals below this; `scale` maps one onto [0, total). */
export const CHOICE_RANGE = 0x80000000;

/**
 * Where in [0, total) a choice falls, in proportion: choice / CHOICE_RANGE of the way along. Not
 * choice mod total, which shrinking would suffer from: cutting one step out of a walk changes the
 * enabled set a little, and under mod every later choice would then land somewhere unrelated;
 * in proportion, it lands on the same action or a neighbour, so a shrunk walk keeps its shape.
 */
export function scale(choice: number, total: number): number {
  return Math.min(total - 1, Math.floor((choice / CHOICE_RANGE) * total));
}

/**
 * A walk's choices: an array, or anything that hands them out by position (a generated walk's
 * stream, which draws only as many as the walk uses). A missing choice reads as 0.
 */
export interface Choices {
  readonly length: number;
  at(index: number): number | undefined;
}

export interface WalkHooks {
  /** Polled every POLL_EVERY steps; true abandons the walk. Also the place to report progress. */
  readonly poll?: () => boolean;
}

/** Steps between polls: often enough for a live progress line, rarely enough to cost nothing. */
const POLL_EVERY = 4096;

export class Walker {
  private cur: Uint8Array;
  private next: Uint8Array;
  private readonly scratch: Uint8Array;
  private readonly enabled: Int32Array;
  private readonly weight: Int32Array;
  /** How many entries of `enabled` the last probe filled. */
  private count = 0;
  private sincePoll = 0;

  constructor(
    private readonly spec: Spec,
    private readonly selection: Selection,
    private readonly classes: ActionClasses,
    private readonly hooks: WalkHooks = {},
  ) {
    this.cur = new Uint8Array(spec.stateBytes);
    this.next = new Uint8Array(spec.stateBytes);
    this.scratch = new Uint8Array(spec.stateBytes);
    this.enabled = new Int32Array(spec.actionCount);
    this.weight = new Int32Array(spec.actionCount);
  }

  /**
   * Walks from the initial state until the choices run out, no action is enabled, or a selected
   * property breaks. `actions`, when given, receives the action taken at each step.
   */
  run(swarm: Swarm, choices: Choices, actions?: number[]): WalkOutcome {
    return this.walk(swarm, choices.length, (i, total) => this.pick(scale(choices.at(i) ?? 0, total)), actions);
  }

  /**
   * Takes `actions` in order, judging them as `run` would, and finds the choices that make `run`
   * take them; null when one of them is not enabled where it would be taken. The walk stops early,
   * and the choices with it, if a selected property breaks on the way.
   */
  follow(swarm: Swarm, actions: readonly number[]): { readonly choices: number[]; readonly outcome: WalkOutcome } | null {
    const choices: number[] = [];
    const outcome = this.walk(swarm, actions.length, (i, total) => {
      const choice = this.choiceFor(actions[i], total);
      if (choice < 0) return -1;
      choices.push(choice);
      return actions[i];
    });
    if (outcome.steps < actions.length && outcome.violation === null) return null;
    return { choices: choices.slice(0, outcome.steps), outcome };
  }

  /**
   * The shared loop: `choose` names the action to take at step i among the enabled ones (whose
   * weights sum to `total`), or -1 to stop there.
   */
  private walk(swarm: Swarm, length: number, choose: (i: number, total: number) => number, actions?: number[]): WalkOutcome {
    const { spec, selection } = this;
    this.weigh(swarm);
    spec.init(this.cur);
    const initBad = spec.violations(this.cur, selection.stateMask);
    if (initBad !== 0) return { steps: 0, violation: firstInvariant(spec, initBad), stopped: false };
    for (let i = 0; i < length; i++) {
      if (++this.sincePoll >= POLL_EVERY) {
        this.sincePoll = 0;
        if (this.hooks.poll?.()) return { steps: i, violation: null, stopped: true };
      }
      const total = this.probe();
      if (total === 0) return { steps: i, violation: this.deadlocked() ? DEADLOCK : null, stopped: false };
      const action = choose(i, total);
      if (action < 0) return { steps: i, violation: null, stopped: false };
      // Taken again into `next`: the probe overwrote the scratch state and the spec's step result.
      const bad = spec.step(action, this.cur, this.next);
      actions?.push(action);
      const swap = this.cur;
      this.cur = this.next;
      this.next = swap;
      if ((bad & selection.stepMask) !== 0) return { steps: i + 1, violation: firstInvariant(spec, bad & selection.stepMask), stopped: false };
      const badState = spec.violations(this.cur, selection.stateMask);
      if (badState !== 0) return { steps: i + 1, violation: firstInvariant(spec, badState), stopped: false };
    }
    // The last state is visited too: a walk cut to the steps that led to a deadlock still shows it.
    const deadlock = selection.deadlock && this.probe() === 0 && this.deadlocked();
    return { steps: length, violation: deadlock ? DEADLOCK : null, stopped: false };
  }

  /** The smallest choice that picks `action` after a probe, or -1 when it is not enabled. */
  private choiceFor(action: number, total: number): number {
    let lo = -1;
    for (let i = 0, at = 0; i < this.count; i++) {
      const a = this.enabled[i];
      if (a === action) {
        lo = at;
        break;
      }
      at += this.weight[a];
    }
    if (lo < 0) return -1;
    let choice = Math.ceil((lo / total) * CHOICE_RANGE);
    while (choice > 0 && scale(choice - 1, total) >= lo) choice--;
    while (scale(choice, total) < lo) choice++;
    return choice < CHOICE_RANGE && this.pick(scale(choice, total)) === action ? choice : -1;
  }

  private weigh(swarm: Swarm): void {
    const { actorOf, kindOf } = this.classes;
    for (let a = 0; a < this.weight.length; a++) this.weight[a] = SWARM_BASE ** ((swarm.actor[actorOf[a]] ?? 0) + (swarm.kind[kindOf[a]] ?? 0));
  }

  /** Fills `enabled` with the actions enabled in the current state; returns their total weight. */
  private probe(): number {
    const spec = this.spec;
    let n = 0;
    let total = 0;
    for (let a = 0; a < spec.actionCount; a++) {
      if (spec.step(a, this.cur, this.scratch) < 0) continue;
      this.enabled[n++] = a;
      total += this.weight[a];
    }
    this.count = n;
    return total;
  }

  /** The enabled action whose stretch of [0, total) holds `r`. */
  private pick(r: number): number {
    let left = r;
    for (let i = 0; i < this.count; i++) {
      const a = this.enabled[i];
      left -= this.weight[a];
      if (left < 0) return a;
    }
    throw new Error(`choice ${r} beyond the enabled actions' total weight`);
  }

  /** With nothing enabled: whether that is a deadlock (someone mid-operation) rather than the end. */
  private deadlocked(): boolean {
    return this.selection.deadlock && !this.spec.isFinal(this.cur);
  }
}
