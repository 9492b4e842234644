/**
 * What the soak checks of the kernel side's own records whenever every thread is between
 * operations (and at the end): facts no reader can see, that a slip inside one atomic step of the
 * spec can break only under real concurrency.
 * - allocator: an index is linked to one owner at most, and then allocated to it; an allocated
 *   index is linked to its owner (else it leaked); under lifo the free list holds each free index
 *   below the high-water mark once and nothing else; each index came back to the allocator once per
 *   element destroyed (its epoch counts the elements, its return counter the returns).
 * - references: no create holds a reference or a create-under-way flag.
 * - pid-table: no two live or zombie tasks hold one pid number.
 * - no-create-after-free: no freed owner is linked to an element.
 */
import { ALIVE, EXITED, FREED } from '../../spec/vocabulary.js';
import type { Kernel } from '../reference/kernel.js';
import type { ReferenceMap } from '../reference/map.js';
import { G_FREE_TOP, G_HIGH_WATER, G_PID_LOCK, O_CREATING, O_LINK, O_PHASE, O_PID, O_REFS, O_UID, SLOT_FREE, SLOT_PENDING } from '../reference/memory.js';
import { BLOCKED, type Op, outcome, tryLock, unlock } from '../reference/op.js';

export const CONSISTENCY_CHECKS = ['allocator', 'references', 'pid-table', 'no-create-after-free'] as const;
export type ConsistencyCheck = (typeof CONSISTENCY_CHECKS)[number];

export interface Finding {
  readonly check: ConsistencyCheck;
  readonly text: string;
}

export function checkConsistency(map: ReferenceMap): Finding[] {
  const m = map.memory;
  const k = map.kernel;
  const out: Finding[] = [];
  const add = (check: ConsistencyCheck, text: string): void => void out.push({ check, text });
  const who = (o: number): string => `owner record ${o} (uid ${k.owner(o, O_UID)})`;
  const alloc = (i: number): number => m.load(m.at.slotAlloc + i);
  const allocText = (a: number): string => (a === SLOT_FREE ? 'free' : a === SLOT_PENDING ? 'waiting for a grace period' : `allocated to ${who(a - 1)}`);

  const linkedTo = new Map<number, number>();
  for (let o = 0; o < m.shape.owners; o++) {
    const link = k.owner(o, O_LINK) - 1;
    if (k.owner(o, O_REFS) !== 0 || k.owner(o, O_CREATING) !== 0)
      add('references', `${who(o)} holds ${k.owner(o, O_REFS)} create reference(s)${k.owner(o, O_CREATING) !== 0 ? ' and its create-under-way flag' : ''} with no create running`);
    if (k.owner(o, O_PHASE) === FREED && link >= 0) add('no-create-after-free', `${who(o)} is freed but linked to index ${link}`);
    if (link < 0) continue;
    const other = linkedTo.get(link);
    if (other !== undefined) add('allocator', `index ${link} is linked to both ${who(other)} and ${who(o)}`);
    linkedTo.set(link, o);
    if (alloc(link) !== o + 1) add('allocator', `${who(o)} is linked to index ${link}, which the allocator has ${allocText(alloc(link))}`);
  }
  for (let i = 0; i < m.shape.slots; i++) {
    const a = alloc(i);
    if (a > 0 && k.owner(a - 1, O_LINK) !== i + 1) add('allocator', `index ${i} is allocated to ${who(a - 1)}, which is not linked to it (a leak)`);
    const taken = m.load(m.at.slotEpoch + i);
    const returned = m.load(m.at.slotReturns + i);
    const live = a === SLOT_FREE ? 0 : 1;
    if (taken !== returned + live) add('allocator', `index ${i} was handed out ${taken} time(s) and came back ${returned} time(s), and is ${allocText(a)} now`);
  }
  if (map.v.policy === 'lifo') {
    const top = m.load(G_FREE_TOP);
    const high = m.load(G_HIGH_WATER);
    const onStack = new Set<number>();
    for (let t = 0; t < top; t++) {
      const i = m.load(m.at.freeStack + t);
      if (onStack.has(i)) add('allocator', `index ${i} is on the free list twice`);
      else if (alloc(i) !== SLOT_FREE) add('allocator', `index ${i} is on the free list but ${allocText(alloc(i))}`);
      onStack.add(i);
    }
    for (let i = 0; i < high; i++) if (alloc(i) === SLOT_FREE && !onStack.has(i)) add('allocator', `index ${i} is free below the high-water mark ${high} but not on the free list (lost)`);
  }
  if (map.v.task) {
    const holder = new Map<number, number>();
    for (let o = 0; o < m.shape.owners; o++) {
      const phase = k.owner(o, O_PHASE);
      if (phase !== ALIVE && phase !== EXITED) continue;
      const pid = k.owner(o, O_PID);
      const other = holder.get(pid);
      if (other !== undefined) add('pid-table', `${who(other)} and ${who(o)} both hold pid number ${pid}`);
      holder.set(pid, o);
    }
  }
  return out;
}

/**
 * Right after task record `o` spawned: whether another task holds its pid number too ('exists',
 * with that task's uid) or not ('none'). Judged under the pid lock, so that no spawn runs while the
 * two records are read: the number cannot be released (reap) and handed out again in between, and
 * a record that spawned first and was reaped since no longer holds it. A spawn that records its
 * pid after letting the lock go is caught even when one of the two tasks dies before the next
 * quiescent point.
 */
export function* pidShared(k: Kernel, o: number): Op {
  while (!tryLock(k.m.ctl, G_PID_LOCK)) yield BLOCKED;
  const holds = (x: number): boolean => {
    const phase = k.owner(x, O_PHASE);
    return phase === ALIVE || phase === EXITED;
  };
  const pid = k.owner(o, O_PID);
  let other = -1;
  if (holds(o)) for (let x = 0; x < k.m.shape.owners && other < 0; x++) if (x !== o && holds(x) && k.owner(x, O_PID) === pid) other = x;
  const uid = other < 0 ? 0 : k.owner(other, O_UID);
  unlock(k.m.ctl, G_PID_LOCK);
  return other < 0 ? outcome('none') : outcome('exists', { uid });
}
