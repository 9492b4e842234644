/**
 * Vitest's global set-up around the whole run: nothing the kernel prototype makes (processes,
 * cgroups, BPF programs and maps, mounts) may outlive the tests. Counted before the first test
 * and after the last; a difference fails the run.
 */
import { settledResidue } from './residue.js';

export default async function setup(): Promise<() => Promise<void>> {
  const before = await settledResidue();
  return async () => {
    const after = await settledResidue();
    const changed = (Object.keys(before) as (keyof typeof before)[]).filter((k) => before[k] !== after[k]);
    if (changed.length > 0) throw new Error(`the tests left kernel objects behind: ${changed.map((k) => `${k} ${before[k]} -> ${after[k]}`).join(', ')}`);
  };
}
