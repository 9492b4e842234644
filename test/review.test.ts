/**
 * The review matrix agrees with lsmc check, cell by cell: a row (one check of every invariant that
 * goes on after violations) says of each invariant what a check of that invariant alone says, held
 * or broken with a counterexample of the same length. And the rows are the variants a reviewer asked
 * for, with what the spec cannot run left out and said.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildSpec } from '../spec/index.js';
import { reducedPathSlack } from '../spec/persistent.js';
import { runCheck } from '../src/check/run.js';
import { costMeter, readPath } from '../src/review/costs.js';
import { runRow } from '../src/review/run.js';
import { generateSuite } from '../src/gen/suite.js';
import { reviewVariants } from '../src/review/variants.js';
import { configOf, ROOT } from './support/models.js';

function lsmc(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/lsmc.js'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const scratch = mkdtempSync(join(tmpdir(), 'lsmc-review-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
/** A second name for the scratch folder, to give one report file two paths. */
const alias = join(scratch, 'alias');
symlinkSync(scratch, alias, 'dir');

const SMALL = 'model/hazard-12-create-race.json';
const KNOBS = 'zeroOnRecycle,createRace,validation';
/** A review's JSON without what may differ from run to run: the timings. */
const untimed = (text: string): unknown => JSON.parse(text, (k, v: unknown) => (k === 'seconds' ? 0 : v));

const check = (config: Parameters<typeof runCheck>[0]['config'], invariants: string[], continueAfterViolation: boolean, partialOrder = false) =>
  runCheck({ config, model: 'hazard-12-create-race', invariants, symmetry: true, partialOrder, continueAfterViolation, rerun: '' });

describe('the review matrix', () => {
  it('has the reference, then each other value of the named knobs, one at a time; every combination with product', () => {
    const base = configOf('allocator.json');
    expect(reviewVariants(base, ['indexReuse', 'zeroOnRecycle'], false).rows.map((r) => r.name)).toEqual(['reference', 'indexReuse=immediate', 'zeroOnRecycle=no']);
    expect(reviewVariants(base, ['indexReuse', 'zeroOnRecycle'], true).rows.map((r) => r.name)).toEqual([
      'reference',
      'zeroOnRecycle=no',
      'indexReuse=immediate',
      'indexReuse=immediate zeroOnRecycle=no',
    ]);
    const all = reviewVariants(base, null, false).rows;
    expect(all.length).toBeGreaterThan(15);
    expect(new Set(all.map((r) => r.name)).size).toBe(all.length);
  });

  it('leaves out, with the reason, what the spec cannot run', () => {
    const cgroups = configOf('allocator.json', { ownerKind: 'cgroup' });
    const { rows, left } = reviewVariants(cgroups, ['ownerIdentity'], false);
    expect(rows.map((r) => r.name)).toEqual(['as configured']);
    expect(left).toEqual([{ name: 'ownerIdentity=pid', why: expect.stringContaining('ownerIdentity: expected') }]);
  });

  it.each(['hazard-12-create-race.json', 'hazard-03-link-then-init.json'])('says of each cell, on the default knobs, what lsmc check says of that variant and invariant alone (%s)', (model) => {
    const base = configOf(model);
    let broken = 0;
    let longer = 0;
    for (const variant of reviewVariants(base, null, false).rows) {
      const row = runRow({ variant, model: 'h', symmetry: true, rerun: '' });
      broken += Object.values(row.cells).filter((c) => c.verdict === 'broken').length;
      expect(Object.keys(row.cells).length).toBeGreaterThan(10);
      const slack = reducedPathSlack(buildSpec(variant.config).ctx);
      // lsmc check --continue as typed, with partial-order reduction: the same verdicts, each counterexample at most the slack longer.
      const reduced = check(variant.config, [], true, true);
      expect(reduced.result, variant.name).not.toBe('limit');
      for (const [invariant, cell] of Object.entries(row.cells)) {
        const what = `${variant.name} ${invariant}`;
        // The row's rerun (--no-por), one invariant alone: the true shortest, the cell's length exactly.
        const alone = check(variant.config, [invariant], false);
        const met = reduced.violations.find((v) => v.invariant === invariant);
        if (cell.verdict === 'broken') {
          expect(alone.result, what).toBe('violation');
          expect(alone.trace?.states.length, what).toBe(cell.steps + 1);
          const steps = (met?.trace.states.length ?? 0) - 1;
          expect(steps, what).toBeGreaterThanOrEqual(cell.steps);
          expect(steps, what).toBeLessThanOrEqual(cell.steps + slack);
          if (steps > cell.steps) longer++;
        } else {
          expect(cell.verdict, what).toBe('holds');
          expect(alone.result, what).toBe('ok');
          expect(met, what).toBeUndefined();
          expect(reduced.held, what).toContain(invariant);
        }
      }
    }
    // Stale, torn and non-linearizable reads, a leak, faults: the lengths were compared, not only the verdicts.
    expect(broken).toBeGreaterThanOrEqual(20);
    // On hazard 12's bounds the reduced graph does make some longer (5 of 24 cells, by 2): the comparison is not vacuous there.
    if (model.startsWith('hazard-12')) expect(longer).toBeGreaterThan(0);
  }, 300_000);
});

