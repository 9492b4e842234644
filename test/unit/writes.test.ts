/**
 * Write goals (spec/writes.ts) on hand-made pairs of states: what counts as setting, changing and
 * clearing a variable, a guard's say over its field, and slots named by their place in the page.
 */
import { describe, expect, it } from 'vitest';
import { buildSpec } from '../../spec/index.js';
import { readerAt, slotAt } from '../../spec/context.js';
import { READER, SLOT } from '../../spec/layout.js';
import { writeGoalName, writeGoalsOf, writeTable } from '../../spec/writes.js';
import { STALE } from '../../spec/counters.js';
import type { StepName } from '../../spec/steps.js';
import { configOf } from '../support/models.js';

const spec = buildSpec(configOf('retries.json'));
const table = writeTable(spec.ctx);
const R1 = readerAt(spec.ctx, 0);

function goals(step: StepName, edit: (from: Uint8Array, to: Uint8Array) => void, t = table): string[] {
  const from = new Uint8Array(spec.stateBytes);
  const to = new Uint8Array(spec.stateBytes);
  edit(from, to);
  const out: string[] = [];
  writeGoalsOf(t, step, from, to, (id) => out.push(writeGoalName(t, id)));
  return out;
}

describe('write goals', () => {
  it('a cache filled from nothing sets its owner and every field it guards', () => {
    expect(
      goals('lookup', (_, to) => {
        to[R1 + READER.cacheOwner] = 1;
        to[R1 + READER.cacheIndex] = 0;
        to[R1 + READER.cacheIdent] = 1;
        to[R1 + READER.cacheGen] = 1;
      }),
    ).toEqual(['lookup sets readers.cacheOwner', 'lookup sets readers.cacheIndex', 'lookup sets readers.cacheIdent', 'lookup sets readers.cacheGen']);
  });

  it('a cache overwritten with another index changes it, even from index 0 (its guard says 0 means something)', () => {
    expect(
      goals('lookup', (from, to) => {
        from[R1 + READER.cacheOwner] = 1;
        to[R1 + READER.cacheOwner] = 1;
        to[R1 + READER.cacheIndex] = 1;
      }),
    ).toEqual(['lookup changes readers.cacheIndex']);
  });

  it('a cache written again with what it held hits no write goal', () => {
    expect(
      goals('lookup', (from, to) => {
        for (const s of [from, to]) {
          s[R1 + READER.cacheOwner] = 2;
          s[R1 + READER.cacheIndex] = 1;
        }
      }),
    ).toEqual([]);
  });

  it('a cache dropped clears its owner and what it guards, whatever bytes are left behind', () => {
    expect(
      goals('lookup', (from, to) => {
        from[R1 + READER.cacheOwner] = 1;
        from[R1 + READER.cacheGen] = 3;
        to[R1 + READER.cacheGen] = 3;
      }),
    ).toEqual(['lookup clears readers.cacheOwner', 'lookup clears readers.cacheIndex', 'lookup clears readers.cacheIdent', 'lookup clears readers.cacheGen']);
  });

  it('a cached gen marked stale by a bump is not written; from stale, only a copy of the same slot is witnessed to change', () => {
    const at = (f: number): number => R1 + f;
    const cached = (s: Uint8Array, index: number, gen: number): void => {
      s[at(READER.cacheOwner)] = 1;
      s[at(READER.cacheIndex)] = index;
      s[at(READER.cacheGen)] = gen;
    };
    expect(goals('destroy.gen', (from, to) => void (cached(from, 0, 1), cached(to, 0, STALE)))).toEqual([]);
    expect(goals('lookup', (from, to) => void (cached(from, 0, STALE), cached(to, 0, 3)))).toEqual(['lookup changes readers.cacheGen']);
    expect(goals('lookup', (from, to) => void (cached(from, 0, STALE), cached(to, 1, 1)))).toEqual(['lookup changes readers.cacheIndex']);
  });

  it('a counter going 0 -> 1 sets it, 1 -> 2 changes it, 2 -> 0 clears it', () => {
    const seq = slotAt(spec.ctx, 0) + SLOT.seq;
    expect(goals('update.seq-begin', (_, to) => void (to[seq] = 1))).toEqual(['update.seq-begin sets slots[first].seq']);
    expect(goals('update.seq-end', (from, to) => void ((from[seq] = 1), (to[seq] = 2)))).toEqual(['update.seq-end changes slots[first].seq']);
    expect(goals('create.alloc', (from) => void (from[seq] = 2))).toEqual(['create.alloc clears slots[first].seq']);
  });

  it('names a slot by its place in the mapping at one slot per page', () => {
    expect(goals('create.gen', (_, to) => void (to[slotAt(spec.ctx, 1) + SLOT.gen] = 1))).toEqual(['create.gen sets slots[last].gen']);
  });

  it('names a slot by its place in its page where a page holds several', () => {
    const pages = buildSpec(configOf('pages.json'));
    const t = writeTable(pages.ctx);
    const from = new Uint8Array(pages.stateBytes);
    const to = new Uint8Array(pages.stateBytes);
    to[slotAt(pages.ctx, 1) + SLOT.gen] = 1;
    to[slotAt(pages.ctx, 2) + SLOT.gen] = 1;
    const out: string[] = [];
    writeGoalsOf(t, 'create.gen', from, to, (id) => out.push(writeGoalName(t, id)));
    expect(out).toEqual(['create.gen sets slots[last in page].gen', 'create.gen sets slots[first in page].gen']);
  });
});
