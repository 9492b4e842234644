/**
 * The fingerprint table (checker/seen-set.ts) and the fingerprint (checker/fingerprint.ts).
 *
 * The table's home slot is floor(unsigned(hi) / 2^32 * capacity): with capacity C, bucket b holds
 * every hi whose unsigned value lies in [b * 2^32 / C, (b + 1) * 2^32 / C). The tests pick hi
 * values by that rule to force probe chains, and small initial capacities to force growth. Keys
 * are signed 32-bit halves, as `fingerprint` writes them into an Int32Array.
 */
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fingerprint, fingerprintWide } from '../../checker/fingerprint.js';
import { FingerprintTable } from '../../checker/seen-set.js';

const NEW = -1;
const MAX_LOAD = 0.85;

/** A signed hi that the table homes in `bucket` of a table of `capacity` slots (offset < 2^32 / capacity). */
const hiIn = (bucket: number, capacity: number, offset = 0): number => (Math.floor((bucket * 2 ** 32) / capacity) + offset) | 0;

/** The key the table is documented to store: (0, 0) is the empty marker, so it stands for (0, 1). */
const modelKey = (hi: number, lo: number): string => (hi === 0 && lo === 0 ? '0:1' : `${hi}:${lo}`);

describe('FingerprintTable: new versus seen', () => {
  it('reports a key new once, then seen, and counts distinct keys only', () => {
    const t = new FingerprintTable(false, 16);
    expect(t.insert(123, 456, 0)).toBe(NEW);
    expect(t.size).toBe(1);
    expect(t.insert(123, 456, 0)).not.toBe(NEW);
    expect(t.insert(123, 457, 0)).toBe(NEW); // the low half is part of the key
    expect(t.insert(124, 456, 0)).toBe(NEW); // and so is the high half
    expect(t.size).toBe(3);
  });

  it('returns the id stored with the first insert, not the id offered later', () => {
    const t = new FingerprintTable(true, 16);
    expect(t.insert(7, 8, 41)).toBe(NEW);
    expect(t.insert(7, 8, 99)).toBe(41);
    expect(t.insert(-7, -8, 0)).toBe(NEW);
    expect(t.insert(-7, -8, 5)).toBe(0); // id 0 is a real id, distinct from "new"
  });

  it('keys with one zero half are ordinary keys, not the empty marker', () => {
    const t = new FingerprintTable(false, 8);
    expect(t.insert(0, 5, 0)).toBe(NEW);
    expect(t.insert(5, 0, 0)).toBe(NEW);
    expect(t.insert(0, 5, 0)).not.toBe(NEW);
    expect(t.insert(5, 0, 0)).not.toBe(NEW);
    expect(t.size).toBe(2);
  });
});

describe('FingerprintTable: the empty marker (0, 0)', () => {
  it('a (0, 0) fingerprint is stored (as (0, 1)), found again, and survives growth', () => {
    const t = new FingerprintTable(true, 2);
    expect(t.insert(0, 0, 3)).toBe(NEW);
    expect(t.size).toBe(1);
    expect(t.insert(0, 0, 9)).toBe(3);
    // The documented aliasing: (0, 0) and (0, 1) are one key.
    expect(t.insert(0, 1, 9)).toBe(3);
    expect(t.size).toBe(1);
    const before = t.bytes;
    for (let k = 1; k <= 20; k++) expect(t.insert(k, k, 100 + k)).toBe(NEW);
    expect(t.bytes).toBeGreaterThan(before);
    expect(t.insert(0, 0, 0)).toBe(3);
    expect(t.size).toBe(21);
  });

  it('a (0, 0) insert does not leave its slot looking empty to keys probing past it', () => {
    const cap = 8;
    const t = new FingerprintTable(false, cap);
    expect(t.insert(0, 0, 0)).toBe(NEW); // bucket 0
    expect(t.insert(0, 7, 0)).toBe(NEW); // bucket 0 too: must probe past the (0, 1) slot
    expect(t.insert(0, 7, 0)).not.toBe(NEW);
    expect(t.insert(0, 0, 0)).not.toBe(NEW);
    expect(t.size).toBe(2);
  });
});

