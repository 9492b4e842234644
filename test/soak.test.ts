import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/models.js';

/** The built soak (npm test builds it first), run as `npm run soak` runs it. */
const MAIN = join(ROOT, 'dist/src/cli/soak.js');

function soak(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function json(stdout: string): Record<string, unknown> & { violations: number; invariants: Record<string, number> } {
  const lines = stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]);
}

describe('npm run soak', () => {
  it('runs the reference design for 5 s with reads accepted and no violation', () => {
    const r = soak('--seconds', '5', '--json');
    expect(r.stderr).not.toContain('internal error');
    expect(r.code).toBe(0);
    const j = json(r.stdout);
    expect(j.violations).toBe(0);
    expect(Object.values(j.invariants).every((n) => n === 0)).toBe(true);
    expect(j.accepted).toBeGreaterThan(0);
    expect(j.readsPerSecond).toBeGreaterThan(0);
    expect((j.kernel as Record<string, number>).updates).toBeGreaterThan(0);
    expect((j.kernel as Record<string, number>).recycles).toBeGreaterThan(0);
    expect(j.config).toMatchObject({ validation: 'seq-uid-gen', indexReuse: 'after-grace', owners: 16, pidNumbers: 4, slotsPerPage: 4, maxPages: 8, kernelContexts: 2, readers: 2 });
    const c = j.consistency as { points: number; findings: Record<string, number> };
    // About one quiescent point a second, and one at the end.
    expect(c.points).toBeGreaterThanOrEqual(3);
    expect(c.findings).toEqual({ allocator: 0, references: 0, 'pid-table': 0, 'no-create-after-free': 0 });
    expect((j.kernel as Record<string, number>).pidClashes).toBe(0);
  });

  it("finds in the kernel's records the element two unlocked creates leak, and the element a create makes for a freed owner", () => {
    const race = soak('--seconds', '3', '--set', 'createRace=unlocked');
    expect(race.code).toBe(1);
    expect(race.stdout).toMatch(/kernel records: checked at [0-9]+ quiescent point\(s\).*: allocator [1-9]/);
    expect(race.stdout).toMatch(/index [0-9]+ is allocated to owner record [0-9]+ \(uid [0-9]+\), which is not linked to it \(a leak\): allocator/);
    const guard = soak('--seconds', '3', '--set', 'createGuard=no');
    expect(guard.code).toBe(1);
    expect(guard.stdout).toMatch(/owner record [0-9]+ \(uid [0-9]+\) is freed but linked to index [0-9]+: no-create-after-free/);
  });

  it('finds stale reads within seconds under validation=none, and describes them', () => {
    const r = soak('--seconds', '2', '--set', 'validation=none');
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines[lines.length - 1]).toMatch(/^violations: [1-9][0-9,]*$/);
    expect(r.stdout).toMatch(/no-foreign-read [1-9]/);
    expect(r.stdout).toMatch(/reader R[0-9]+ (read its cached index|scanned index) [0-9]+.* and accepted word 1 = /);
  });

  it('finds reads of words a late writer left in a reused slot under indexReuse=immediate', () => {
    const r = soak('--seconds', '5', '--set', 'indexReuse=immediate', '--json');
    expect(r.code).toBe(1);
    const j = json(r.stdout);
    expect(j.violations).toBeGreaterThan(0);
    expect(j.invariants['no-foreign-read']).toBeGreaterThan(0);
  });

  it('stops early on Ctrl-C with a partial report', async () => {
    const child = spawn(process.execPath, [MAIN, '--seconds', '60'], { cwd: ROOT });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    let sentAt = 0;
    const code = await new Promise<number | null>((res) => {
      setTimeout(() => {
        sentAt = Date.now();
        child.kill('SIGINT');
      }, 2500);
      child.on('exit', (c) => res(c));
    });
    expect(code).toBe(3);
    expect(Date.now() - sentAt).toBeLessThan(2000);
    expect(stdout).toContain('interrupted: a partial report');
    expect(stdout.trim().split('\n').pop()).toBe('violations: 0');
  });

  it.each([
    [['--seconds', '0'], '--seconds'],
    [['--writers', '99'], '--writers'],
    [['--readers', 'two'], '--readers'],
    [['--set', 'validation=bogus'], 'validation'],
    [['--set', 'readers=3'], 'readers'],
    [['--set', 'kernelOps=3'], 'kernelOps'],
    [['--frobnicate'], '--frobnicate'],
    [['model/no-such-model.json'], 'model/no-such-model.json'],
  ])('exits 2 on bad input %j, naming it in one line', (args, named) => {
    const r = soak(...args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(named);
    expect(lines[0]).toContain('expected');
  });
});
