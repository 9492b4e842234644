/**
 * Partial-order reduction (docs/checker.md, "Partial-order reduction"): in a state, one action that
 * is by itself a persistent set, or none. The explorer then takes that action alone.
 *
 * The rule, and why it is sound here. An action α enabled in s is a persistent set on its own when
 * no action that depends on α can be taken on any path from s before α is (Godefroid's C1). Two
 * actions are independent when neither enables or disables the other and taking them in either
 * order gives the same state and the same step results. α must also be invisible (C2): it changes
 * nothing a state invariant reads and breaks no step invariant, so a violation reached without α is
 * still reached after it. No cycle proviso (C3) is needed: the explorer reduces only specs whose
 * state graph is acyclic (Spec.mayCycle false: every step spends a budget, advances a program
 * counter, a retry or an owner's phase), where no action can be put off for ever. The explorer
 * runs this on the canonical state it holds; symmetry maps persistent sets to persistent sets,
 * since every footprint below is the same for every owner, kernel context and reader.
 *
 * Only two kinds of action qualify, both an owner's lifecycle step (owner.ts), which is the only
 * action of that owner while its free path is idle, so no other action of its own actor competes:
 *
 * - exit(o) (a cgroup's rmdir): writes only o's phase, ALIVE to EXITED. Every reader of an owner's
 *   phase tests a predicate this leaves alone (UNBORN in create, update, delete and lookup starts;
 *   FREED in create's link and in no-leak; "alive or a zombie" in pidHeld and in lookups and scans
 *   by pid number), except the create guard (kernel.ts startCreate), which refuses an owner that is
 *   not ALIVE. So exit is a persistent set unless createGuard is on and some kernel context could
 *   still start an operation (kernelHasBudget): a busy context with budget left may start a create
 *   of o after its current operation. Nothing else enables or disables exit: only o's own step
 *   changes its phase or its free path's program counter.
 * - reap(o), a task's, by uid: writes o's phase, EXITED to REAPED, and clears its pid number. By uid
 *   nothing reads the pid number of an owner that is not alive or a zombie (identOf is owner + 1,
 *   lookups match the owner itself, pidHeld looks only at alive and zombie tasks), and REAPED and
 *   EXITED differ only to spawn, whose pid allocation (pidHeld) sees the number released: reap may
 *   enable a spawn that had to wait for a free pid number. So reap is a persistent set once no owner
 *   is UNBORN (none will ever spawn again). By pid number, lookups and scans stop matching a reaped
 *   task (holdsPidNow), so reap depends on every reader: never a candidate.
 *
 * Neither breaks a step invariant or changes what a state invariant reads (unique-slot and covered
 * read links, pages and the published size; no-leak reads FREED, program counters and slots), and
 * neither touches a reader's record, a slot or a page. Reader loads, whose footprints are shared
 * with kernel steps through the copy marks (counters.ts, current.ts), are left out: measured on the
 * reference configuration they saved under 0.1 % of states (docs/por-design.md).
 *
 * What it costs a counterexample: the reduced graph keeps a violation but can reach it only after
 * some exits and reaps a shortest path did not need, each at most once per owner, so a reduced
 * counterexample is at most 2 steps per owner longer than the true shortest (1 per cgroup, which is
 * never reaped). The explorer trims such steps back out when the trace without them still breaks
 * the invariant (checker/trim.ts).
 */
import { type Ctx, ownerAt } from './context.js';
import { kernelHasBudget } from './kernel.js';
import { OWNER } from './layout.js';
import { nextLifecycleStep } from './owner.js';
import { UNBORN } from './vocabulary.js';

/** Whether some kernel context could still start an operation (and so a create of any owner). */
function anyKernelBudget(c: Ctx, s: Uint8Array): boolean {
  for (let k = 0; k < c.L.kernels; k++) if (kernelHasBudget(c, s, k)) return true;
  return false;
}

function anyUnborn(c: Ctx, s: Uint8Array): boolean {
  for (let o = 0; o < c.L.owners; o++) if (s[ownerAt(c, o) + OWNER.phase] === UNBORN) return true;
  return false;
}

/**
 * The lowest owner whose lifecycle step is a persistent set in `s` (its action from
 * `lifecycleAction`), or -1. Deterministic in the state's bytes, so runs stay byte for byte equal.
 */
export function persistentLifecycle(c: Ctx, s: Uint8Array, lifecycleAction: readonly number[]): number {
  let kernelsChecked = false;
  let kernelsMayCreate = false;
  let unbornChecked = false;
  let unborn = false;
  for (let o = 0; o < c.L.owners; o++) {
    const next = nextLifecycleStep(c, s, o);
    if (next === 'exit') {
      if (c.createGuard) {
        if (!kernelsChecked) {
          kernelsMayCreate = anyKernelBudget(c, s);
          kernelsChecked = true;
        }
        if (kernelsMayCreate) continue;
      }
      return lifecycleAction[o];
    }
    if (next === 'reap' && c.byUid) {
      if (!unbornChecked) {
        unborn = anyUnborn(c, s);
        unbornChecked = true;
      }
      if (!unborn) return lifecycleAction[o];
    }
  }
  return -1;
}


/** How many steps longer than the true shortest a counterexample of the reduced graph can be: each owner's exit, and reap by uid. */
export function reducedPathSlack(c: Ctx): number {
  return c.L.owners * ((c.stayAlive ? 0 : 1) + (c.task && c.byUid ? 1 : 0));
}