describe('FingerprintTable: collisions in open addressing', () => {
  it('keys sharing a home bucket are told apart and each found again', () => {
    const cap = 32;
    const t = new FingerprintTable(true, cap);
    const before = t.bytes;
    // Six keys homed in bucket 5: three share hi, three differ in hi but not in bucket.
    const keys: [number, number][] = [
      [hiIn(5, cap), 1],
      [hiIn(5, cap), 2],
      [hiIn(5, cap), 3],
      [hiIn(5, cap, 1), 1],
      [hiIn(5, cap, 2), 1],
      [hiIn(5, cap, 1000), 1],
    ];
    keys.forEach(([hi, lo], id) => expect(t.insert(hi, lo, id)).toBe(NEW));
    // A key homed in bucket 6, whose slot the chain above has taken: it probes further.
    expect(t.insert(hiIn(6, cap), 1, 6)).toBe(NEW);
    keys.forEach(([hi, lo], id) => expect(t.insert(hi, lo, 77)).toBe(id));
    expect(t.insert(hiIn(6, cap), 1, 77)).toBe(6);
    expect(t.size).toBe(7);
    expect(t.bytes).toBe(before); // 7 keys in 32 slots: no growth rehashed the chain away
  });

  it('a probe chain that runs off the end of the table wraps to slot 0', () => {
    const cap = 16;
    const t = new FingerprintTable(true, cap);
    const before = t.bytes;
    // Four keys homed in the last bucket (hi near 2^32 - 1, i.e. small negative numbers) fill
    // slots 15, 0, 1, 2; then keys homed in bucket 0 must probe past the wrapped ones.
    const last = [-1, -2, -3, -4].map((hi, i) => [hi, i] as const);
    const first = [0, 1, 2].map((hi, i) => [hi, 50 + i] as const);
    for (const [hi, lo] of [...last, ...first]) expect(t.insert(hi, lo, lo)).toBe(NEW);
    for (const [hi, lo] of [...last, ...first]) expect(t.insert(hi, lo, 999)).toBe(lo);
    expect(t.size).toBe(7);
    expect(t.bytes).toBe(before);
  });
});

describe('FingerprintTable: growth', () => {
  it('past the load factor it grows, keeps every key (and its id) and counts right', () => {
    const t = new FingerprintTable(true, 4);
    const start = t.bytes;
    const n = 5000;
    // Clustered keys (a handful of hi values, many lo values) keep probe chains long across growth.
    const key = (k: number): [number, number] => [hiIn(k % 3, 4, k % 5), k];
    for (let k = 0; k < n; k++) {
      expect(t.insert(...key(k), k)).toBe(NEW);
      expect(t.size).toBe(k + 1);
      // Never fuller than the load factor after an insert returns (ids add 4 bytes a slot).
      expect(t.size / (t.bytes / 12)).toBeLessThanOrEqual(MAX_LOAD);
    }
    expect(t.bytes).toBeGreaterThan(start);
    for (let k = 0; k < n; k++) expect(t.insert(...key(k), -5)).toBe(k);
    expect(t.size).toBe(n);
  });

  it('a table of one slot grows at its first insert and still works', () => {
    const t = new FingerprintTable(false, 1);
    for (let k = 0; k < 10; k++) expect(t.insert(k, -k, 0)).toBe(NEW);
    for (let k = 0; k < 10; k++) expect(t.insert(k, -k, 0)).not.toBe(NEW);
    expect(t.size).toBe(10);
  });
});

describe('FingerprintTable against a JS Set (model-based)', () => {
  const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
  // Collisions need repeated and clustered keys: mostly a small pool (with 0, -1 and the extremes),
  // sometimes anything.
  const hi = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(0, 1, 2, 3, -1, -2, 2 ** 31 - 1, -(2 ** 31), 1 << 28, (1 << 28) + 1) },
    { weight: 1, arbitrary: int32 },
  );
  const lo = fc.oneof({ weight: 4, arbitrary: fc.integer({ min: -2, max: 3 }) }, { weight: 1, arbitrary: int32 });

  it('every insert agrees with the Set on new versus seen, on the id, and on the size', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 24 }), fc.boolean(), fc.array(fc.tuple(hi, lo), { maxLength: 600 }), (cap, withIds, ops) => {
        const t = new FingerprintTable(withIds, cap);
        const model = new Map<string, number>();
        ops.forEach(([h, l], step) => {
          const k = modelKey(h, l);
          const got = t.insert(h, l, step);
          const firstId = model.get(k);
          if (firstId === undefined) {
            expect(got).toBe(NEW);
            model.set(k, step);
          } else {
            expect(got).toBe(withIds ? firstId : 0);
          }
          expect(t.size).toBe(model.size);
        });
      }),
      { numRuns: 300 },
    );
  });
});

