/** What the gen worker is asked to do: one suite, one manifest entry's suite, or a manifest's hazards. */
import type { HazardEntry, SuiteEntry } from './manifest.js';

export type GenJob =
  | { readonly kind: 'suite'; readonly modelArg: string; readonly modelPath: string; readonly sets: readonly string[]; readonly gzip: boolean }
  | { readonly kind: 'manifest-suite'; readonly entry: SuiteEntry; readonly modelDir: string }
  | { readonly kind: 'hazards'; readonly hazards: readonly HazardEntry[]; readonly modelDir: string };
