/**
 * What a packed state holds of the design's memory, for the review's costs: slot pages the kernel
 * has allocated, pages the user mapping spans (backed by a slot page or the zero page), and the
 * retries the readers have made. Read-only: nothing here changes a state.
 */
import type { Config } from './knobs.js';
import { layoutOf, PAGE, PAGE_FIELDS, READER, READER_FIELDS } from './layout.js';
import { VIEW_UNMAPPED } from './vocabulary.js';

export interface Footprint {
  /** Pages the layout has room for: the ceiling of both page counts. */
  readonly maxPages: number;
  pages(s: Uint8Array): number;
  mappedPages(s: Uint8Array): number;
  /** The most retries any reader has made in its current operation. */
  retries(s: Uint8Array): number;
}

export function footprintOf(config: Config): Footprint {
  const L = layoutOf(config);
  const count = (s: Uint8Array, field: number, test: (v: number) => boolean): number => {
    let n = 0;
    for (let i = 0; i < L.pages; i++) if (test(s[L.page + i * PAGE_FIELDS + field])) n++;
    return n;
  };
  return {
    maxPages: L.pages,
    pages: (s) => count(s, PAGE.kernel, (v) => v !== 0),
    mappedPages: (s) => count(s, PAGE.view, (v) => v !== VIEW_UNMAPPED),
    retries: (s) => {
      let most = 0;
      for (let r = 0; r < L.readers; r++) most = Math.max(most, s[L.reader + r * READER_FIELDS + READER.retries]);
      return most;
    },
  };
}
