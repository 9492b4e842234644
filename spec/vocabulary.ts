/**
 * The design's small vocabularies, each defined once and spoken by the spec, every implementation,
 * every adapter and every report: an owner's phases, a page's user views, the kinds of outcome a
 * step returns, and the shape of an observation as traces record it. Their positions are the codes
 * stored in a packed state and in the reference implementation's shared memory.
 */

export const PHASES = ['unborn', 'alive', 'exited', 'reaped', 'freed'] as const;
export type Phase = (typeof PHASES)[number];
export const UNBORN = 0;
export const ALIVE = 1;
/** A task that exited and is not yet reaped (a zombie), or a cgroup after rmdir. */
export const EXITED = 2;
/** A task reaped: its pid number is released, its task_struct (and element) not yet freed. */
export const REAPED = 3;
export const FREED = 4;

/** What a load through the read-only mapping finds on a page: a fault, zeros, or the slots. */
export const VIEWS = ['unmapped', 'zero-page', 'mapped'] as const;
export type View = (typeof VIEWS)[number];
export const VIEW_UNMAPPED = 0;
export const VIEW_ZERO = 1;
export const VIEW_MAPPED = 2;

/** What a step returned to its caller: observations of readers, results of kernel operations. */
export const OUTCOMES = [
  'none',
  'value',
  'gone',
  'not-visible',
  'busy',
  'fault',
  'index',
  'created',
  'exists',
  'refused',
  'nomem',
  'updated',
  'deleted',
  'enoent',
  'retry',
] as const;
export type Outcome = (typeof OUTCOMES)[number];
export const outcome = (name: Outcome): number => OUTCOMES.indexOf(name);

/**
 * A step's observation as a trace's `observation` variable records it and replay compares it: the
 * outcome, the owner it is about (`none` if none), the index, and the words a read accepted (-1 for
 * fields the outcome does not have).
 */
// A type, not an interface, so that it is a plain record (traces write it as one).
export type Observation = {
  readonly kind: Outcome;
  readonly owner: string;
  readonly index: number;
  readonly word1: number;
  readonly word2: number;
};

export const OBSERVATION_FIELDS = ['kind', 'owner', 'index', 'word1', 'word2'] as const satisfies readonly (keyof Observation)[];

export const NO_OBSERVATION: Observation = { kind: 'none', owner: 'none', index: -1, word1: -1, word2: -1 };

/** Which fields each outcome carries; the others are -1 (or `none`). */
export function observation(kind: Outcome, owner: string, index: number, word1 = -1, word2 = -1): Observation {
  switch (kind) {
    case 'none':
      return NO_OBSERVATION;
    case 'value':
      return { kind, owner, index: -1, word1, word2 };
    case 'index':
    case 'gone':
    case 'not-visible':
    case 'fault':
      return { kind, owner, index, word1: -1, word2: -1 };
    case 'busy':
    case 'retry':
      return { kind, owner, index: -1, word1: -1, word2: -1 };
    case 'created':
    case 'updated':
    case 'deleted':
    case 'exists':
      return { kind, owner: 'none', index, word1: -1, word2: -1 };
    default:
      return { kind, owner: 'none', index: -1, word1: -1, word2: -1 };
  }
}
