/**
 * A deliberately simple second explorer: breadth-first over a plain Map of serialised states, no
 * fingerprints, no symmetry, no early stop. It visits the whole reachable space and records every
 * invariant broken anywhere in it, so that the real explorer's counts and verdicts can be checked.
 */
import { type Spec } from '../../checker/spec.js';

export interface NaiveResult {
  readonly distinct: number;
  readonly transitions: number;
  readonly depth: number;
  /** Names of the invariants broken somewhere in the space, plus "deadlock". */
  readonly broken: ReadonlySet<string>;
}

export function naiveExplore(spec: Spec): NaiveResult {
  // One character per byte: the whole state, nothing hashed away, and cheaper than a list of numbers.
  const key = (s: Uint8Array): string => Buffer.from(s.buffer, s.byteOffset, s.byteLength).toString('latin1');
  const init = new Uint8Array(spec.stateBytes);
  spec.init(init);
  const seen = new Map<string, true>([[key(init), true]]);
  const broken = new Set<string>();
  const all = (1 << spec.invariants.length) - 1;
  const note = (mask: number): void => {
    spec.invariants.forEach((inv, i) => {
      if ((mask & (1 << i)) !== 0) broken.add(inv.name);
    });
  };
  note(spec.violations(init, all));
  let level: Uint8Array[] = [init];
  const scratch = new Uint8Array(spec.stateBytes);
  let transitions = 0;
  let depth = 0;
  while (level.length > 0) {
    const next: Uint8Array[] = [];
    for (const s of level) {
      let enabled = 0;
      for (let a = 0; a < spec.actionCount; a++) {
        const bad = spec.step(a, s, scratch);
        if (bad < 0) continue;
        enabled++;
        transitions++;
        note(bad);
        const k = key(scratch);
        if (seen.has(k)) continue;
        seen.set(k, true);
        const t = scratch.slice();
        note(spec.violations(t, all));
        next.push(t);
      }
      if (enabled === 0 && !spec.isFinal(s)) broken.add('deadlock');
    }
    if (next.length > 0) depth++;
    level = next;
  }
  return { distinct: seen.size, transitions, depth, broken };
}
