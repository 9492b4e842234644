/**
 * The action instances of a configuration: every (actor, kind, parameters) a step can be, in a fixed
 * order. The explorer knows an action only by its position in this table.
 */
import type { Ctx } from './context.js';

export type ActionKind =
  | 'lifecycle'
  | 'create'
  | 'update'
  | 'delete'
  | 'kernel-step'
  | 'lookup'
  | 'read'
  | 'scan'
  | 'reader-step'
  | 'grace';

export interface Action {
  readonly kind: ActionKind;
  /** Owners are actors 0..owners-1, then kernel contexts, then readers, then the grace period. */
  readonly actor: number;
  /** The owner acted on or asked about (-1: none). */
  readonly owner: number;
  /** lookup: whose element the syscall answers with (-1: ENOENT). */
  readonly answer: number;
  /** update: the value written. */
  readonly value: number;
  /** scan: the index read; grace: the index whose grace period ends. */
  readonly index: number;
}

export interface Actors {
  readonly owners: number;
  readonly kernels: number;
  readonly readers: number;
  readonly firstKernel: number;
  readonly firstReader: number;
  readonly grace: number;
  readonly count: number;
}

export function actorsOf(c: Ctx): Actors {
  const { owners, kernels, readers } = c.L;
  return { owners, kernels, readers, firstKernel: owners, firstReader: owners + kernels, grace: owners + kernels + readers, count: owners + kernels + readers + 1 };
}

export function buildActions(c: Ctx): Action[] {
  const a = actorsOf(c);
  const out: Action[] = [];
  const add = (kind: ActionKind, actor: number, p: Partial<Omit<Action, 'kind' | 'actor'>> = {}): void => {
    out.push({ kind, actor, owner: p.owner ?? -1, answer: p.answer ?? -1, value: p.value ?? 0, index: p.index ?? 0 });
  };
  for (let o = 0; o < a.owners; o++) add('lifecycle', o, { owner: o });
  for (let k = 0; k < a.kernels; k++) {
    const actor = a.firstKernel + k;
    add('kernel-step', actor);
    for (let o = 0; o < a.owners; o++) add('create', actor, { owner: o });
    for (let o = 0; o < a.owners; o++) for (let v = 1; v <= c.values; v++) add('update', actor, { owner: o, value: v });
    for (let o = 0; o < a.owners; o++) add('delete', actor, { owner: o });
  }
  for (let r = 0; r < a.readers; r++) {
    const actor = a.firstReader + r;
    add('reader-step', actor);
    for (let o = 0; o < a.owners; o++) {
      add('lookup', actor, { owner: o, answer: -1 });
      for (let x = 0; x < a.owners; x++) if (x === o || !c.byUid) add('lookup', actor, { owner: o, answer: x });
    }
    add('read', actor);
    for (let i = 0; i < c.L.slots; i++) add('scan', actor, { index: i });
  }
  for (let i = 0; i < c.L.slots; i++) add('grace', a.grace, { index: i });
  return out;
}
