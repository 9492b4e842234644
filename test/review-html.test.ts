/**
 * The review's HTML report in a real browser: Debian's chromium, headless, driven by playwright-core
 * (which brings no browser of its own). The page must load with nothing from the network and no
 * console error; the matrix has a row per variant; every counterexample link lands on a diagram
 * that draws every step of its trace; the alternatives are measured on this machine's kernel (or
 * the section says in one line why not); a screenshot is written to test-results/ and kept. Without chromium the tests skip
 * and say why (scripts/setup-browser.sh installs it, as the README's set-up does).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kernelUnavailable } from '../src/kernel/available.js';
import { kmallocBytes, measureAlternatives, memoryWords } from '../src/review/alternatives.js';
import { ROOT } from './support/models.js';

const CHROMIUM = '/usr/bin/chromium';
const why = existsSync(CHROMIUM) ? null : `${CHROMIUM} is not installed (scripts/setup-browser.sh installs it)`;
if (why !== null) console.log(`browser tests skipped: ${why}`);

const scratch = mkdtempSync(join(tmpdir(), 'lsmc-html-'));
const report = join(scratch, 'review.html');
const lassoReport = join(scratch, 'livelock.html');
/** Kept after the run, for a person to look at: the first screen of the report as chromium drew it. */
const SCREENSHOT = join(ROOT, 'test-results', 'review-chromium.png');
let browser: Browser | undefined;
let json: { rows: { variant: string; counterexamples: { invariant: string; steps: number }[] }[] };

