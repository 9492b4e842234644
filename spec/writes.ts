/**
 * Write goals, for test generation: a step that sets, changes or clears a variable of the design
 * that an implementation keeps and replay compares (a slot's seq, a reader's cached index, the
 * allocator's cursor...). A step goal's trace may take its step with every variable it writes
 * unchanged in value (a lookup caching the index it had cached already, a bump of a counter that a
 * zeroed page had at 0), and an implementation that forgets the write, or keeps an old value,
 * passes it. A write goal asks for the step actually moving the variable, each way it can:
 *
 * - `sets`: from nothing to a value (0 -> x for a field where 0 means none, or the field becomes
 *   meaningful: a cache filled, a context taking an element);
 * - `changes`: from one value to another, both meaningful (a cached index overwritten by another);
 * - `clears`: from a value to nothing.
 *
 * A field that means something only while another field says so (a reader's cached index while it
 * has a cached owner, a context's index while it is in an operation) has that field as its guard.
 * Slots are named by their place, first or last in their page (or, at one slot per page, in the
 * mapping; inner for those between), and pages by theirs in the mapping, since page and slot
 * arithmetic errs at those edges; actors are never named, so a goal means the same under symmetry.
 */
import type { Ctx } from './context.js';
import { kernelAt, ownerAt, readerAt, slotAt } from './context.js';
import { GLOBAL, KERNEL, OWNER, PAGE, PAGE_FIELDS, READER, SLOT } from './layout.js';
import { STALE } from './counters.js';
import { STEP_NAMES, type StepName } from './steps.js';

export const WRITE_KINDS = ['sets', 'changes', 'clears'] as const;
export type WriteKind = (typeof WRITE_KINDS)[number];

/** The variables of one configuration that write goals watch, as parallel arrays (no object per field on the hot path). */
export interface WriteTable {
  /** Offset of each watched byte in the packed state. */
  readonly offset: Int32Array;
  /** Its class: an index into `classes`. */
  readonly cls: Int32Array;
  /** The offset of the byte that says whether it means anything (non-zero), or -1: itself. */
  readonly guard: Int32Array;
  /** For a copy that may be marked STALE, the offset of the index it is a copy from; else -1. */
  readonly stale: Int32Array;
  /** Class names, as goals print them: `slots[last in page].seq`, `readers.cacheIndex`. */
  readonly classes: readonly string[];
}

const place = (i: number, n: number): string => (n === 1 ? '' : i === 0 ? 'first' : i === n - 1 ? 'last' : 'inner');

