/**
 * Sequence goals: an actor's operation, then its next operation, each by (operation, outcome) and
 * whether it retried (`lookup -> index`, then `lookup -> gone`; `read -> value` after a retry, then
 * `read -> busy`). What an actor carries from one operation to the next (a reader's cache, its
 * retry count, a kernel context's registers) is set by one operation and read by the next, so a
 * slip there shows only in a trace where that actor runs the two in that order.
 *
 * For the lone kernel context and the lone reader of a configuration, whose last operation the spec
 * keeps under SpecOptions.history (spec/history.ts): the goal is that byte before the step that ends
 * the next operation, and after it.
 */
import type { LsmcSpec } from '../../spec/index.js';
import { historySlot, type LastOp, lastOpOf } from '../../spec/history.js';

const ROLE_NAMES = ['kernel context', 'reader'] as const;
const ROLE_SLUGS = ['kernel', 'reader'] as const;

export class SequenceGoals {
  /** Whether the spec keeps a lone actor's history (sequence goals were asked for and there is one). */
  readonly on: boolean;

  constructor(private readonly spec: LsmcSpec) {
    const c = spec.ctx;
    this.on = c.history && (c.L.kernels === 1 || c.L.readers === 1);
  }

  /** The sequence goal the step `a` from `from` to `to` hits (its actor's last operation, then the one it ends), or -1. */
  goal(a: number, from: Uint8Array, to: Uint8Array): number {
    const slot = historySlot(this.spec.ctx, this.spec.roleOf(a));
    if (slot < 0 || this.spec.busyIn(a, to)) return -1;
    const at = this.spec.ctx.L.history + slot;
    return from[at] === 0 ? -1 : (slot * 256 + from[at]) * 256 + to[at];
  }

  name(key: number): string {
    const { slot, before, after } = split(key);
    return `the ${ROLE_NAMES[slot]}'s ${opName(before)}, then its next operation's ${opName(after)}`;
  }

  slug(key: number): string {
    const { slot, before, after } = split(key);
    return `${ROLE_SLUGS[slot]}-${opSlug(before)}-then-${opSlug(after)}`;
  }
}

function split(key: number): { slot: number; before: LastOp; after: LastOp } {
  return { slot: key >> 16, before: lastOpOf((key >> 8) & 0xff) as LastOp, after: lastOpOf(key & 0xff) as LastOp };
}

// A kernel context's delete runs destroy.*: named as the operation it started.
const opWord = (o: LastOp): string => (o.op === 'destroy' ? 'delete' : o.op);
const opName = (o: LastOp): string => `${opWord(o)} -> ${o.outcome}${o.retried ? ' after a retry' : ''}`;
const opSlug = (o: LastOp): string => `${opWord(o)}-${o.outcome}${o.retried ? '-retried' : ''}`;
