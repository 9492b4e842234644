/**
 * Ctrl-C on every long command: the signal goes to the whole process group, as a terminal sends
 * it; the command stops within two seconds with its partial report and exit 3. The commands run
 * as docs/commands.md shows for scripts that read the exit code: node_modules/.bin/lsmc, not npx, which
 * dies of the same signal and reports 130 whatever lsmc returns (docs/commands.md, lsmc check).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { ROOT } from './support/models.js';

const scratch = mkdtempSync(join(tmpdir(), 'lsmc-interrupt-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Stopped {
  readonly code: number | null;
  readonly seconds: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Starts `lsmc args`, waits until it has worked for a while, sends SIGINT to its group, and times the exit. */
function interrupt(args: readonly string[], afterMs = 1500): Promise<Stopped> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(join(ROOT, 'node_modules/.bin/lsmc'), [...args], { cwd: ROOT, detached: true, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    let sentAt = 0;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    const timer = setTimeout(() => {
      sentAt = performance.now();
      process.kill(-(child.pid as number), 'SIGINT');
    }, afterMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (sentAt === 0) reject(new Error(`lsmc ${args.join(' ')} ended before it was interrupted: ${stderr}`));
      else resolvePromise({ code, seconds: (performance.now() - sentAt) / 1000, stdout, stderr });
    });
  });
}

it('lsmc check stops on Ctrl-C with a partial report and exit 3', async () => {
  const r = await interrupt(['check']);
  expect(r.seconds).toBeLessThan(2);
  expect(r.code).toBe(3);
  expect(r.stderr).toContain('interrupted');
  expect(r.stdout).toMatch(/distinct states/);
});

it('lsmc simulate stops on Ctrl-C with a partial report and exit 3', async () => {
  const r = await interrupt(['simulate', '--runs', '1000000000', '--seed', '1']);
  expect(r.seconds).toBeLessThan(2);
  expect(r.code).toBe(3);
  expect(r.stderr).toContain('interrupted');
  expect(r.stdout).toMatch(/walks/);
});

it('lsmc gen stops on Ctrl-C, exit 3, and writes no trace of the unfinished suite', async () => {
  const out = join(scratch, 'gen');
  const r = await interrupt(['gen', '--out', out]);
  expect(r.seconds).toBeLessThan(2);
  expect(r.code).toBe(3);
  expect(r.stderr).toContain('lsmc gen: interrupted before the exploration finished; nothing written');
  expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
});

it('lsmc gen --manifest stops on Ctrl-C, exit 3, keeping the suites it finished', async () => {
  const out = join(scratch, 'manifest');
  const r = await interrupt(['gen', '--manifest', 'model/suites.json', '--out', out]);
  expect(r.seconds).toBeLessThan(2);
  expect(r.code).toBe(3);
  expect(r.stderr).toMatch(/lsmc gen: interrupted in suite reference; the 0 suites before it are written, the rest are not/);
  expect(existsSync(join(out, 'suites', 'reference'))).toBe(false);
});

it('lsmc review stops on Ctrl-C with the rows it has, the rest not decided, exit 3', async () => {
  const r = await interrupt(['review', '--knobs', 'validation,growth', '--jobs', '1']);
  expect(r.seconds).toBeLessThan(2);
  expect(r.code).toBe(3);
  expect(r.stderr).toContain('interrupted');
  // Every property but reader-progress, which holds without a search when behaviours are finite.
  expect(r.stdout).toMatch(/^reference {20,}( {2}\?){11} {2}\. {2}\?$/m);
  expect(r.stdout).toMatch(/^validation=none {10,}( {2}\?){11} {2}\. {2}\?$/m);
});

it('lsmc compare stops on Ctrl-C, exit 3, not 1: an unfinished side is not a worse verdict', async () => {
  const r = await interrupt(['compare', '--b', 'validation=none']);
  expect(r.seconds).toBeLessThan(2);
  expect(r.code).toBe(3);
  expect(r.stderr).toContain('interrupted');
});
