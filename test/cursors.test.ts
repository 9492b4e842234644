/**
 * Replay compares the state no user sees but later steps depend on (the allocator's cursor, free
 * list and high-water mark, the pid cursor): an implementation that shows a wrong value there
 * diverges at the step that made it, not steps later when it is used.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Adapter, AdapterFactory, Cursors } from '../src/adapter/adapter.js';
import { referenceAdapter } from '../src/adapter/reference.js';
import { runReplay } from '../src/replay/run.js';
import { ROOT } from './support/models.js';

const LIFO = join(ROOT, 'generated-tests/traces/suites/indexPolicy=lifo/037-create.alloc-none-reused-index.itf.json.gz');

/** The reference implementation, showing its cursors through `lie`. */
function lying(lie: (c: Cursors) => Cursors): AdapterFactory {
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
        visible: () => {
          const v = a.visible();
          return { ...v, cursors: v.cursors === undefined ? undefined : lie(v.cursors) };
        },
        close: () => a.close(),
      };
    },
  };
}

const firstDifference = (factory: AdapterFactory): string | null => {
  const o = runReplay([LIFO], factory, []).outcomes[0];
  return o.kind === 'diverged' ? (o.differences[0]?.field ?? o.reason) : null;
};

describe('replay compares the cursors', () => {
  it('the reference shows them as the trace has them', () => {
    expect(firstDifference(referenceAdapter)).toBeNull();
  });
  it('a free list that loses its entries', () => {
    expect(firstDifference(lying((c) => ({ ...c, freeList: [] })))).toBe('allocator.freeStack');
  });
  it('a high-water mark one too far', () => {
    expect(firstDifference(lying((c) => ({ ...c, highWater: c.highWater + 1 })))).toBe('allocator.highWater');
  });
  it('a pid cursor that does not move', () => {
    expect(firstDifference(lying((c) => ({ ...c, pidCursor: 0 })))).toBe('pidCursor');
  });
});
