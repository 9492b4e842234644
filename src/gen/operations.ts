/**
 * A step at the grain of operations, for goals over two steps (pairs, sequences): the operation it
 * belongs to, named by the step that starts it (an owner's every step is its own), and its outcome,
 * packed in one number. Worked out once per goal and actor kind: generation asks it of every
 * transition.
 */
import { goalCount, goalOf } from '../../spec/coverage.js';
import type { ActorRole } from '../../spec/index.js';
import { stepFacts, type StepName } from '../../spec/steps.js';
import { type Outcome, OUTCOMES } from '../../spec/vocabulary.js';

const OPS = ['spawn', 'exit', 'reap', 'mkdir', 'rmdir', 'free', 'create', 'update', 'delete', 'lookup', 'read', 'scan', 'grace-period'] as const;
type Op = (typeof OPS)[number];

function opOf(role: ActorRole, step: StepName): Op {
  if (role === 'owner') return step.startsWith('free') ? 'free' : (step as Op);
  const op = stepFacts(step).op;
  return op === 'destroy' ? 'delete' : op === 'grace' ? 'grace-period' : (op as Op);
}

/** How many (operation, outcome) numbers there are. */
export const OP_OUTCOMES = OPS.length * OUTCOMES.length;

export const ROLES: readonly ActorRole[] = ['owner', 'kernel', 'reader', 'rcu'];

const cache = new Int32Array(goalCount * ROLES.length).fill(-1);

/** The (operation, outcome) of goal `g`'s step taken by an actor of kind `role`. */
export function opOutcomeOf(role: ActorRole, g: number): number {
  const at = g * ROLES.length + ROLES.indexOf(role);
  if (cache[at] < 0) {
    const goal = goalOf(g);
    cache[at] = OPS.indexOf(opOf(role, goal.step)) * OUTCOMES.length + OUTCOMES.indexOf(goal.outcome as Outcome);
  }
  return cache[at];
}

/** The operation of an (operation, outcome) number, as a number. */
export const opPart = (x: number): number => Math.floor(x / OUTCOMES.length);

export const opOutcomeName = (x: number): string => `${OPS[opPart(x)]} -> ${OUTCOMES[x % OUTCOMES.length]}`;
export const opOutcomeSlug = (x: number): string => opOutcomeName(x).replace(' -> ', '-');
