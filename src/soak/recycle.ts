/**
 * Owner records live once in the model (unborn -> alive -> exited -> reaped -> freed). A churn
 * needs more owners than records, so a freed record with nothing left pointing at it is returned
 * to unborn, and the next spawn makes it a new owner with a fresh uid. This is the one kernel
 * operation the soak adds to the reference implementation; it takes the record's lock as the
 * kernel's own operations do, so that it is atomic to them.
 */
import type { Kernel } from '../reference/kernel.js';
import { FREED, UNBORN } from '../../spec/vocabulary.js';
import { O_CREATING, O_LINK, O_LOCK, O_PHASE, O_PID, O_REFS, O_UID } from '../reference/memory.js';
import { BLOCKED, NO_OUTCOME, type Op, outcome, tryLock, unlock } from '../reference/op.js';

export function* recycle(kernel: Kernel, o: number): Op {
  const ctl = kernel.m.ctl;
  const lock = kernel.ownerWord(o, O_LOCK);
  while (!tryLock(ctl, lock)) yield BLOCKED;
  // A record still linked (a create that got past a missing guard) or referenced stays freed for good.
  const idle = kernel.owner(o, O_PHASE) === FREED && kernel.owner(o, O_REFS) === 0 && kernel.owner(o, O_LINK) === 0 && kernel.owner(o, O_CREATING) === 0;
  if (idle) {
    // uid 0 until the next spawn: a lookup that loads it is refused rather than answered for a past owner.
    kernel.m.store(kernel.ownerWord(o, O_UID), 0);
    kernel.m.store(kernel.ownerWord(o, O_PID), 0);
    kernel.m.store(kernel.ownerWord(o, O_PHASE), UNBORN);
  }
  unlock(ctl, lock);
  return idle ? NO_OUTCOME : outcome('disabled');
}
