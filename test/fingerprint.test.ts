/**
 * Wider fingerprints change nothing but the odds: on many small configurations, exploring with 64,
 * 96 and 128-bit fingerprints gives the same distinct states, transitions, verdicts and
 * counterexamples (at these sizes the 64-bit table has no collision to lose a state to), and the
 * command line names the width it used.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../src/check/run.js';
import { KNOBS, type KnobName } from '../spec/knobs.js';
import { configOf, ROOT } from './support/models.js';

const MODELS = ['hazard-12-create-race.json', 'hazard-03-link-then-init.json'];

describe('64-, 96- and 128-bit fingerprints', () => {
  it('give the same counts, verdicts and counterexamples on 40+ small configurations', () => {
    let configurations = 0;
    for (const model of MODELS)
      for (const [knob, { values }] of Object.entries(KNOBS) as [KnobName, { values: readonly string[] }][])
        for (const value of values.slice(1)) {
          const config = configOf(model, { [knob]: value });
          if (knob === 'ownerIdentity' && config.knobs.ownerKind !== 'task') continue;
          const runs = ([64, 96, 128] as const).map((bits) => runCheck({ config, model, invariants: [], symmetry: true, partialOrder: true, continueAfterViolation: true, rerun: '', fingerprintBits: bits }));
          const summary = (r: (typeof runs)[number]) => ({
            states: r.stats.distinctStates,
            transitions: r.stats.transitions,
            held: r.held,
            violations: r.violations.map((v) => [v.invariant, v.trace.states.map((s) => s.step?.action ?? 'init')]),
          });
          for (const r of runs.slice(1)) expect(summary(r), `${model} ${knob}=${value} ${r.stats.fingerprintBits}`).toEqual(summary(runs[0]));
          expect(runs.map((r) => r.stats.fingerprintBits)).toEqual([64, 96, 128]);
          expect(runs[2].stats.bytesPerState).toBeGreaterThan(runs[0].stats.bytesPerState);
          configurations++;
        }
    expect(configurations).toBeGreaterThanOrEqual(40);
  }, 300_000);

  it('are chosen with --fingerprint, named in the report, and a width that is not one is refused in one line', () => {
    const run = (...args: string[]) => spawnSync(process.execPath, [join(ROOT, 'bin/lsmc.js'), 'check', 'model/hazard-12-create-race.json', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    const text = run('--fingerprint', '96');
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/96-bit fingerprints, collision probability \(optimistic\) \d\.\de-\d+/);
    expect(text.stdout).toContain('Rerun: npx lsmc check model/hazard-12-create-race.json --fingerprint 96');
    expect(JSON.parse(run('--fingerprint', '128', '--json').stdout).fingerprintBits).toBe(128);
    const bad = run('--fingerprint', '80');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('lsmc check: --fingerprint: 80: expected one of 64, 96, 128 (bits per state fingerprint)\n');
  }, 60_000);
});
