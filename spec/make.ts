/** The spec as a parallel exploration's workers build it (checker/parallel.ts, SpecSource). */
import type { Spec } from '../checker/spec.js';
import { buildSpec } from './index.js';
import type { Config } from './knobs.js';

/** `arg` is the resolved configuration the main thread checked, structured-cloned. */
export function makeSpec(arg: unknown): Spec {
  return buildSpec(arg as Config);
}

export const SPEC_MODULE = import.meta.url;
