/**
 * Replay compares the state no user sees but later steps depend on (the allocator's cursor, free
 * list and high-water mark, the pid cursor, each owner's references): an implementation that shows
 * a wrong value there diverges at the step that made it, not steps later when it is used.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Adapter, AdapterFactory, VisibleState } from '../src/adapter/adapter.js';
import { referenceAdapter } from '../src/adapter/reference.js';
import { runReplay } from '../src/replay/run.js';
import { ROOT } from './support/models.js';

const LIFO = join(ROOT, 'generated-tests/traces/suites/indexPolicy=lifo/037-create.alloc-none-reused-index.itf.json.gz');

/** The reference implementation, showing its state through `lie`. */
function lying(lie: (v: VisibleState) => VisibleState): AdapterFactory {
  return {
    ...referenceAdapter,
    name: 'lying',
    open(config): Adapter {
      const a = referenceAdapter.open(config);
      return {
        name: 'lying',
        capabilities: a.capabilities,
        step: (s) => a.step(s),
        probeWait: (actor, start, picks) => a.probeWait(actor, start, picks),
        visible: () => lie(a.visible()),
        close: () => a.close(),
      };
    },
  };
}

const firstDifference = (factory: AdapterFactory, trace = LIFO): string | null => {
  const o = runReplay([trace], factory, []).outcomes[0];
  return o.kind === 'diverged' ? (o.differences[0]?.field ?? o.reason) : null;
};

describe('replay compares state no user sees', () => {
  it('the reference shows them as the trace has them', () => {
    expect(firstDifference(referenceAdapter)).toBeNull();
  });
  it('a free list that loses its entries', () => {
    expect(firstDifference(lying((v) => ({ ...v, cursors: v.cursors && { ...v.cursors, freeList: [] } })))).toBe('allocator.freeStack');
  });
  it('a high-water mark one too far', () => {
    expect(firstDifference(lying((v) => ({ ...v, cursors: v.cursors && { ...v.cursors, highWater: v.cursors.highWater + 1 } })))).toBe('allocator.highWater');
  });
  it('a pid cursor that does not move', () => {
    expect(firstDifference(lying((v) => ({ ...v, cursors: v.cursors && { ...v.cursors, pidCursor: 0 } })))).toBe('pidCursor');
  });
  it("an owner's reference that is never taken", () => {
    const noRefs = lying((v) => ({ ...v, references: Object.fromEntries(Object.entries(v.references ?? {}).map(([n, r]) => [n, { ...r, refs: 0 }])) }));
    expect(firstDifference(noRefs)).toMatch(/^owners\.[A-Z]\.refs$/);
  });
});
