import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildSpec, type LsmcSpec } from '../spec/index.js';
import { KERNEL, KERNEL_FIELDS, OWNER_FIELDS, READER, READER_FIELDS, SLOT, SLOT_FIELDS } from '../spec/layout.js';
import { configOf } from './support/models.js';

/**
 * Renames the actors of a state: owner o becomes owners[o], kernel context k moves to kernels[k],
 * reader r to readers[r]. Written apart from spec/symmetry.ts, from the layout alone.
 */
function permuted(spec: LsmcSpec, s: Uint8Array, owners: number[], kernels: number[], readers: number[]): Uint8Array {
  const c = spec.ctx;
  const L = c.L;
  const out = s.slice();
  const ref = (v: number): number => (v === 0 || v > L.owners ? v : owners[v - 1] + 1);
  for (let o = 0; o < L.owners; o++) out.set(s.subarray(L.owner + o * OWNER_FIELDS, L.owner + (o + 1) * OWNER_FIELDS), L.owner + owners[o] * OWNER_FIELDS);
  for (let i = 0; i < L.slots; i++) {
    const at = L.slot + i * SLOT_FIELDS;
    out[at + SLOT.alloc] = ref(s[at + SLOT.alloc]);
    if (c.byUid) out[at + SLOT.ident] = ref(s[at + SLOT.ident]);
    out[at + SLOT.w1For] = ref(s[at + SLOT.w1For]);
    out[at + SLOT.w2For] = ref(s[at + SLOT.w2For]);
  }
  for (let k = 0; k < L.kernels; k++) {
    const from = L.kernel + k * KERNEL_FIELDS;
    const to = L.kernel + kernels[k] * KERNEL_FIELDS;
    out.set(s.subarray(from, from + KERNEL_FIELDS), to);
    if (s[from + KERNEL.pc] !== 0) out[to + KERNEL.owner] = owners[s[from + KERNEL.owner]];
  }
  for (let r = 0; r < L.readers; r++) {
    const from = L.reader + r * READER_FIELDS;
    const to = L.reader + readers[r] * READER_FIELDS;
    out.set(s.subarray(from, from + READER_FIELDS), to);
    out[to + READER.cacheOwner] = ref(s[from + READER.cacheOwner]);
    out[to + READER.target] = ref(s[from + READER.target]);
    out[to + READER.w1For] = ref(s[from + READER.w1For]);
    if (c.byUid) out[to + READER.cacheIdent] = ref(s[from + READER.cacheIdent]);
  }
  return out;
}

/** Up to `max` states of the unreduced space, breadth-first, so that ties of every kind occur. */
function sampleStates(spec: LsmcSpec, max: number): Uint8Array[] {
  const init = new Uint8Array(spec.stateBytes);
  spec.init(init);
  const seen = new Set<string>([init.join(',')]);
  const out: Uint8Array[] = [init];
  for (let i = 0; i < out.length && out.length < max; i++) {
    for (let a = 0; a < spec.actionCount && out.length < max; a++) {
      const t = new Uint8Array(spec.stateBytes);
      if (spec.step(a, out[i], t) < 0) continue;
      const key = t.join(',');
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(t);
    }
  }
  return out;
}

const canonical = (spec: LsmcSpec, s: Uint8Array): string => {
  const t = s.slice();
  spec.canonicalize(t);
  return t.join(',');
};

const MODELS: [string, Record<string, string | number>][] = [
  ['reference.json', {}],
  ['reference.json', { ownerKind: 'cgroup' }],
  ['reference.json', { ownerIdentity: 'pid' }],
  ['hazard-08-index-reuse.json', { ownerKind: 'cgroup', indexReuse: 'immediate', readers: 2 }],
  ['allocator.json', { indexPolicy: 'lifo', readers: 2 }],
];

describe('canonical forms are unique', () => {
  for (const [model, sets] of MODELS) {
    it(`${model} ${JSON.stringify(sets)}: a state and any renaming of its owners, kernel contexts and readers have one canonical form`, () => {
      const spec = buildSpec(configOf(model, sets));
      const states = sampleStates(spec, 20_000);
      const L = spec.ctx.L;
      const perm = (n: number): fc.Arbitrary<number[]> =>
        fc.array(fc.integer(), { minLength: n, maxLength: n }).map((keys) => keys.map((k, i) => [k, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, i]) => i));
      fc.assert(
        fc.property(fc.nat(states.length - 1), perm(L.owners), perm(L.kernels), perm(L.readers), (i, owners, kernels, readers) => {
          const s = states[i];
          const c = canonical(spec, s);
          expect(canonical(spec, permuted(spec, s, owners, kernels, readers))).toBe(c);
          // Idempotent, and a member of the class (a renaming of the state itself).
          expect(canonical(spec, Uint8Array.from(c.split(',').map(Number)))).toBe(c);
        }),
        { numRuns: 3000, seed: 8 },
      );
    });
  }
});
