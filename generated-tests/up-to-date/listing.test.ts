/**
 * The committed traces are exactly what `npm run gen:tests` writes today: the shards beside this
 * file compare every suite's content, test/hazards.test.ts every hazard trace; this file checks that
 * nothing else is committed and that `lsmc gen --manifest` itself writes what those compare.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { expect, it } from 'vitest';
import { hazardFile } from '../../src/gen/files.js';
import { differences, SHARDS, shardOf } from '../regenerate.js';
import { manifest, ROOT, suiteDir, TRACES } from '../support.js';

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

it('the committed tree holds one directory per manifest suite and one file per hazard, and nothing else', () => {
  const top = (f: string): string => f.split('/').slice(0, 2).join('/');
  const committed = [...new Set(files(TRACES).map((f) => (f.startsWith('suites/') ? top(f) : f)))].sort();
  const expected = [...manifest.suites.map((s) => `suites/${s.name}`), ...manifest.hazards.map((h) => `hazards/${hazardFile(h)}`)].sort();
  expect(committed).toEqual(expected);
});

it('every suite of the manifest is compared by one shard', () => {
  const shards = manifest.suites.map((s, i) => shardOf(s, i));
  for (const shard of SHARDS) expect(shards, shard).toContain(shard);
});

it('lsmc gen --manifest writes what the shards and the hazard tests compare, byte for byte', () => {
  // A manifest of one small suite and one hazard, beside copies of the models it names.
  const dir = mkdtempSync(join(tmpdir(), 'lsmc-gen-'));
  try {
    const suite = manifest.suites.find((s) => s.name === 'ownerKind=cgroup');
    const hazard = manifest.hazards.find((h) => h.number === 5);
    if (suite === undefined || hazard === undefined) throw new Error('model/suites.json has no ownerKind=cgroup suite or no hazard 5');
    for (const model of new Set([suite.model, hazard.model])) copyFileSync(join(ROOT, 'model', model), join(dir, model));
    writeFileSync(join(dir, 'hazards.json'), JSON.stringify({ hazards: [hazard] }));
    writeFileSync(join(dir, 'suites.json'), JSON.stringify({ suites: [suite], hazards: 'hazards.json' }));
    const out = join(dir, 'out');
    const run = spawnSync(process.execPath, [join(ROOT, 'bin/lsmc.js'), 'gen', '--manifest', join(dir, 'suites.json'), '--out', out], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^lsmc gen: 1 suites? and 1 hazard traces? -> /);
    const written = new Map(readdirSync(join(out, 'suites', suite.name)).map((f) => [f, readFileSync(join(out, 'suites', suite.name, f))]));
    expect(differences(suiteDir(suite.name), written)).toEqual([]);
    expect(readdirSync(join(out, 'hazards'))).toEqual([hazardFile(hazard)]);
    expect(readFileSync(join(out, 'hazards', hazardFile(hazard)), 'utf8')).toBe(readFileSync(join(TRACES, 'hazards', hazardFile(hazard)), 'utf8'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
