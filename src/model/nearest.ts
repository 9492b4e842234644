/** The nearest known word to a misspelt one, for "did you mean" in errors about flags, commands and fields. */
import { closest, distance } from 'fastest-levenshtein';

/** The nearest of `known` to `word`, when it is near enough to be what was meant. */
export function nearest(word: string, known: readonly string[]): string | null {
  if (known.length === 0) return null;
  const best = closest(word, [...known]);
  return distance(word, best) <= Math.max(2, Math.floor(word.length / 3)) ? best : null;
}

export const didYouMean = (word: string, known: readonly string[]): string => {
  const best = nearest(word, known);
  return best === null ? '' : `; did you mean "${best}"?`;
};
