/**
 * 64-bit state fingerprints, as two independent 32-bit murmur3-style hashes over the state's
 * 32-bit words. Written into a caller's two-slot array so that the hot loop allocates nothing.
 */

export const FINGERPRINT_BITS = 64;

const C1 = 0xcc9e2d51 | 0;
const C2 = 0x1b873593 | 0;

function mix(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finish(h: number, length: number): number {
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

/** Fingerprints `words[0..count)` into out[0] (high half) and out[1] (low half). */
export function fingerprint(words: Int32Array, count: number, out: Int32Array): void {
  let h1 = 0x9747b28c | 0;
  let h2 = 0x5bd1e995 | 0;
  for (let i = 0; i < count; i++) {
    const w = words[i];
    h1 = mix(h1, w);
    h2 = mix(h2, w ^ 0x2545f491);
  }
  out[0] = finish(h1, count);
  out[1] = finish(h2 ^ h1, count + 1);
}

/**
 * TLC's optimistic estimate of the probability that two distinct states shared a fingerprint:
 * distinct × (generated − distinct) / 2^64.
 */
export function collisionProbability(distinct: number, generated: number): number {
  return (distinct * Math.max(0, generated - distinct)) / 2 ** FINGERPRINT_BITS;
}
