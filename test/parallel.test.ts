/**
 * The parallel explorer (checker/parallel.ts) gives the sequential one's counts, verdicts and
 * counterexamples for any number of workers: on every hazard and on small variants of the
 * reference, with 1, 2 and 3 workers against explore() on this thread; the command line's output is
 * the same run after run for a given N, timings aside; limits stop it with a partial report.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CheckReport, type CheckRequest, runCheck, runCheckOn } from '../src/check/run.js';
import { buildSpec } from '../spec/index.js';
import { configOf, HAZARDS, ROOT } from './support/models.js';

type Config = ReturnType<typeof configOf>;

const request = (config: Config, partialOrder: boolean, invariants: string[] = []): CheckRequest => ({
  config,
  model: 'parallel',
  invariants,
  symmetry: true,
  partialOrder,
  continueAfterViolation: true,
  rerun: '',
});

/** What must not depend on how many threads explored. */
const outcome = (r: CheckReport) => ({
  result: r.result,
  distinct: r.stats.distinctStates,
  transitions: r.stats.transitions,
  depth: r.stats.depth,
  persistent: r.stats.persistentStates,
  held: r.held,
  violations: r.violations.map((v) => [v.invariant, v.itf]),
});

/** The fields of two outcomes that differ (their JSON compared, so that a failure is a short list, not a diff of whole traces). */
function differences(a: ReturnType<typeof outcome>, b: ReturnType<typeof outcome>): string[] {
  return (Object.keys(a) as (keyof typeof a)[]).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}

describe('the parallel explorer', () => {
  it('gives the sequential counts, verdicts and counterexamples with 1, 2 and 3 workers on whole spaces', async () => {
    const configs: [string, Config][] = [
      ['hazard 12, locked', configOf('hazard-12-create-race.json')],
      ['hazard 12, unlocked', configOf('hazard-12-create-race.json', { createRace: 'unlocked' })],
      ['hazard 3', configOf('hazard-03-link-then-init.json', { linkOrder: 'link-then-init' })],
      ['hazard 3, cgroups', configOf('hazard-03-link-then-init.json', { ownerKind: 'cgroup' })],
      ['hazard 3, pid identity', configOf('hazard-03-link-then-init.json', { ownerIdentity: 'pid' })],
      ['reference, 2 owners, 1 kernel context', configOf('reference.json', { owners: 2, kernelContexts: 1 })],
      ['reference, 1 kernel context', configOf('reference.json', { kernelContexts: 1 })],
    ];
    for (const [label, config] of configs)
      for (const partialOrder of [true, false]) {
        const alone = outcome(runCheck(request(config, partialOrder)));
        for (const workers of [1, 2, 3]) {
          const r = await runCheckOn({ ...request(config, partialOrder), workers });
          expect(differences(outcome(r), alone), `${label}, ${workers} worker(s), por ${partialOrder}`).toEqual([]);
        }
      }
  }, 300_000);

  it('finds every hazard with the sequential counterexample, and the same counts for 1 and 2 workers', async () => {
    for (const h of HAZARDS) {
      const config = configOf(h.model, h.set);
      if (buildSpec(config).mayCycle) continue;
      const first = { ...request(config, true, [h.invariant]), continueAfterViolation: false };
      const alone = runCheck(first);
      const [one, two] = [await runCheckOn({ ...first, workers: 1 }), await runCheckOn({ ...first, workers: 2 })];
      for (const r of [one, two]) {
        expect(r.invariant, h.name).toBe(h.invariant);
        expect(r.itf, h.name).toEqual(alone.itf);
      }
      expect(differences(outcome(two), outcome(one)), h.name).toEqual([]);
    }
  }, 600_000);

  it('stops at the first violation with the sequential counterexample, after finishing its level, the same for every N', async () => {
    const config = configOf('hazard-03-link-then-init.json', { linkOrder: 'link-then-init', validation: 'none' });
    const first = { ...request(config, false), continueAfterViolation: false };
    const alone = runCheck(first);
    const runs = await Promise.all([1, 2, 3].map((workers) => runCheckOn({ ...first, workers })));
    for (const r of runs) {
      expect(r.invariant).toBe(alone.invariant);
      expect(r.itf).toEqual(alone.itf);
      expect(r.stats.depth).toBe(alone.stats.depth);
      expect(r.stats.distinctStates).toBeGreaterThanOrEqual(alone.stats.distinctStates);
      expect(r.stats.distinctStates).toBe(runs[0].stats.distinctStates);
    }
  }, 300_000);

  it('stops at --max-states with a partial report, at the same state every run: on one thread, as a review row does', async () => {
    const limited = { ...request(configOf('reference.json'), true), maxStates: 5000 };
    const [a, b] = [await runCheckOn({ ...limited, workers: 2 }), await runCheckOn({ ...limited, workers: 2 })];
    expect(a.result).toBe('limit');
    expect(a.limitReason).toBe('max-states');
    expect(a.stats.distinctStates).toBeGreaterThanOrEqual(5000);
    expect([b.stats.distinctStates, b.stats.transitions]).toEqual([a.stats.distinctStates, a.stats.transitions]);
    expect(a.stats.distinctStates).toBe(runCheck(limited).stats.distinctStates);
    expect(a.notes.some((n) => n.startsWith('--max-states explores on one thread'))).toBe(true);
  }, 120_000);

  it('prints the same report run after run for a given N, timings aside, and names the workers', () => {
    const run = (workers: string) =>
      spawnSync(process.execPath, [join(ROOT, 'bin/lsmc.js'), 'check', 'model/hazard-12-create-race.json', '--set', 'createRace=unlocked', '--continue', '--json', '--workers', workers], { cwd: ROOT, encoding: 'utf8' });
    const untimed = (text: string): unknown => JSON.parse(text, (k, v: unknown) => (k === 'seconds' || k === 'statesPerSecond' ? 0 : v));
    const [a, b, one] = [run('2'), run('2'), run('1')];
    expect(a.status).toBe(1);
    expect(untimed(a.stdout)).toEqual(untimed(b.stdout));
    expect((untimed(a.stdout) as { workers: number }).workers).toBe(2);
    type Json = { distinctStates: number; transitions: number; held: string[]; violations: { invariant: string; steps: number }[] };
    const counts = (j: Json) => [j.distinctStates, j.transitions, j.held, j.violations.map((v) => [v.invariant, v.steps])];
    expect(counts(untimed(one.stdout) as Json)).toEqual(counts(untimed(a.stdout) as Json));
    const bad = run('0');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^lsmc check: --workers: 0: expected /);
  }, 120_000);
});
