/**
 * No combination without a verdict: every pair of non-reference knob values, for both owner kinds,
 * on small bounds, with symmetry on and off, ends in a verdict (ok or a violation), never in an
 * internal error; a violation's counterexample is rebuilt with stable actor names, is as long with
 * symmetry as without, is explained by a sentence that is true of it, and replays against the
 * reference implementation in its own variant.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { referenceAdapter } from '../src/adapter/reference.js';
import { runReplay } from '../src/replay/run.js';
import { renderReplay } from '../src/report/replay.js';
import { writeTraceFile } from '../src/trace/file.js';
import { configProblem } from '../spec/index.js';
import { KNOBS, type KnobName } from '../spec/knobs.js';
import { check, configOf } from './support/models.js';
import { checkExplanation } from './support/explanation-check.js';
import type { Trace } from '../src/trace/replay.js';

const SMALL = { owners: 2, pidNumbers: 1, kernelContexts: 2, readers: 1, kernelOps: 1, readerOps: 1, maxPages: 2 };
const SINGLES: [KnobName, string][] = [];
for (const [knob, k] of Object.entries(KNOBS) as [KnobName, { values: readonly string[] }][])
  if (knob !== 'ownerKind') for (const value of k.values.slice(1)) SINGLES.push([knob, value]);

const dir = mkdtempSync(join(tmpdir(), 'lsmc-pairs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('every pair of knob values gets a verdict and a counterexample that replays', () => {
  it('hazard 8 with cgroup owners, found under symmetry, is rebuilt (it used to fail: ties between equal owner records)', () => {
    const config = configOf('hazard-08-index-reuse.json', { ownerKind: 'cgroup', indexReuse: 'immediate' });
    const on = check(config, ['no-write-after-reuse'], true);
    expect(on.result).toBe('violation');
    expect(on.trace?.states.length).toBe(check(config, ['no-write-after-reuse'], false).trace?.states.length);
  });

  for (const ownerKind of ['task', 'cgroup']) {
    it(`${ownerKind} owners`, () => {
      let verdicts = 0;
      for (let i = 0; i < SINGLES.length; i++) {
        for (let j = i + 1; j < SINGLES.length; j++) {
          const [a, b] = [SINGLES[i], SINGLES[j]];
          if (a[0] === b[0]) continue;
          const sets = { ...SMALL, ownerKind, [a[0]]: a[1], [b[0]]: b[1] };
          const base = configOf('reference.json', SMALL);
          if (configProblem({ knobs: { ...base.knobs, ownerKind, [a[0]]: a[1], [b[0]]: b[1] } as typeof base.knobs, bounds: base.bounds }) !== null) continue;
          const config = configOf('reference.json', sets);
          const label = Object.entries(sets).map(([k, v]) => `${k}=${v}`).join(' ');
          const on = check(config, [], true);
          const off = check(config, [], false);
          expect(['ok', 'violation'], label).toContain(on.result);
          expect(off.result, label).toBe(on.result);
          expect(off.invariant, label).toBe(on.invariant);
          verdicts++;
          if (on.result !== 'violation' || on.itf === null || on.invariant === 'deadlock') continue;
          expect(on.trace?.states.length, label).toBe(off.trace?.states.length);
          expect(checkExplanation(on.trace as Trace, on.explanation ?? ''), `${label}: ${on.explanation ?? ''}`).toEqual([]);
          const file = join(dir, `${verdicts}.itf.json`);
          writeTraceFile(file, on.itf);
          const summary = runReplay([file], referenceAdapter, []);
          expect(summary.outcomes[0].kind, `${label}\n${renderReplay(summary)}`).toBe('match');
        }
      }
      expect(verdicts).toBeGreaterThanOrEqual(ownerKind === 'task' ? 165 : 147);
    }, 1_200_000);
  }
});
