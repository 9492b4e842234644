/**
 * Replay compares the state no user sees but later steps depend on (the allocator's cursor, free
 * list and high-water mark, the pid cursor, each owner's references, the element each kernel
 * context and free path holds and its RCU marker, each reader's cache and retries): an implementation that shows
 * a wrong value there diverges at the step that made it, not steps later when it is used.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readText } from '../src/gen/write.js';
import { describe, expect, it } from 'vitest';
import type { Adapter, AdapterFactory, VisibleReader, VisibleState } from '../src/adapter/adapter.js';
import { referenceAdapter } from '../src/adapter/reference.js';
import { runReplay } from '../src/replay/run.js';
import { ROOT } from './support/models.js';

/** The first committed trace of `suite` (in file order: shortest first) that covers `goal`. */
function traceOf(suite: string, goal: string): string {
  const dir = join(ROOT, 'generated-tests/traces/suites', suite);
  const name = readdirSync(dir)
    .filter((f) => f.includes('.itf.json'))
    .sort()
    .find((f) => (JSON.parse(readText(join(dir, f))) as { '#meta': { covers: string[] } })['#meta'].covers.includes(goal));
  if (name === undefined) throw new Error(`no trace of ${goal} in ${dir}`);
  return join(dir, name);
}
const LIFO = traceOf('indexPolicy=lifo', 'create.alloc -> none [reused-index]');
const reference = (goal: string): string => traceOf('reference', goal);
// model/reads.json has two reader operations, so the spec keeps a reader's cache after the first.
const LOOKUP = traceOf('reads', 'lookup -> index [owner-exited]');

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
  it('an allocation epoch that is not bumped', () => {
    expect(firstDifference(lying((v) => ({ ...v, cursors: v.cursors && { ...v.cursors, epochs: v.cursors.epochs.map(() => 0) } })))).toMatch(/^slots\[[0-9]+\]\.epoch$/);
  });
  it('a pid cursor that does not move', () => {
    expect(firstDifference(lying((v) => ({ ...v, cursors: v.cursors && { ...v.cursors, pidCursor: 0 } })))).toBe('pidCursor');
  });
  it("an owner's reference that is never taken", () => {
    const noRefs = lying((v) => ({ ...v, references: Object.fromEntries(Object.entries(v.references ?? {}).map(([n, r]) => [n, { ...r, refs: 0 }])) }));
    expect(firstDifference(noRefs)).toMatch(/^owners\.[A-Z]\.refs$/);
  });
  const heldLie = (who: RegExp, change: (h: { index: number; rcu: boolean }) => { index: number; rcu: boolean }) =>
    lying((v) => ({ ...v, held: Object.fromEntries(Object.entries(v.held ?? {}).map(([n, h]) => [n, who.test(n) ? change(h) : h])) }));
  it('a kernel context that forgets the element it allocated', () => {
    expect(firstDifference(heldLie(/^K/, (h) => ({ ...h, index: -1 })), reference('create.alloc -> none [reused-index]'))).toMatch(/^kernel\.K[0-9]\.held$/);
  });
  it("an update whose RCU marker is down while it writes", () => {
    expect(firstDifference(heldLie(/^K/, (h) => ({ ...h, rcu: false })), reference('update.seq-end -> updated'))).toMatch(/^kernel\.K[0-9]\.rcu$/);
  });
  it('a free path that does not say which element it destroys', () => {
    expect(firstDifference(heldLie(/^[A-Z]$/, (h) => ({ ...h, index: -1 })), reference('free.seq-end -> deleted'))).toMatch(/^owners\.[A-Z]\.held$/);
  });
  const readerLie = (change: (r: VisibleReader) => VisibleReader) =>
    lying((v) => ({ ...v, readers: Object.fromEntries(Object.entries(v.readers ?? {}).map(([n, r]) => [n, change(r)])) }));
  it('a reader that caches nothing', () => {
    const none = readerLie((r) => ({ ...r, cacheOwner: 'none', cacheIndex: -1, cacheIdent: -1, cacheGen: -1 }));
    expect(firstDifference(none, LOOKUP)).toMatch(/^readers\.R[0-9]\.cacheOwner$/);
  });
  it('a reader that caches an older gen', () => {
    const older = readerLie((r) => (typeof r.cacheGen === 'number' && r.cacheGen > 0 ? { ...r, cacheGen: r.cacheGen - 1 } : r));
    expect(firstDifference(older, LOOKUP)).toMatch(/^readers\.R[0-9]\.cacheGen$/);
  });
  it('a reader that does not count its retries', () => {
    expect(firstDifference(readerLie((r) => ({ ...r, retries: 0 })), reference('scan.seq-end -> retry [seq-odd]'))).toMatch(/^readers\.R[0-9]\.retries$/);
  });
});