describe('fingerprint', () => {
  const word = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });

  it('changing any one word changes the high half (it is a bijection of each word, the others fixed)', () => {
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 40 }), fc.nat(), word, (ws, at, v) => {
        const i = at % ws.length;
        fc.pre(ws[i] !== v);
        const a = Int32Array.from(ws);
        const b = Int32Array.from(ws);
        b[i] = v;
        const fa = new Int32Array(2);
        const fb = new Int32Array(2);
        fingerprint(a, a.length, fa);
        fingerprint(b, b.length, fb);
        expect(fb[0]).not.toBe(fa[0]);
      }),
      { numRuns: 500 },
    );
  });

  it('reads only the first `count` words, and the count is part of the fingerprint', () => {
    const ws = Int32Array.from([5, -6, 7, 0, 0]);
    const tail = Int32Array.from([5, -6, 7, 123, 456]);
    const f = (w: Int32Array, n: number): string => {
      const out = new Int32Array(2);
      fingerprint(w, n, out);
      return `${out[0]}:${out[1]}`;
    };
    expect(f(ws, 3)).toBe(f(tail, 3));
    // Trailing zero words are still words: a state padded to a multiple of 4 bytes differs from its prefix.
    expect(f(ws, 4)).not.toBe(f(ws, 3));
    expect(f(ws, 5)).not.toBe(f(ws, 4));
  });
});

describe('FingerprintTable of 96- and 128-bit keys', () => {
  it.each([3, 4])('agrees with a Set of the keys under random inserts, small tables and growth included (width %i)', (width) => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.integer({ min: -3, max: 3 }), { minLength: width, maxLength: width }), { maxLength: 300 }), (keys) => {
        const t = new FingerprintTable(true, 2, width);
        const model = new Map<string, number>();
        keys.forEach((k, id) => {
          const fp = Int32Array.from(k);
          const stored = k.every((v) => v === 0) ? [...k.slice(0, -1), 1] : k;
          const name = stored.join(':');
          const got = t.insertWide(fp, id);
          expect(got).toBe(model.has(name) ? model.get(name) : NEW);
          if (!model.has(name)) model.set(name, id);
        });
        expect(t.size).toBe(model.size);
      }),
    );
  });

  it('tells apart keys that differ only in the words past the first two', () => {
    const t = new FingerprintTable(false, 8, 4);
    expect(t.insertWide(Int32Array.of(1, 2, 3, 4), 0)).toBe(NEW);
    expect(t.insertWide(Int32Array.of(1, 2, 3, 5), 0)).toBe(NEW);
    expect(t.insertWide(Int32Array.of(1, 2, 9, 4), 0)).toBe(NEW);
    expect(t.insertWide(Int32Array.of(1, 2, 3, 4), 0)).not.toBe(NEW);
    expect(t.size).toBe(3);
    expect(t.bytes).toBe(8 * 4 * 4);
  });

  it('a wide fingerprint extends the 64-bit one: its first two words are the same', () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { minLength: 1, maxLength: 40 }), (ws) => {
        const words = Int32Array.from(ws);
        const narrow = new Int32Array(2);
        const wide = new Int32Array(4);
        fingerprint(words, words.length, narrow);
        fingerprintWide(words, words.length, wide, 4);
        expect([wide[0], wide[1]]).toEqual([narrow[0], narrow[1]]);
        const three = new Int32Array(3);
        fingerprintWide(words, words.length, three, 3);
        expect([...three]).toEqual([wide[0], wide[1], wide[2]]);
      }),
    );
  });
});
