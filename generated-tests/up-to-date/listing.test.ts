/** The committed traces are exactly what `npm run gen:tests` writes today, byte for byte. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { expect, it } from 'vitest';
import { readText } from '../src/gen/write.js';
import { MANIFEST, ROOT, TRACES } from './support.js';

function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.push(relative(dir, full));
    }
  };
  walk(dir);
  return out;
}

it('regenerating the committed suites and hazard traces gives the same files', () => {
  const out = mkdtempSync(join(tmpdir(), 'lsmc-gen-'));
  try {
    const run = spawnSync(process.execPath, [join(ROOT, 'bin/lsmc.js'), 'gen', '--manifest', MANIFEST, '--out', out], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const committed = files(TRACES);
    expect(files(out)).toEqual(committed);
    // A compressed trace is compared on its text: the same text may compress differently under another zlib.
    const same = (f: string): boolean => (f.endsWith('.gz') ? readText(join(out, f)) === readText(join(TRACES, f)) : readFileSync(join(out, f)).equals(readFileSync(join(TRACES, f))));
    const stale = committed.filter((f) => !same(f));
    expect(stale, 'run `npm run gen:tests` and commit the result').toEqual([]);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}, 900_000);
