/** `lsmc replay` and `lsmc gen` as a user runs them: exit codes, one-line errors, reports, determinism. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './support/models.js';

function lsmc(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/lsmc.js'), ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const scratch = mkdtempSync(join(tmpdir(), 'lsmc-replay-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const HAZARD_11 = 'generated-tests/traces/hazards/hazard-11-recycle-without-zeroing.itf.json';

function oneLine(r: { code: number; stdout: string; stderr: string }, ...parts: string[]): void {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  for (const p of parts) expect(lines[0]).toContain(p);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('lsmc replay', () => {
  it('exits 0 when a hazard reproduces in its own variant, and says what the implementation did', () => {
    const r = lsmc('replay', HAZARD_11);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('all match: 1 of 1 trace(s)');
    expect(r.stdout).toMatch(/from words written for A \(stale\)/);
  });

  it('exits 1 and reports the first divergence side by side in the reference design', () => {
    const r = lsmc('replay', HAZARD_11, '--set', 'zeroOnRecycle=yes');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`DIVERGED  ${HAZARD_11}`);
    expect(r.stdout).toMatch(/at step \d+ of \d+: K\d\.create\.seq-end/);
    expect(r.stdout).toMatch(/field\s+expected \(trace\)\s+actual \(reference\)/);
    expect(r.stdout).toContain('steps before it (all matched):');
    expect(r.stdout).toContain('the trace was made with zeroOnRecycle=no; replayed with zeroOnRecycle=yes');
    expect(r.stdout).toContain('no-foreign-read');
  });

  it('prints one JSON object with --json', () => {
    const r = lsmc('replay', HAZARD_11, '--set', 'zeroOnRecycle=yes', '--json');
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.outcomes[0].kind).toBe('diverged');
    expect(j.outcomes[0].differences.length).toBeGreaterThan(0);
  });

  it('replays every trace under a directory, compressed ones included', () => {
    const r = lsmc('replay', 'generated-tests/traces/suites/validation=none');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/all match: (\d+) of \1 trace/);
  });

  it('gives one line and exit 2 for a file that is not JSON, not ITF, or from another spec', () => {
    const notJson = join(scratch, 'a.itf.json');
    writeFileSync(notJson, 'hello');
    oneLine(lsmc('replay', notJson), notJson, 'a JSON ITF trace');
    oneLine(lsmc('replay', 'model/reference.json'), 'model/reference.json', 'ITF');
    const other = join(scratch, 'other.itf.json');
    writeFileSync(other, JSON.stringify({ '#meta': {}, vars: ['x'], states: [{ x: { '#bigint': '1' } }] }));
    oneLine(lsmc('replay', other), other, '"owners" is missing, so this is an ITF trace of another spec');
    oneLine(lsmc('replay', join(scratch, 'missing')), 'missing', 'exists');
  });

  it('gives one line and exit 2 when --set gives bounds the trace does not fit, or names no knob', () => {
    oneLine(lsmc('replay', HAZARD_11, '--set', 'owners=1'), HAZARD_11, 'bounds do not fit');
    oneLine(lsmc('replay', HAZARD_11, '--set', 'validation=maybe'), 'validation', 'one of');
    oneLine(lsmc('replay', HAZARD_11, '--adapter', 'gpu'), '--adapter', 'reference');
    oneLine(lsmc('replay', HAZARD_11, '--jobs', '0'), '--jobs', 'a positive integer');
  });

  it('reports the same outcomes, up to the same first divergence, on one shard or several', () => {
    // 69 traces; the first of several that diverge in the reference design is the 51st.
    const args = ['replay', 'generated-tests/traces/suites/indexReuse=immediate', '--set', 'indexReuse=after-grace', '--json'];
    const runs = [1, 2, 5].map((jobs) => lsmc(...args, '--jobs', String(jobs)));
    const untimed = (stdout: string): unknown => {
      const { seconds, loadSeconds, jobs, costs, ...rest } = JSON.parse(stdout) as Record<string, unknown>;
      expect([typeof seconds, typeof loadSeconds, typeof jobs, costs]).toEqual(['number', 'number', 'number', null]);
      return rest;
    };
    for (const r of runs) expect(r.code).toBe(1);
    const first = untimed(runs[0].stdout) as { run: number; outcomes: { kind: string }[] };
    expect(first.run).toBe(51);
    expect(first.outcomes.at(-1)?.kind).toBe('diverged');
    for (const r of runs.slice(1)) expect(untimed(r.stdout)).toEqual(first);
  });

  it('names bad input even when it comes after a divergence, whichever shard loads it', () => {
    const dir = join(scratch, 'bad-late');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a.itf.json'), readFileSync(HAZARD_11));
    writeFileSync(join(dir, 'b.itf.json'), 'not json');
    writeFileSync(join(dir, 'c.itf.json'), 'not json either');
    for (const jobs of ['1', '3']) oneLine(lsmc('replay', dir, '--set', 'zeroOnRecycle=yes', '--jobs', jobs), join(dir, 'b.itf.json'), 'a JSON ITF trace');
  });
});

describe('lsmc gen', () => {
  it('writes a suite with its coverage report, byte-identical when run again', () => {
    const a = join(scratch, 'gen-a');
    const b = join(scratch, 'gen-b');
    const r = lsmc('gen', 'model/hazard-12-create-race.json', '--out', a);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/lsmc gen: [\d,]+ traces, [\d,]+ steps/);
    expect(r.stdout).toContain('step kinds and the outcomes reached:');
    expect(r.stdout).toContain('outcome kinds:');
    expect(lsmc('gen', 'model/hazard-12-create-race.json', '--out', b).code).toBe(0);
    const files = readdirSync(a).sort();
    expect(readdirSync(b).sort()).toEqual(files);
    expect(files).toContain('coverage.json');
    for (const f of files) expect(readFileSync(join(b, f)).equals(readFileSync(join(a, f)))).toBe(true);
    expect(lsmc('replay', a).code).toBe(0);
  });

  it('refuses a directory holding files it did not write, and bad input, with one line', () => {
    const dir = join(scratch, 'mine');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    oneLine(lsmc('gen', 'model/hazard-12-create-race.json', '--out', dir), '--out', 'refusing');
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
    oneLine(lsmc('gen', 'model/hazard-12-create-race.json'), '--out');
    oneLine(lsmc('gen', 'model/nope.json', '--out', join(scratch, 'x')), 'model/nope.json');
    oneLine(lsmc('gen', 'model/hazard-12-create-race.json', '--set', 'owners=9', '--out', join(scratch, 'y')), 'owners');
  });
});