export function writeTable(c: Ctx): WriteTable {
  const offset: number[] = [];
  const cls: number[] = [];
  const guard: number[] = [];
  const stale: number[] = [];
  const classes: string[] = [];
  const watch = (at: number, name: string, guardAt = -1, staleOf = -1): void => {
    let k = classes.indexOf(name);
    if (k < 0) k = classes.push(name) - 1;
    offset.push(at);
    cls.push(k);
    guard.push(guardAt);
    stale.push(staleOf);
  };
  const L = c.L;
  const g = L.global;
  watch(g + GLOBAL.publishedSize, 'publishedSize');
  if (c.task) watch(g + GLOBAL.pidCursor, 'pidCursor');
  if (c.policy === 'cyclic') watch(g + GLOBAL.allocCursor, 'allocator.cursor');
  if (c.lifo) {
    watch(g + GLOBAL.freeTop, 'allocator.freeTop');
    watch(g + GLOBAL.highWater, 'allocator.highWater');
  }
  for (let p = 0; p < L.pages; p++) {
    const where = place(p, L.pages);
    const name = where === '' ? 'pages' : `pages[${where}]`;
    watch(L.page + p * PAGE_FIELDS + PAGE.kernel, `${name}.kernel`);
    watch(L.page + p * PAGE_FIELDS + PAGE.view, `${name}.view`);
  }
  for (let i = 0; i < L.slots; i++) {
    // By place in the page where a page holds several slots, else by place in the mapping.
    const where = c.slotsPerPage > 1 ? `${place(i % c.slotsPerPage, c.slotsPerPage)} in page` : place(i, L.slots);
    const name = where === '' ? 'slots' : `slots[${where}]`;
    const at = slotAt(c, i);
    for (const f of ['alloc', 'epoch', 'seq', 'ident', 'gen', 'w1', 'w2'] as const) watch(at + SLOT[f], `${name}.${f === 'ident' ? (c.byUid ? 'uid' : 'pid') : f === 'w1' ? 'word1' : f === 'w2' ? 'word2' : f}`);
  }
  for (let o = 0; o < L.owners; o++) {
    const at = ownerAt(c, o);
    for (const f of ['phase', 'pid', 'link', 'refs', 'creating'] as const) if (f !== 'pid' || c.task) watch(at + OWNER[f], `owners.${f}`);
    // The element an owner's free path destroys, while it runs.
    watch(at + OWNER.index, 'owners.freeIndex', at + OWNER.pc);
  }
  for (let k = 0; k < L.kernels; k++) {
    const at = kernelAt(c, k);
    watch(at + KERNEL.owner, 'kernel.owner', at + KERNEL.pc);
    watch(at + KERNEL.index, 'kernel.index', at + KERNEL.pc);
  }
  for (let r = 0; r < L.readers; r++) {
    const at = readerAt(c, r);
    watch(at + READER.cacheOwner, 'readers.cacheOwner');
    for (const f of ['cacheIndex', 'cacheIdent'] as const) watch(at + READER[f], `readers.${f}`, at + READER.cacheOwner);
    watch(at + READER.cacheGen, 'readers.cacheGen', at + READER.cacheOwner, at + READER.cacheIndex);
    watch(at + READER.retries, 'readers.retries');
  }
  return { offset: Int32Array.from(offset), cls: Int32Array.from(cls), guard: Int32Array.from(guard), stale: Int32Array.from(stale), classes };
}

const NAME_ID = new Map<StepName, number>(STEP_NAMES.map((n, i) => [n, i]));

export const writeGoalCount = (t: WriteTable): number => STEP_NAMES.length * t.classes.length * WRITE_KINDS.length;

/**
 * Calls `hit` with the id of every write goal the step `step` from `from` to `to` reaches, once per
 * class and kind (several slots of one class changed alike count once).
 */
export function writeGoalsOf(t: WriteTable, step: StepName, from: Uint8Array, to: Uint8Array, hit: (id: number) => void): void {
  const base = (NAME_ID.get(step) as number) * t.classes.length;
  let last = -1;
  for (let f = 0; f < t.offset.length; f++) {
    const at = t.offset[f];
    const a = from[at];
    const b = to[at];
    // A reader's copy marked STALE (spec/counters.ts) is bookkeeping: the reader's real copy did not
    // move, so no step writes STALE. From STALE, the real old copy is below the slot's gen, so a new
    // copy of the same slot differs from it; of another slot it may not, and nothing is witnessed.
    if (b === STALE && t.stale[f] >= 0) continue;
    if (a === STALE && t.stale[f] >= 0 && from[t.stale[f]] !== to[t.stale[f]]) continue;
    const gAt = t.guard[f];
    const had = gAt < 0 ? a !== 0 : from[gAt] !== 0;
    const has = gAt < 0 ? b !== 0 : to[gAt] !== 0;
    let kind: number;
    if (had && has) {
      if (a === b) continue;
      kind = 1;
    } else if (has) kind = 0;
    else if (had) kind = 2;
    else continue;
    const id = (base + t.cls[f]) * WRITE_KINDS.length + kind;
    if (id !== last) hit(id);
    last = id;
  }
}

export function writeGoalName(t: WriteTable, id: number): string {
  const kind = id % WRITE_KINDS.length;
  const rest = (id - kind) / WRITE_KINDS.length;
  const k = rest % t.classes.length;
  return `${STEP_NAMES[(rest - k) / t.classes.length]} ${WRITE_KINDS[kind]} ${t.classes[k]}`;
}

export function writeGoalSlug(t: WriteTable, id: number): string {
  return writeGoalName(t, id).replace(/\[([a-z]+) in page\]/g, '-$1-in-page').replace(/\[([a-z]+)\]/g, '-$1').replace(/ /g, '-');
}
