/**
 * The reference implementation as real code: its mapping is a growable SharedArrayBuffer that grows
 * page by page, reader threads attach to the same memory, and a load past the mapping is a real
 * fault, not a flag.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { valueWord, wordUid, wordValue } from '../src/adapter/reference.js';
import { ReferenceMap, shapeOf } from '../src/reference/map.js';
import { G_PUBLISHED_SIZE, SLOT_BYTES } from '../src/reference/memory.js';
import { VIEW_MAPPED } from '../spec/vocabulary.js';
import { runWhole } from '../src/reference/op.js';
import { configOf, ROOT } from './support/models.js';

function mapOf(sets: Record<string, string | number> = {}): ReferenceMap {
  const config = configOf('reads.json', { slotsPerPage: 2, maxPages: 3, owners: 6, pidNumbers: 6, ...sets });
  return ReferenceMap.create(config, shapeOf(config));
}

function spawnAndCreate(map: ReferenceMap, o: number): void {
  expect(runWhole(map.kernel.spawn(o)).kind).toBe('none');
  expect(runWhole(map.kernel.create(0, o)).kind).toBe('created');
}

describe('the reference implementation in shared memory', () => {
  it('grows the mapping a page at a time as elements are created, and publishes the size after', () => {
    const map = mapOf();
    const m = map.memory;
    expect(m.mapping.growable).toBe(true);
    expect(m.mapping.byteLength).toBe(0);
    spawnAndCreate(map, 0);
    expect(m.mapping.byteLength).toBe(2 * SLOT_BYTES);
    expect(m.load(G_PUBLISHED_SIZE)).toBe(2);
    spawnAndCreate(map, 1);
    expect(m.mapping.byteLength).toBe(2 * SLOT_BYTES);
    spawnAndCreate(map, 2);
    expect(m.mapping.byteLength).toBe(4 * SLOT_BYTES);
    expect(m.load(G_PUBLISHED_SIZE)).toBe(4);
    expect(m.mapping.maxByteLength).toBe(6 * SLOT_BYTES);
  });

  it('lets a reader in a worker thread read what the kernel side wrote, through the same memory', async () => {
    const map = mapOf();
    spawnAndCreate(map, 0);
    const uid = map.kernel.owner(0, 0);
    expect(runWhole(map.kernel.update(0, 0, valueWord(uid, 7))).kind).toBe('updated');
    const worker = new Worker(join(ROOT, 'dist/test/support/reader-worker.js'), { workerData: map.handle() });
    const seen = await new Promise<{ index: { kind: string; index: number }; value: { kind: string; word1: number; word2: number } }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(seen.index).toMatchObject({ kind: 'index', index: 0 });
    expect(seen.value.kind).toBe('value');
    expect(wordValue(seen.value.word1)).toBe(7);
    expect(wordUid(seen.value.word2)).toBe(uid);
  });

  it('faults for real on a page the mapping has not grown to', () => {
    const map = mapOf({ growth: 'unchecked' });
    spawnAndCreate(map, 0);
    // A page marked mapped that the buffer does not cover: the load is a RangeError, reported as a fault.
    map.memory.store(map.memory.at.pageView + 2, VIEW_MAPPED);
    const out = runWhole(map.reader().scan(4));
    expect(out.kind).toBe('fault');
    expect(out.index).toBe(4);
  });
});
