/**
 * lsmc compare shows exactly the verdicts that differ between two designs, with the counterexample
 * of each property the second newly breaks, and exits 1 only when a verdict got worse; between two
 * git revisions of the spec, where the second reintroduces a hazard, it exits 1 and shows that
 * hazard's counterexample, and leaves no worktree behind.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runRow } from '../src/review/run.js';
import { reviewVariants } from '../src/review/variants.js';
import { configOf, ROOT } from './support/models.js';

function lsmcIn(root: string, ...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, 'bin/lsmc.js'), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
const lsmc = (...args: string[]) => lsmcIn(ROOT, ...args);

const SMALL = 'model/hazard-12-create-race.json';
const scratch = mkdtempSync(join(tmpdir(), 'lsmc-compare-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface CompareJson {
  worse: boolean;
  flips: { invariant: string; change: string; from: { verdict: string }; to: { verdict: string; steps?: number } }[];
  newlyBroken: { invariant: string; steps: number; explanation: string; rerun: string }[];
}

describe('lsmc compare of two designs', () => {
  it.each(['validation=uid', 'createRace=unlocked', 'zeroOnRecycle=no', 'indexReuse=immediate'])('shows exactly the verdicts that differ from the reference to %s', (set) => {
    const r = lsmc('compare', SMALL, '--b', set, '--json');
    const json = JSON.parse(r.stdout) as CompareJson;
    const base = configOf('hazard-12-create-race.json');
    const [a, b] = reviewVariants(base, [set.split('=')[0] as 'validation'], false).rows.filter((v) => v.name === 'reference' || v.name === set).map((v) => runRow({ variant: v, model: 'h12', symmetry: true, rerun: '' }));
    const differ = Object.keys(a.cells).filter((name) => a.cells[name].verdict !== b.cells[name].verdict);
    expect(json.flips.map((f) => f.invariant)).toEqual(differ);
    expect(json.worse).toBe(differ.length > 0);
    expect(r.code).toBe(differ.length > 0 ? 1 : 0);
    // Each newly broken property comes with B's shortest counterexample, as lsmc check gives it.
    expect(json.newlyBroken.map((n) => n.invariant)).toEqual(differ.filter((name) => b.cells[name].verdict === 'broken'));
    for (const n of json.newlyBroken) {
      const cell = b.cells[n.invariant];
      expect(cell.verdict === 'broken' ? cell.steps : -1).toBe(n.steps);
      expect(n.rerun).toBe(`npx lsmc check ${SMALL} --set ${set} --no-por --invariant ${n.invariant}`);
      const again = JSON.parse(lsmc(...n.rerun.split(' ').slice(2), '--json').stdout) as { invariant: string; trace: { states: unknown[] } };
      expect([again.invariant, again.trace.states.length - 1]).toEqual([n.invariant, n.steps]);
    }
  }, 60_000);

  it('exits 0 when B is the better design and says what it makes safe; 0 with nothing differing', () => {
    const better = lsmc('compare', SMALL, '--a', 'createRace=unlocked');
    expect(better.code).toBe(0);
    expect(better.stdout).toContain('better  no-leak  broken in 32 steps -> holds');
    expect(better.stdout).toContain('B makes safe: no-leak');
    const same = lsmc('compare', SMALL);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain('No verdict differs: the 13 properties checked on both sides say the same.');
  }, 60_000);

  it.each([
    ['one --rev', ['--rev', 'HEAD'], /^lsmc compare: --rev: HEAD: expected two revisions, --rev R1 --rev R2\n$/],
    ['an unknown revision', ['--rev', 'HEAD', '--rev', 'no-such-branch'], /^lsmc compare: --rev: no-such-branch: expected a commit, branch or tag of this repository/],
    ['an empty revision', ['--rev', 'HEAD', '--rev', ''], /^lsmc compare: --rev: \(empty\): expected a commit, branch or tag of this repository/],
    ['--b with --rev', ['--rev', 'HEAD', '--rev', 'HEAD', '--b', 'validation=none'], /^lsmc compare: --b: with --rev: expected no --a or --b/],
    ['three files', [SMALL, SMALL, SMALL], /^lsmc compare: model\/hazard-12-create-race.json: expected at most two model files, A and B\n$/],
    ['an unknown name in --b', ['--b', 'nope=1'], /^lsmc compare: --b nope=1: nope: expected a knob or bound name/],
    ['a bad value in --a', ['--a', 'validation=never'], /^lsmc compare: --a validation=never: validation: expected /],
    ['a bad value in --set', ['--set', 'validation=never'], /^lsmc compare: --set validation=never: validation: expected /],
    ['a bad --set with --rev, before any revision is built', ['--rev', 'HEAD', '--rev', 'HEAD', '--set', 'validation=never'], /^lsmc compare: --set validation=never: validation: expected /],
  ])('refuses %s in one line', (_what, args, message) => {
    const r = lsmc('compare', ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe('lsmc compare of two revisions of the spec', () => {
  it('exits 1 when the second reintroduces hazard 12, with its counterexample, and removes its worktrees', () => {
    // A clone of this checkout with one more commit: the spec without the create lock.
    const clone = join(scratch, 'clone');
    execFileSync('git', ['clone', '-q', ROOT, clone]);
    symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'), 'dir');
    const variant = join(clone, 'spec/variant.ts');
    const text = readFileSync(variant, 'utf8');
    expect(text).toContain("createLocked: k.createRace === 'locked',");
    writeFileSync(variant, text.replace("createLocked: k.createRace === 'locked',", 'createLocked: false,'));
    execFileSync('git', ['-C', clone, '-c', 'user.name=lsmc test', '-c', 'user.email=test@lsmc', 'commit', '-qam', 'spec: no create lock']);
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(clone, 'tsconfig.json')]);
    const before = readdirSync(tmpdir()).filter((d) => d.startsWith('lsmc-rev-'));

    const r = lsmcIn(clone, 'compare', SMALL, '--rev', 'HEAD~1', '--rev', 'HEAD');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^A: HEAD~1 \([0-9a-f]{12}\)/);
    expect(r.stdout).toContain('1 verdict differs from A to B (12 the same):');
    expect(r.stdout).toContain('worse   no-leak  holds -> broken in 32 steps');
    expect(r.stdout).toContain('B newly breaks no-leak:');
    expect(r.stdout).toMatch(/kernel context K2: create\(A\)/);
    expect(r.stdout).toContain('32  task A: free.seq-end');
    expect(r.stdout).toContain('A verdict got worse from A to B.');

    expect(execFileSync('git', ['-C', clone, 'worktree', 'list'], { encoding: 'utf8' }).trim().split('\n')).toHaveLength(1);
    expect(readdirSync(tmpdir()).filter((d) => d.startsWith('lsmc-rev-') && !before.includes(d))).toEqual([]);

    // The same revision twice: nothing differs.
    const same = lsmcIn(clone, 'compare', SMALL, '--rev', 'HEAD', '--rev', 'HEAD');
    expect(same.code, same.stderr).toBe(0);
    expect(same.stdout).toContain('No verdict differs');

    // A revision from before lsmc check --continue --json is refused in one line, its worktree removed all the same.
    const first = execFileSync('git', ['-C', clone, 'rev-list', '--max-parents=0', 'HEAD'], { encoding: 'utf8' }).trim();
    const old = lsmcIn(clone, 'compare', SMALL, '--rev', first, '--rev', 'HEAD');
    expect(old.code).toBe(2);
    expect(old.stderr).toMatch(/^lsmc compare: --rev: [0-9a-f]+: expected a revision whose lsmc check has --continue and --json/m);
    expect(execFileSync('git', ['-C', clone, 'worktree', 'list'], { encoding: 'utf8' }).trim().split('\n')).toHaveLength(1);
  }, 240_000);
});
