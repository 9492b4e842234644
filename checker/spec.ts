/**
 * The narrow interface through which the explorer sees a specification, as TLC's ModelChecker
 * sees a spec only through ITool. The explorer knows nothing of slots, tasks or readers: a state is
 * an opaque run of bytes, an action is a number, an invariant is a bit.
 */

/**
 * What `step` returns when it does not take the action: the protocol does not allow it in this
 * state (NOT_ENABLED), or something holds it back until another actor moves (MUST_WAIT: a lock, a
 * writer in the element's window, references still held, a grace period not yet over). The explorer
 * treats both alike; replay asks which, to check that an implementation waits where the spec does.
 */
export const NOT_ENABLED = -1;
export const MUST_WAIT = -2;

export const STEP_INVARIANT_BITS = 0xffff;

export interface InvariantInfo {
  readonly name: string;
  /** `state`: a predicate on each reachable state; `step`: a predicate on each transition. */
  readonly kind: 'state' | 'step';
}

/**
 * A liveness property "subject k is never pending for ever" ([]<>!pending), checked under weak
 * fairness per actor. A violation is a reachable fair cycle every state of which has k pending.
 */
export interface LivenessProperty {
  readonly name: string;
  readonly subjects: number;
  pending(state: Uint8Array, subject: number): boolean;
  /**
   * Why the property holds on every fair behaviour of this spec without a search, where the spec
   * can say so from its own structure (null: search for a lasso). The explorer then keeps no graph
   * for it, and the checker's report gives the reason.
   */
  readonly holdsWithoutSearch: string | null;
}

export interface Spec {
  /** Bytes in one packed state; a multiple of 4 so that hashing can read it as 32-bit words. */
  readonly stateBytes: number;
  /** Action instances are numbered 0..actionCount-1 in a fixed order (the order successors are tried). */
  readonly actionCount: number;
  /** Actors are numbered 0..actorCount-1; weak fairness is per actor. */
  readonly actorCount: number;
  actorOf(action: number): number;
  /** Invariant i is bit i of the masks below. At most 16 invariants. */
  readonly invariants: readonly InvariantInfo[];
  readonly liveness: readonly LivenessProperty[];
  /** Whether infinite behaviours (cycles in the state graph) can exist; liveness is vacuous otherwise. */
  readonly mayCycle: boolean;

  /** Writes the single initial state. */
  init(out: Uint8Array): void;
  /**
   * If `action` can be taken in `from`, writes its successor to `to` and returns a non-negative
   * result: its low 16 bits (STEP_INVARIANT_BITS) the mask of step invariants the transition
   * violates, the bits above the spec's own (what the step returned), which the explorer hands to
   * its hooks untouched. Otherwise returns NOT_ENABLED or MUST_WAIT (both negative), and `to` holds
   * nothing of use.
   */
  step(action: number, from: Uint8Array, to: Uint8Array): number;
  /** The mask (restricted to `mask`) of state invariants that `state` violates. */
  violations(state: Uint8Array, mask: number): number;
  /** True when a state without successors is a proper end (every actor done), not a deadlock. */
  isFinal(state: Uint8Array): boolean;
  /**
   * Rewrites `state` in place into a representative of its symmetry class. Must only ever map a
   * state to a permutation of itself under which every invariant is preserved.
   */
  canonicalize(state: Uint8Array): void;
  /**
   * Partial-order reduction: an action enabled in `state` that is on its own a persistent set
   * (no action that depends on it can be taken on any path from `state` before it) and invisible
   * (it changes nothing any invariant reads and breaks no step invariant), or -1 when the state
   * must be expanded fully. Asked only of specs whose state graph is acyclic (mayCycle false), so
   * no cycle proviso is needed; must be the same for states symmetric under `canonicalize`.
   */
  persistentAction?(state: Uint8Array): number;
}

/**
 * The actions a reduced search tries in `state`, as [range[0], range[1]): the state's persistent
 * action alone when `persistentAction` names one, every action otherwise. True when reduced. The
 * sequential and the parallel explorer both expand a state through this, so that they prune alike.
 */
export function actionsToTry(spec: Spec, persistentAction: ((state: Uint8Array) => number) | undefined, state: Uint8Array, range: Int32Array): boolean {
  const only = persistentAction === undefined ? -1 : persistentAction(state);
  range[0] = only >= 0 ? only : 0;
  range[1] = only >= 0 ? only + 1 : spec.actionCount;
  return only >= 0;
}
