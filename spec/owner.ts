/**
 * Owner lifecycles (design.md section 4). A task: spawn (gets a pid number, cyclically, and its
 * never-reused uid) -> exit -> reap (the pid number is released and may be handed out at once) ->
 * free (its element, if any, is destroyed). A cgroup: mkdir -> rmdir -> free; cgroup ids are never
 * reused. The free path runs the destroy steps as the owner's own actor.
 */
import { ALIVE, EXITED, FREED, REAPED, UNBORN } from './vocabulary.js';
import { type Ctx, MUST_WAIT, NOT_ENABLED, ownerAt, TAKEN } from './context.js';
import { continueOp, ownerRegs, type Regs, startFreeDestroy } from './kernel.js';
import { GLOBAL, OWNER } from './layout.js';

export type LifecycleStep = 'spawn' | 'exit' | 'reap' | 'free' | 'destroy' | 'none';

/** Which lifecycle step owner `o` would take next (`destroy`: a step of its free path). */
export function nextLifecycleStep(c: Ctx, s: Uint8Array, o: number): LifecycleStep {
  const at = ownerAt(c, o);
  if (s[at + OWNER.pc] !== 0) return 'destroy';
  switch (s[at + OWNER.phase]) {
    case UNBORN:
      return 'spawn';
    case ALIVE:
      return c.stayAlive ? 'none' : 'exit';
    case EXITED:
      return c.task ? 'reap' : 'free';
    case REAPED:
      return 'free';
    default:
      return 'none';
  }
}

/** Whether a task holds pid number `pid` (0-based) now: alive or a zombie. */
export function pidHeld(c: Ctx, s: Uint8Array, pid: number): boolean {
  for (let o = 0; o < c.L.owners; o++) {
    const at = ownerAt(c, o);
    const phase = s[at + OWNER.phase];
    if ((phase === ALIVE || phase === EXITED) && s[at + OWNER.pid] === pid + 1) return true;
  }
  return false;
}

/** idr_alloc_cyclic over the pid numbers: the first free one at or after the cursor. */
function allocPid(c: Ctx, s: Uint8Array): number {
  const cursor = c.L.global + GLOBAL.pidCursor;
  for (let d = 0; d < c.pidNumbers; d++) {
    const p = (s[cursor] + d) % c.pidNumbers;
    if (pidHeld(c, s, p)) continue;
    s[cursor] = (p + 1) % c.pidNumbers;
    return p;
  }
  return -1;
}

export function makeOwnerRegs(c: Ctx): Regs[] {
  return Array.from({ length: c.L.owners }, (_, o) => ownerRegs(c, o));
}

export function lifecycleStep(c: Ctx, s: Uint8Array, o: number, regs: Regs): number {
  const at = ownerAt(c, o);
  switch (nextLifecycleStep(c, s, o)) {
    case 'spawn': {
      if (c.task) {
        // fork fails while every pid number is held; it can succeed once a task is reaped.
        const pid = allocPid(c, s);
        if (pid < 0) return MUST_WAIT;
        s[at + OWNER.pid] = pid + 1;
      }
      s[at + OWNER.phase] = ALIVE;
      return TAKEN;
    }
    case 'exit':
      s[at + OWNER.phase] = EXITED;
      return TAKEN;
    case 'reap':
      s[at + OWNER.phase] = REAPED;
      // By uid nothing reads a released pid number again; by pid, lookups still match on it.
      if (c.byUid) s[at + OWNER.pid] = 0;
      return TAKEN;
    case 'free':
      // free_task() / css release: waits for the references creates hold (precision 6).
      if (s[at + OWNER.refs] !== 0) return MUST_WAIT;
      // The unlink is part of the free step, not a step of its own: free runs when the last
      // reference to the owner is dropped, so no kernel context can reach the owner in between.
      s[at + OWNER.phase] = FREED;
      startFreeDestroy(c, s, o);
      return TAKEN;
    case 'destroy':
      return continueOp(c, s, regs);
    case 'none':
      return NOT_ENABLED;
  }
}
