/**
 * The fast spec against its literal twin (SpecOptions.literal): every counter and reader copy kept
 * as the design keeps it, the allocator's locked work unfolded into one step per store, no cache
 * forgotten, no symmetry. On every knob value and on combinations of two and three knobs, both must
 * break exactly the same invariants; so must the finite counters that unbounded budgets use, on
 * bounded configurations of the class where they are claimed exact (spec/counters.ts).
 */
import { describe, expect, it } from 'vitest';
import { configProblem, buildSpec } from '../spec/index.js';
import { countersMonotone } from '../spec/counters.js';
import { KNOBS, type KnobName } from '../spec/knobs.js';
import type { Config } from '../spec/knobs.js';
import { configOf } from './support/models.js';
import { verdicts } from './support/verdicts.js';

const SMALL = { owners: 2, pidNumbers: 1, kernelContexts: 1, readers: 1, kernelOps: 2, readerOps: 2 };

type Setting = readonly [KnobName, string];
const SINGLES: Setting[] = [];
for (const [knob, k] of Object.entries(KNOBS) as [KnobName, { values: readonly string[] }][]) for (const value of k.values.slice(1)) SINGLES.push([knob, value]);

const valid = (settings: readonly Setting[]): boolean => {
  if (new Set(settings.map(([k]) => k)).size !== settings.length) return false;
  const base = configOf('reference.json', SMALL);
  return configProblem({ knobs: { ...base.knobs, ...Object.fromEntries(settings) }, bounds: base.bounds }) === null;
};

/** Every `stride`-th valid combination of `size` distinct knobs, in a fixed order: the same list on every run. */
function combinations(size: number, stride: number): Setting[][] {
  const out: Setting[][] = [];
  let n = 0;
  const walk = (from: number, chosen: Setting[]): void => {
    if (chosen.length === size) {
      if (valid(chosen) && n++ % stride === 0) out.push([...chosen]);
      return;
    }
    for (let i = from; i < SINGLES.length; i++) walk(i + 1, [...chosen, SINGLES[i]]);
  };
  walk(0, []);
  return out;
}

const PAIRS = combinations(2, 4);
const TRIPLES = combinations(3, 40);
const name = (settings: readonly Setting[]): string => settings.map(([k, v]) => `${k}=${v}`).join(' ') || 'reference';
const sorted = (s: ReadonlySet<string>): string[] => [...s].sort();

function same(config: Config): void {
  const twin = verdicts(buildSpec(config, { literal: true }), false);
  const fast = verdicts(buildSpec(config), true);
  expect(sorted(fast.broken), 'invariants the fast spec finds broken, against the literal twin').toEqual(sorted(twin.broken));
  if (countersMonotone(config.knobs) && config.knobs.indexReuse === 'after-grace') {
    const finite = verdicts(buildSpec(config, { counters: 'abstract' }), true);
    expect(sorted(finite.broken), 'with the finite counters of unbounded budgets').toEqual(sorted(twin.broken));
  }
}

describe('the fast spec and its literal twin break the same invariants', () => {
  it('covers every knob value and at least 60 combinations of two or three knobs', () => {
    expect(SINGLES.length).toBeGreaterThanOrEqual(20);
    expect(PAIRS.length + TRIPLES.length).toBeGreaterThanOrEqual(60);
  });

  for (const settings of [[], ...SINGLES.map((s) => [s])]) {
    it(`${name(settings)} (2 pages)`, () => same(configOf('reference.json', { ...SMALL, ...Object.fromEntries(settings) })), 120_000);
  }
  // One page; plain-seq writers (a load and a store per bump) multiply the interleavings, so with
  // them a reader makes one operation (a scan, which reads the same slots a read does).
  for (const settings of [...PAIRS, ...TRIPLES]) {
    const plain = settings.some(([k, v]) => k === 'writers' && v === 'plain-seq');
    const bounds = { ...SMALL, maxPages: 1, ...(plain ? { readerOps: 1 } : {}) };
    it(`${name(settings)} (1 page${plain ? ', 1 reader operation' : ''})`, () => same(configOf('reference.json', { ...bounds, ...Object.fromEntries(settings) })), 120_000);
  }

  it('the seqcount ABA of a reclaimed page is a stale read in both (the change flag used to call it safe)', () => {
    const config = configOf('reference.json', { ...SMALL, maxPages: 1, pageReclaim: 'zero-page' });
    expect(verdicts(buildSpec(config, { literal: true }), false).broken.has('no-stale-read')).toBe(true);
    expect(verdicts(buildSpec(config), true).broken.has('no-stale-read')).toBe(true);
  });
});
