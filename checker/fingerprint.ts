/**
 * State fingerprints of 64, 96 or 128 bits, as two, three or four independent 32-bit murmur3-style
 * hashes over the state's 32-bit words. Written into a caller's array so that the hot loop
 * allocates nothing. The 64-bit form is the default and is unchanged by the wider ones (same
 * counts, same traces); a wider one trades 4 or 8 more bytes per state for a collision estimate
 * 2^32 or 2^64 times smaller.
 */

export const FINGERPRINT_WIDTHS = [64, 96, 128] as const;
export type FingerprintBits = (typeof FINGERPRINT_WIDTHS)[number];
export const DEFAULT_FINGERPRINT_BITS: FingerprintBits = 64;

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

const SEEDS = [0x9747b28c | 0, 0x5bd1e995 | 0, 0x3c6ef372 | 0, 0x510e527f | 0];
const SALTS = [0, 0x2545f491, 0x68e31da4 | 0, 0x1b56c4e9];

/**
 * Fingerprints `words[0..count)` into out[0..bits/32): words 0 and 1 exactly as `fingerprint`
 * gives them (so a 96- or 128-bit key extends the 64-bit one), then one more independently seeded
 * hash per further word.
 */
export function fingerprintWide(words: Int32Array, count: number, out: Int32Array, width: number): void {
  fingerprint(words, count, out);
  for (let k = 2; k < width; k++) {
    let h = SEEDS[k];
    const salt = SALTS[k];
    for (let i = 0; i < count; i++) h = mix(h, words[i] ^ salt);
    out[k] = finish(h ^ out[k - 1], count + k);
  }
}

/**
 * TLC's optimistic estimate of the probability that two distinct states shared a fingerprint:
 * distinct × (generated − distinct) / 2^bits.
 */
export function collisionProbability(distinct: number, generated: number, bits: FingerprintBits = DEFAULT_FINGERPRINT_BITS): number {
  return (distinct * Math.max(0, generated - distinct)) / 2 ** bits;
}
