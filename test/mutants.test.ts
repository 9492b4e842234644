/** `npm run mutants` as a reviewer runs it: the built-in list applies cleanly, and a file of one's own mutations is checked and scored. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMutations } from '../src/mutants/file.js';
import { MUTANTS } from '../src/mutants/list.js';
import { applyEdits } from '../src/mutants/prepare.js';
import { ROOT } from './support/models.js';

const MAIN = join(ROOT, 'dist/src/cli/mutants.js');
const REFERENCE = join(ROOT, 'src/reference');
const UNLISTED = join(ROOT, 'test/fixtures/unlisted-mutants.json');
// Written before the generator changes of issue 11; the reference's source must keep every text it edits.
const HELD_OUT = join(ROOT, 'test/fixtures/held-out-mutants.json');
const HELD_OUT_2 = join(ROOT, 'test/fixtures/held-out-2-mutants.json');

const scratch = mkdtempSync(join(tmpdir(), 'lsmc-mutants-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function mutants(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function fileWith(json: unknown): string {
  const path = join(scratch, `m${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(json));
  return path;
}

describe('npm run mutants', () => {
  it('applies every built-in mutation: each edit finds its text exactly once', () => {
    for (const m of MUTANTS) {
      const edited = applyEdits(readFileSync(join(REFERENCE, m.file), 'utf8'), m);
      expect(edited.ok, m.id).toBe(true);
    }
    expect(MUTANTS.length).toBeGreaterThanOrEqual(12);
    expect(new Set(MUTANTS.map((m) => m.id)).size).toBe(MUTANTS.length);
  });

  it('loads the unlisted mutations the suite was not tuned to, none of them a built-in one', () => {
    const unlisted = loadMutations(UNLISTED, REFERENCE);
    expect(unlisted.length).toBeGreaterThanOrEqual(20);
    const key = (file: string, e: { find: string; replace: string }): string => `${file}:${e.find}=>${e.replace}`;
    const builtIn = new Set(MUTANTS.flatMap((m) => m.edits.map((e) => key(m.file, e))));
    for (const m of unlisted) for (const e of m.edits) expect(builtIn.has(key(m.file, e)), m.id).toBe(false);
  });

  it('still applies every held-out mutation, and every concurrency one, to the reference as it is now', () => {
    expect(loadMutations(HELD_OUT, REFERENCE)).toHaveLength(30);
    expect(loadMutations(HELD_OUT_2, REFERENCE)).toHaveLength(30);
    expect(loadMutations(join(ROOT, 'test/fixtures/concurrency-mutants.json'), REFERENCE)).toHaveLength(8);
  });

  it('gives one line and exit 2 for a mutations file that is missing, malformed, or does not match the source', () => {
    const edit = { find: 'if (mismatch) return', replace: 'if (false) return' };
    const cases: [string, string][] = [
      [join(scratch, 'absent.json'), '(file): expected a file that exists'],
      [fileWith({ mutants: [{ id: 'a', about: 'x', file: 'nowhere.ts', edits: [edit] }] }), 'mutants[0].file: expected a file of src/reference/'],
      [fileWith({ mutants: [{ id: 'a', about: 'x', file: 'reader.ts', edits: [] }] }), 'mutants[0].edits: expected at least one edit'],
      [fileWith({ mutants: [{ id: 'a', about: 'x', file: 'reader.ts', edits: [{ find: 'no such text', replace: '' }] }] }), 'mutants[0].edits[0].find: expected text that occurs exactly once in src/reference/reader.ts (it occurs 0 times)'],
      [fileWith({ mutants: [{ id: 'a', about: 'x', file: 'reader.ts', edits: [{ find: 'yield', replace: '' }] }] }), 'mutants[0].edits[0].find: expected text that occurs exactly once'],
      [
        fileWith({
          mutants: [
            { id: 'a', about: 'x', file: 'reader.ts', edits: [edit] },
            { id: 'a', about: 'y', file: 'reader.ts', edits: [edit] },
          ],
        }),
        'mutants[1].id: expected an id no other mutant has',
      ],
      [fileWith({ mutants: [{ id: 'a', about: 'x', file: 'reader.ts', edits: [edit], extra: 1 }] }), 'mutants[0].extra: expected one of the fields id, hazard, about, file, edits'],
    ];
    for (const [path, message] of cases) {
      const r = mutants('--mutations', path);
      expect(r.code, r.stderr).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const unknown = mutants('--no-such-flag');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    // Numbers are read as every other command reads them: digits in range, or one line.
    for (const [args, line] of [
      [['--seed', '-1'], '--seed: -1: expected an integer from 0 to 2147483647'],
      [['--seed', '1e3'], '--seed: 1e3: expected an integer from 0 to 2147483647'],
      [['--budget', '0'], '--budget: 0: expected a positive number of seconds'],
      [['--soak', '2.5'], '--soak: 2.5: expected a positive whole number of seconds'],
    ] as const) {
      const r = mutants(...args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toEqual([expect.stringContaining(line)]);
    }
  });

  it('kills an unlisted mutant the traces never step into: a scan bound off by one is caught by the refusal the spec demands', () => {
    const r = mutants('--mutations', UNLISTED, '--only', 'U07', '--budget', '0.2', '--json');
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { sets: { killed: { mutants: number; suite: number }; scores: { id: string; suite: { killed: boolean; by: string } }[] }[] };
    expect(j.sets).toHaveLength(1);
    expect(j.sets[0].killed.mutants).toBe(1);
    expect(j.sets[0].killed.suite).toBe(1);
    expect(j.sets[0].scores[0].id).toBe('U07-scan-bound-plus-one');
    expect(j.sets[0].scores[0].suite.by).toMatch(/the spec refuses R1 a scan of index \d+, at or past the published size, but the implementation made it/);
  }, 300_000);
});
