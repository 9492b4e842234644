/**
 * One code path for both uses of an operation. Each operation is a generator whose every `yield`
 * ends one atomic step of the spec: it yields the name of the step it will take next, or BLOCKED
 * when the step it tried must wait (a lock is held) and changed nothing. A trace drives it one
 * `next()` per step; `runWhole` drives it to the end for real concurrent use, spinning on BLOCKED.
 */

import type { StepName } from '../../spec/steps.js';
import type { Outcome as OutcomeName } from '../../spec/vocabulary.js';

export const BLOCKED = 'blocked';
/** The next step, by the spec's step table, or BLOCKED: a misspelt or unknown step does not compile. */
export type Yielded = StepName | typeof BLOCKED;

/** The spec's outcome kinds (spec/vocabulary.ts), and `disabled`: the operation could not start at all. */
export type OutcomeKind = OutcomeName | 'disabled';

/**
 * What a step returned. `uid` is the owner the outcome is about (the reader's target, 0 if none);
 * `index` the slot; `word1`/`word2` the words a read accepted; `gen` what a lookup found.
 */
export interface Outcome {
  readonly kind: OutcomeKind;
  readonly uid: number;
  readonly index: number;
  readonly word1: number;
  readonly word2: number;
  readonly gen: number;
}

export const NO_OUTCOME: Outcome = { kind: 'none', uid: 0, index: -1, word1: 0, word2: 0, gen: 0 };

export function outcome(kind: OutcomeKind, p: Partial<Omit<Outcome, 'kind'>> = {}): Outcome {
  return { kind, uid: p.uid ?? 0, index: p.index ?? -1, word1: p.word1 ?? 0, word2: p.word2 ?? 0, gen: p.gen ?? 0 };
}

export type Op = Generator<Yielded, Outcome, void>;

/**
 * Where a step reports an outcome that does not end its operation (a reader's `retry`). The step
 * driver clears it before each step.
 */
export interface Notes {
  note: Outcome;
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/** Runs an operation to its end; a blocked step is retried, backing off after a few spins. */
export function runWhole(op: Op): Outcome {
  let spins = 0;
  for (;;) {
    const r = op.next();
    if (r.done === true) return r.value;
    if (r.value !== BLOCKED) {
      spins = 0;
      continue;
    }
    if (++spins > 64) Atomics.wait(pause, 0, 0, 0.05);
  }
}

/** A spin lock word in shared memory, for the steps that touch several words of one record. */
export function tryLock(words: Int32Array, at: number): boolean {
  return Atomics.compareExchange(words, at, 0, 1) === 0;
}

export function unlock(words: Int32Array, at: number): void {
  Atomics.store(words, at, 0);
}
