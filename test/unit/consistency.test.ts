/**
 * The soak's checks of the kernel's own records (src/soak/consistency.ts), on a map driven by hand
 * into states a slip inside one atomic step would leave behind.
 */
import { describe, expect, it } from 'vitest';
import { REFERENCE_KNOBS } from '../../spec/knobs.js';
import type { Config } from '../../spec/knobs.js';
import { ReferenceMap } from '../../src/reference/map.js';
import { G_FREE_TOP, O_PID, O_REFS, OWNER_WORDS } from '../../src/reference/memory.js';
import { runWhole } from '../../src/reference/op.js';
import { checkConsistency, pidShared } from '../../src/soak/consistency.js';

const BOUNDS = { owners: 3, pidNumbers: 3, slotsPerPage: 2, maxPages: 2, kernelContexts: 1, readers: 1, values: 1, kernelOps: 1, readerOps: 1, readRetries: 1 };

function mapWith(knobs: Partial<Config['knobs']> = {}): ReferenceMap {
  const config = { knobs: { ...REFERENCE_KNOBS, ...knobs }, bounds: BOUNDS } as Config;
  const map = ReferenceMap.create(config, { slotsPerPage: 2, maxPages: 2, slots: 4, owners: 3, kernels: 1 });
  const k = map.kernel;
  for (let o = 0; o < 3; o++) {
    runWhole(k.spawn(o));
    runWhole(k.create(0, o));
  }
  return map;
}

const checks = (map: ReferenceMap): string[] => checkConsistency(map).map((f) => `${f.check}: ${f.text}`);
const word = (map: ReferenceMap, o: number, field: number): number => map.memory.at.owner + o * OWNER_WORDS + field;

describe("the kernel's records at a quiescent point", () => {
  it('find nothing wrong after spawns, creates, a delete and a grace period', () => {
    const map = mapWith({ indexPolicy: 'lifo' });
    runWhole(map.kernel.delete(0, 1));
    for (let i = 0; i < 4; i++) runWhole(map.kernel.gracePeriod(i));
    expect(checks(map)).toEqual([]);
  });
  it('find an index on the lifo free list twice', () => {
    const map = mapWith({ indexPolicy: 'lifo' });
    runWhole(map.kernel.delete(0, 1));
    for (let i = 0; i < 4; i++) runWhole(map.kernel.gracePeriod(i));
    const m = map.memory;
    m.store(m.at.freeStack + 1, m.load(m.at.freeStack));
    m.store(G_FREE_TOP, 2);
    expect(checks(map)).toContain('allocator: index 1 is on the free list twice');
  });
  it('find a reference no create holds', () => {
    const map = mapWith();
    map.memory.store(word(map, 2, O_REFS), 1);
    expect(checks(map)).toEqual(['references: owner record 2 (uid 3) holds 1 create reference(s) with no create running']);
  });
  it('find two tasks holding one pid number, at a quiescent point and right after the spawn', () => {
    const map = mapWith();
    map.memory.store(word(map, 2, O_PID), map.kernel.owner(0, O_PID));
    expect(checks(map)).toEqual([`pid-table: owner record 0 (uid 1) and owner record 2 (uid 3) both hold pid number ${map.kernel.owner(0, O_PID)}`]);
    expect(runWhole(pidShared(map.kernel, 2))).toMatchObject({ kind: 'exists', uid: 1 });
    expect(runWhole(pidShared(map.kernel, 1)).kind).toBe('none');
  });
  it('find an index returned twice', () => {
    const map = mapWith();
    runWhole(map.kernel.delete(0, 0));
    expect(runWhole(map.kernel.gracePeriod(0)).kind).toBe('none');
    const m = map.memory;
    m.store(m.at.slotReturns, m.load(m.at.slotReturns) + 1);
    expect(checks(map)).toEqual(['allocator: index 0 was handed out 1 time(s) and came back 2 time(s), and is free now']);
  });
});
