/**
 * The README's tour as a newcomer follows it: every `$ npx lsmc ...` line of its examples is run,
 * in order, in a scratch folder (so that the files it writes land there), and every output line the
 * README shows must appear in the real output, in the same order. Every page it links to exists.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './support/models.js';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const scratch = mkdtempSync(join(tmpdir(), 'lsmc-readme-'));
symlinkSync(join(ROOT, 'model'), join(scratch, 'model'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Example {
  readonly command: string;
  readonly shown: readonly string[];
}

function examples(): Example[] {
  const out: Example[] = [];
  for (const [, block] of README.matchAll(/^```[a-z]*\n([\s\S]*?)^```/gm)) {
    let current: { command: string; shown: string[] } | null = null;
    for (const line of block.split('\n')) {
      if (line.startsWith('$ ')) {
        current = { command: line.slice(2), shown: [] };
        out.push(current);
      } else if (current !== null && line.trim() !== '' && line.trim() !== '...') current.shown.push(line.trimEnd());
    }
  }
  return out;
}

describe('the README', () => {
  const all = examples();

  it('shows lsmc commands with their output', () => {
    expect(all.length).toBeGreaterThanOrEqual(4);
    for (const e of all) expect(e.command).toMatch(/^npx lsmc /);
  });

  it('every example prints what the README says it prints', () => {
    for (const e of all) {
      const args = e.command.replace(/^npx lsmc /, '').split(' ');
      const r = spawnSync(process.execPath, [join(ROOT, 'bin/lsmc.js'), ...args], { cwd: scratch, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      expect(r.status, e.command).not.toBe(2);
      const lines = r.stdout.split('\n').map((l) => l.trimEnd());
      let at = 0;
      for (const want of e.shown) {
        const found = lines.indexOf(want, at);
        expect(found, `${e.command}\n  shows: ${want}\n  after line ${at} of:\n${r.stdout}`).toBeGreaterThanOrEqual(0);
        at = found + 1;
      }
    }
  });

  it('and the pages it links to link only to files that exist', () => {
    const linksOf = (text: string): string[] => [...text.matchAll(/\]\(([^)#]+)(#[^)]*)?\)/g)].map((m) => m[1]).filter((l) => !/^https?:/.test(l));
    const pages = linksOf(README);
    expect(pages.length).toBeGreaterThan(5);
    for (const page of pages) {
      expect(existsSync(join(ROOT, page)), page).toBe(true);
      // A picture's bytes are not a page: only markdown is read for its links.
      if (!page.endsWith('.md')) continue;
      for (const link of linksOf(readFileSync(join(ROOT, page), 'utf8'))) expect(existsSync(join(ROOT, dirname(page), link)), `${page}: ${link}`).toBe(true);
    }
  });
});
