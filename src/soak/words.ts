/**
 * The value words the soak's writers store. Each word carries its writer's owner uid and the
 * number of the update that wrote it, so that a reader can tell, from the words alone, whom they
 * were written for (no-foreign-read), whether both came from one update (no-torn-read), and in what
 * order updates happened (linearizable-read).
 *
 * A word is 32 bits: the uid's low UID_BITS bits above a COUNTER_BITS update counter. Counters
 * start at 1, so an encoded word is never 0 and a zero word is always a cleared one (nobody's).
 * uids are compared modulo 2^UID_BITS: a word written for another owner passes as the reader's
 * only if the two uids are 2^UID_BITS spawns apart, which can hide a stale read but never invent one.
 */

export const COUNTER_BITS = 12;
export const UID_BITS = 32 - COUNTER_BITS;
/** Updates one owner may receive in its life; writers stop updating an owner there. */
export const MAX_COUNTER = (1 << COUNTER_BITS) - 1;
const UID_MODULUS = 2 ** UID_BITS;

export function soakWord(uid: number, counter: number): number {
  return (((uid % UID_MODULUS) << COUNTER_BITS) | (counter & MAX_COUNTER)) | 0;
}

export function counterOf(word: number): number {
  return word & MAX_COUNTER;
}

/** The writer's uid as the word records it (modulo 2^UID_BITS). */
export function uidBitsOf(word: number): number {
  return word >>> COUNTER_BITS;
}

export function writtenFor(word: number, uid: number): boolean {
  return uidBitsOf(word) === uid % UID_MODULUS;
}

/** The full uid a word's uid bits most likely stand for: the one nearest to `near` with those bits. */
export function likelyUid(word: number, near: number): number {
  const bits = uidBitsOf(word);
  const base = near - (near % UID_MODULUS) + bits;
  const candidates = [base - UID_MODULUS, base, base + UID_MODULUS].filter((u) => u > 0);
  return candidates.reduce((best, u) => (Math.abs(u - near) < Math.abs(best - near) ? u : best), base);
}