beforeAll(async () => {
  if (why !== null) return;
  const args = ['bin/lsmc.js', 'review', 'model/hazard-12-create-race.json', '--knobs', 'zeroOnRecycle,createRace,validation', '--html', report, '--json'];
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  expect(r.status, r.stderr).toBe(0);
  json = JSON.parse(r.stdout);
  const l = spawnSync(process.execPath, ['bin/lsmc.js', 'review', 'model/livelock.json', '--knobs', 'readRetry', '--html', lassoReport], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  expect(l.status, l.stderr).toBe(0);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe.skipIf(why !== null)('the HTML review in headless chromium', () => {
  it('loads from the file alone with no console error, every link lands on a diagram of every step, and a screenshot is written', async () => {
    const page = await (browser as Browser).newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
    const url = pathToFileURL(report).href;
    await page.goto(url);

    expect(await page.locator('table.matrix tbody tr').count()).toBe(json.rows.length);
    const links = await page.locator('table.matrix a').evaluateAll((as) => as.map((a) => ({ href: a.getAttribute('href') ?? '', text: a.textContent ?? '' })));
    const broken = json.rows.flatMap((r) => r.counterexamples);
    expect(links.length).toBe(broken.length);
    expect(links.length).toBeGreaterThanOrEqual(10);
    for (const link of links) {
      const id = link.href.slice(1);
      const section = page.locator(`section[id="${id}"]`);
      expect(await section.count(), link.href).toBe(1);
      // A row per step of the trace, numbered 1..steps, the last one the acting lane's red box.
      const steps = await section.locator('table.seq tbody tr').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-step'))));
      expect(steps, link.href).toEqual(Array.from({ length: Number(link.text) }, (_, i) => i + 1));
      expect(await section.locator('tr:last-child td.act.last').count(), link.href).toBe(1);
      expect(await section.locator('p.why').textContent()).toMatch(/is violated at step \d+\. \S/);
      const lanes = await section.locator('table.seq thead th').allTextContents();
      expect(lanes[lanes.length - 1]).toMatch(/^memory/);
      // A lane for each of hazard 12's actors, idle or not: task A, kernel contexts K1 and K2, reader R1; then memory.
      expect(lanes.filter((l) => /^(task [A-Z]|kernel context K\d|reader R\d)$/.test(l)), link.href).toEqual(['task A', 'kernel context K1', 'kernel context K2', 'reader R1']);
    }
    // Following a link scrolls to its diagram and marks it as the target.
    await page.locator('table.matrix a').first().click();
    expect(new URL(page.url()).hash).toBe(links[0].href);
    expect(await page.locator(`section[id="${links[0].href.slice(1)}"]`).isVisible()).toBe(true);
    expect(await page.locator(':target').getAttribute('id')).toBe(links[0].href.slice(1));

    // Each row's coverage goals, reached of possible, the unreached named under it.
    const goals = await page.locator('#coverage + table td.goals').allTextContents();
    expect(goals).toHaveLength(json.rows.length);
    for (const g of goals) expect(g).toMatch(/^\d+ of \d+/);
    expect(await page.locator('#coverage + table td.goals details code').count()).toBeGreaterThan(0);

    const alternatives = await page.locator('#alternatives + *').textContent();
    if (kernelUnavailable() === null) expect(await page.locator('table.alt tbody tr').count()).toBe(5);
    else expect(alternatives).toMatch(/^Not measured: /);

    expect(errors).toEqual([]);
    expect(requests.every((r) => r === url || r.startsWith(`${url}#`))).toBe(true);
    rmSync(SCREENSHOT, { force: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: false });
    expect(statSync(SCREENSHOT).size).toBeGreaterThan(10_000);
    expect(readFileSync(SCREENSHOT).subarray(1, 4).toString()).toBe('PNG');
    await page.close();
  }, 120_000);

  it('draws a liveness counterexample as a lasso: the loop marked, a row back to where it starts, no step red', async () => {
    const page = await (browser as Browser).newPage({ viewport: { width: 1400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text());
    });
    await page.goto(pathToFileURL(lassoReport).href);
    const link = page.locator('table.matrix a');
    expect(await link.count()).toBe(1);
    const text = (await link.textContent()) ?? '';
    expect(text).toMatch(/^\d+\u21bb$/);
    const section = page.locator(`section[id="${((await link.getAttribute('href')) ?? '').slice(1)}"]`);
    const steps = await section.locator('table.seq tbody tr[data-step]').evaluateAll((rows) => rows.map((r) => ({ n: Number(r.getAttribute('data-step')), loop: r.classList.contains('loop') })));
    const length = Number.parseInt(text, 10);
    expect(steps.map((s) => s.n)).toEqual(Array.from({ length }, (_, i) => i + 1));
    const back = Number(await section.locator('tr.back').getAttribute('data-back'));
    expect(back).toBeGreaterThanOrEqual(0);
    expect(back).toBeLessThan(length);
    // Exactly the steps after the state the loop goes back to are drawn as the loop.
    expect(steps.filter((s) => s.loop).map((s) => s.n)).toEqual(steps.filter((s) => s.n > back).map((s) => s.n));
    expect(await section.locator('tr.back').textContent()).toContain(`steps ${back + 1} to ${length} repeat for ever`);
    expect(await section.locator('td.act.last').count()).toBe(0);
    expect(await section.locator('h3').textContent()).toContain(`a lasso of ${length} steps`);
    expect(await section.locator('p.why').textContent()).toContain(`is violated by the loop of steps ${back + 1} to ${length}, repeated for ever.`);
    expect(await page.locator('#costs + table').textContent()).toContain('not counted');
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});

describe.skipIf(kernelUnavailable() !== null)('the alternatives, on this machine\'s kernel', () => {
  it('measure ns per read of the syscall, the iterator dump, the static ARRAY and __uptr beside the prototype, the ARRAY\'s memory and task storage\'s at 1,000 owners', () => {
    const alt = measureAlternatives();
    expect(alt.kind).toBe('measured');
    if (alt.kind !== 'measured') return;
    expect(alt.rows).toHaveLength(5);
    for (const row of alt.rows) {
      expect(row.nsPerRead, `${row.name}: ${row.why ?? ''}`).toBeGreaterThan(0);
      expect(row.memory.map((m) => m.owners)).toEqual([10, 1_000, 100_000]);
      for (const m of row.memory) expect(m.bytes, row.name).toBeGreaterThan(0);
    }
    const [prototype, syscall, iterator, array, uptr] = alt.rows;
    const bytes = (m: { bytes: number | null }): number => m.bytes ?? Number.NaN;
    // The proposal's point: a read through the mapping is far cheaper than the syscall, and a dump of every task dearer still.
    expect(syscall.nsPerRead as number).toBeGreaterThan(20 * (prototype.nsPerRead as number));
    expect(iterator.nsPerRead as number).toBeGreaterThan(syscall.nsPerRead as number);
    expect(array.memory.every((m) => m.measured)).toBe(true);
    expect(bytes(array.memory[2])).toBeGreaterThan(bytes(array.memory[0]));
    // Task storage measured where the bench made its elements (the charge to the map's memory cgroup),
    // near what BTF sizes rounded to kmalloc's classes give; computed where it did not.
    expect(syscall.memory.map((m) => m.measured)).toEqual([false, true, false]);
    expect(iterator.memory).toEqual(syscall.memory);
    const perOwner = bytes(syscall.memory[0]) / 10;
    expect(bytes(syscall.memory[1])).toBeGreaterThan(0.75 * 1_000 * perOwner);
    expect(bytes(syscall.memory[1])).toBeLessThan(1.5 * 1_000 * perOwner);
    // A __uptr value pins a page of the process's memory: at least a page an owner.
    for (const m of uptr.memory) expect(bytes(m)).toBeGreaterThanOrEqual(m.owners * 4096);
    expect(uptr.per).toBe('one validated read of the process\'s own memory');
    // Nothing of the measurement stays: the bench's memory cgroup is gone.
    const memcgs = existsSync('/sys/fs/cgroup/memory') ? readdirSync('/sys/fs/cgroup/memory') : [];
    expect(memcgs.filter((d) => d.startsWith('lsmc.altbench-'))).toEqual([]);
  }, 60_000);
});

describe('a memory figure of the alternatives', () => {
  it('says "not measured" and why for a figure the bench could not give, never a negative number', () => {
    expect(memoryWords({ owners: 10, bytes: null, measured: false, why: 'fdinfo showed no memlock' })).toEqual({ figure: 'not measured', how: 'fdinfo showed no memlock' });
    expect(memoryWords({ owners: 10, bytes: 384, measured: false })).toEqual({ figure: '384 B', how: 'computed' });
    expect(kmallocBytes(168)).toBe(192);
    expect(kmallocBytes(176)).toBe(192);
    expect(kmallocBytes(96)).toBe(96);
    expect(kmallocBytes(97)).toBe(128);
  });
});