describe('lsmc review', () => {
  it('gives the same JSON run after run and on one or two workers, each row what the library gives for its variant', () => {
    const runs = [['--jobs', '2'], ['--jobs', '2'], ['--jobs', '1']].map((jobs) => lsmc('review', SMALL, '--knobs', KNOBS, '--json', ...jobs));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const [first, ...rest] = runs.map((r) => untimed(r.stdout));
    for (const other of rest) expect(other).toEqual(first);
    const review = first as { rows: { variant: string; cells: Record<string, unknown>; rerun: string; costs: unknown }[]; checked: string[] };
    const base = configOf('hazard-12-create-race.json');
    const variants = reviewVariants(base, ['zeroOnRecycle', 'createRace', 'validation'], false).rows;
    expect(review.rows.map((r) => r.variant)).toEqual(variants.map((v) => v.name));
    variants.forEach((variant, i) => {
      const row = runRow({ variant, model: 'hazard-12-create-race', symmetry: true, rerun: '' });
      expect(review.rows[i].cells, variant.name).toEqual(row.cells);
      expect(review.rows[i].costs, variant.name).toEqual(row.costs);
    });
  }, 120_000);

  it("prints, for each row, the lsmc check that gives it", () => {
    const review = JSON.parse(lsmc('review', SMALL, '--knobs', 'createRace,pageReclaim', '--json').stdout) as { rows: { rerun: string; cells: Record<string, { verdict: string; steps?: number }> }[] };
    expect(review.rows[1].rerun).toBe(`npx lsmc check ${SMALL} --set createRace=unlocked --no-por --continue`);
    for (const row of review.rows) {
      const check = JSON.parse(lsmc(...row.rerun.split(' ').slice(2), '--json').stdout) as { violations: { invariant: string; steps: number }[] };
      // The check lists violations in the order it met them; the row, in the order of the properties.
      const found = check.violations.map((v) => [v.invariant, v.steps]).sort();
      expect(found, row.rerun).toEqual(Object.entries(row.cells).flatMap(([name, c]) => (c.verdict === 'broken' ? [[name, c.steps]] : [])).sort());
    }
  }, 60_000);

  it("counts a row's states as its lsmc check does, once, though a liveness property is checked in a run of its own", () => {
    const review = JSON.parse(lsmc('review', 'model/livelock.json', '--knobs', 'readRetry', '--json').stdout) as { rows: { rerun: string; states: number; transitions: number; cells: Record<string, { verdict: string }> }[] };
    expect(review.rows.map((r) => r.cells['reader-progress'].verdict)).toEqual(['holds', 'broken']);
    for (const row of review.rows) {
      const check = JSON.parse(lsmc(...row.rerun.split(' ').slice(2), '--json').stdout) as { distinctStates: number; transitions: number };
      expect([row.states, row.transitions], row.rerun).toEqual([check.distinctStates, check.transitions]);
    }
  }, 60_000);

  it('stops a row at --max-states where its lsmc check stops, with the same cells', () => {
    const review = JSON.parse(lsmc('review', SMALL, '--knobs', 'validation', '--max-states', '200', '--json').stdout) as { rows: { rerun: string; states: number; cells: Record<string, { verdict: string; steps?: number }> }[] };
    for (const row of review.rows) {
      const check = JSON.parse(lsmc(...row.rerun.split(' ').slice(2), '--json').stdout) as { distinctStates: number; violations: { invariant: string; steps: number }[]; held: string[] };
      expect(row.states, row.rerun).toBe(check.distinctStates);
      const broken = check.violations.map((v) => [v.invariant, v.steps]).sort();
      expect(Object.entries(row.cells).flatMap(([name, c]) => (c.verdict === 'broken' ? [[name, c.steps]] : [])).sort(), row.rerun).toEqual(broken);
      expect(Object.entries(row.cells).flatMap(([name, c]) => (c.verdict === 'holds' ? [name] : [])).sort(), row.rerun).toEqual([...check.held].sort());
    }
  }, 60_000);

  it('writes the mailing-list text in 72 columns with every broken cell\'s counterexample, and replaces only a review it wrote', () => {
    const out = join(scratch, 'review.txt');
    const r = lsmc('review', SMALL, '--knobs', KNOBS, '--text', out);
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(out, 'utf8');
    for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(72);
    expect(text).not.toMatch(/\x1b\[/);
    const broken = [...r.stdout.matchAll(/^  (\S+): (\S+), (\d+) steps?\./gm)];
    expect(broken.length).toBeGreaterThanOrEqual(10);
    for (const [, variant, invariant, steps] of broken) expect(text).toContain(`${variant} breaks ${invariant} in ${steps} step`);
    // Each rerun command pastes back as one: its broken lines end in a backslash, and joined it is the row's rerun.
    const json = JSON.parse(lsmc('review', SMALL, '--knobs', KNOBS, '--json').stdout) as { rows: { rerun: string }[] };
    const reruns = [...text.matchAll(/^Rerun:\n((?:.*\\\n)*.*)$/gm)].map((m) => m[1].replace(/ \\\n */g, ' ').trim());
    expect(reruns).toHaveLength(broken.length);
    for (const c of reruns) expect(json.rows.map((row) => row.rerun)).toContain(c);
    // A step line too long for the mail goes on under the step's text, not under its number.
    const lines = text.split('\n');
    const isStep = (l: string): boolean => /^ +\d+ {2}\S/.test(l);
    let hung = 0;
    lines.forEach((l, i) => {
      const next = lines[i + 1] ?? '';
      const column = /^ +\d+ {2}/.exec(l)?.[0].length ?? 0;
      const indent = /^ */.exec(next)?.[0].length ?? 0;
      if (!isStep(l) || isStep(next) || next.trim() === '' || next.startsWith('Rerun:') || indent >= column + 3) return;
      expect(indent, `${l}\n${next}`).toBe(column);
      hung++;
    });
    expect(hung).toBeGreaterThan(0);
    expect(lsmc('review', SMALL, '--knobs', 'createRace', '--text', out).code).toBe(0);
    const mine = join(scratch, 'notes.txt');
    writeFileSync(mine, 'my notes\n');
    const refused = lsmc('review', SMALL, '--knobs', 'createRace', '--text', mine);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^lsmc review: --text: .*notes\.txt: expected a new file or a review lsmc wrote \(refusing to overwrite another file\)\n$/);
    expect(readFileSync(mine, 'utf8')).toBe('my notes\n');
  }, 60_000);

  it('leaves the kernel bench out of the HTML report with --no-alternatives, and says so', () => {
    const out = join(scratch, 'quick.html');
    const r = lsmc('review', SMALL, '--knobs', 'createRace', '--html', out, '--no-alternatives');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('measuring the alternatives');
    expect(readFileSync(out, 'utf8')).toContain('Not measured: left out by --no-alternatives.');
    // Cut short before any counterexample, the page does not say that nothing breaks.
    const cut = lsmc('review', SMALL, '--knobs', 'createRace', '--html', out, '--no-alternatives', '--max-states', '10');
    expect(cut.code, cut.stderr).toBe(3);
    expect(readFileSync(out, 'utf8')).toMatch(/No variant breaks a property where the review decided it; \d+ cells are not decided/);
  }, 60_000);

  it.each([
    ['an unknown knob', ['--knobs', 'validaton'], /^lsmc review: --knobs: validaton: expected knob names separated by commas: .*did you mean "validation"\?/],
    ['a knob twice', ['--knobs', 'growth,growth'], /^lsmc review: --knobs: growth,growth: expected each knob once\n$/],
    ['--product alone', ['--product'], /^lsmc review: --product: without --knobs: expected a list of knobs to combine/],
    ['--no-alternatives without --html', ['--no-alternatives'], /^lsmc review: --no-alternatives: without --html: expected --html FILE \(the alternatives are measured for the HTML report only\)\n$/],
    ['a bad --jobs', ['--jobs', '0'], /^lsmc review: --jobs: 0: expected a positive integer\n$/],
    ['--html and --text naming one file', ['--html', join(scratch, 'one.out'), '--text', join(scratch, '.', '..', basename(scratch), 'one.out')], /^lsmc review: --html: .*one\.out: expected a file other than --text's\n$/],
    ['--html and --text naming one file through a symlinked folder', ['--html', join(scratch, 'two.out'), '--text', join(alias, 'two.out')], /^lsmc review: --html: .*two\.out: expected a file other than --text's\n$/],
    ['a report where no file can be made', ['--html', '/proc/review.html'], /^lsmc review: --html: \/proc\/review\.html: expected a file lsmc can write \(\/proc: the file system there takes no new files\)\n$/],
  ])('refuses %s in one line', (_what, args, message) => {
    const r = lsmc('review', SMALL, ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe('the costs of a variant', () => {
  it('count the loads of a read from the spec: every check the validation and growth knobs drop is a load fewer', () => {
    const loads = (set: Record<string, string>): number => readPath(configOf('reference.json', set)).loads;
    expect(loads({})).toBe(7);
    expect(loads({ growth: 'zero-page' })).toBe(6);
    expect(loads({ validation: 'uid-gen' })).toBe(5);
    expect(loads({ validation: 'uid' })).toBe(4);
    expect(loads({ validation: 'none', growth: 'unchecked' })).toBe(2);
    expect(readPath(configOf('reference.json')).syscalls).toBe(1);
  });

  it('keep the same peaks with symmetry and without, and see the page hazard 12 leaks', () => {
    const peaks = (set: Record<string, string>, symmetry: boolean) => {
      const config = configOf('hazard-12-create-race.json', set);
      const meter = costMeter(config);
      runCheck({ config, model: 'h12', invariants: [], symmetry, partialOrder: false, continueAfterViolation: true, rerun: '' }, { onStep: meter.onStep });
      return meter.peaks();
    };
    const sets: Record<string, string>[] = [{}, { createRace: 'unlocked' }, { validation: 'none' }, { pageReclaim: 'unmap' }, { growth: 'zero-page' }];
    for (const set of sets)
      expect(peaks(set, true), JSON.stringify(set)).toEqual(peaks(set, false));
    expect(peaks({}, true).peakPages).toBe(1);
    expect(peaks({ createRace: 'unlocked' }, true).peakPages).toBe(2);
    expect(peaks({ growth: 'zero-page' }, true).peakMappedPages).toBe(2);
  }, 60_000);
});

describe('the coverage of a row', () => {
  it('names the same unreached goals as lsmc gen does for the same variant', () => {
    const variants = reviewVariants(configOf('hazard-12-create-race.json'), ['createRace', 'validation'], false).rows;
    let compared = 0;
    const rows: ReturnType<typeof runRow>[] = [];
    for (const variant of variants) {
      const row = runRow({ variant, model: 'h12', symmetry: true, rerun: '' });
      const c = row.coverage;
      expect(c, variant.name).not.toBeNull();
      if (c === null) continue;
      const suite = generateSuite({ config: variant.config, pairs: false, writes: false, sequences: false, model: 'h12', rerun: '' });
      expect('interrupted' in suite).toBe(false);
      if ('interrupted' in suite) continue;
      expect([...c.unreached].sort(), variant.name).toEqual([...suite.unreached].sort());
      expect(c.reached + c.unreached.length).toBe(c.possible);
      expect(c.reached).toBeGreaterThan(c.possible / 2);
      // A read with no validation has no checks to fail: fewer goals are even possible.
      if (variant.name === 'validation=none') expect(c.possible).toBeLessThan((rows[0].coverage ?? c).possible);
      rows.push(row);
      compared++;
    }
    expect(compared).toBe(variants.length);
  }, 120_000);
});
