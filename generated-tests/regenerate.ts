/**
 * The byte-for-byte check that the committed traces are what `npm run gen:tests` writes today,
 * split so that vitest's workers share it: each shard file under up-to-date/ regenerates some of the
 * manifest's suites in-process, through the same function `lsmc gen --manifest` calls, and compares
 * them with the committed files. The hazard traces are compared in test/hazards.test.ts, from the
 * one check that also tests their verdicts; listing.test.ts checks that nothing else is committed
 * and that the command itself writes what the library gives.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { expect, it } from 'vitest';
import type { SuiteEntry } from '../src/gen/manifest.js';
import { manifestSuite } from '../src/gen/files.js';
import { readText } from '../src/gen/write.js';
import { manifest, suiteDir } from './support.js';

/** The shards, by cost: the reference suite alone, the reads variants in two halves, the allocator's, the arithmetic ones (pages, cursors, retries). */
export const SHARDS = ['reference', 'reads-1', 'reads-2', 'allocator', 'arithmetic'] as const;
export type Shard = (typeof SHARDS)[number];

export function shardOf(entry: SuiteEntry, position: number): Shard {
  if (entry.model === 'reference.json') return 'reference';
  if (entry.model === 'allocator.json') return 'allocator';
  if (['pages.json', 'cursors.json', 'retries.json'].includes(entry.model)) return 'arithmetic';
  return position % 2 === 0 ? 'reads-1' : 'reads-2';
}

/** The names in `dir` whose content differs from `files`, or that only one of them has. */
export function differences(dir: string, files: ReadonlyMap<string, string | Buffer>): string[] {
  const committed = readdirSync(dir).sort();
  const names = [...new Set([...committed, ...files.keys()])].sort();
  return names.filter((name) => {
    const fresh = files.get(name);
    if (fresh === undefined || !committed.includes(name)) return true;
    const path = join(dir, name);
    // A compressed trace is compared on its text: the same text may compress differently under another zlib.
    if (name.endsWith('.gz')) return readText(path) !== gunzipText(fresh);
    return !readFileSync(path).equals(Buffer.from(fresh));
  });
}

function gunzipText(content: string | Buffer): string {
  return typeof content === 'string' ? content : gunzipSync(content).toString('utf8');
}

/** One test per suite of `shard`: regenerated, it gives the committed files byte for byte. */
export function regenerates(shard: Shard): void {
  manifest.suites.forEach((entry, position) => {
    if (shardOf(entry, position) !== shard) return;
    it(`suite ${entry.name} regenerates byte for byte`, () => {
      const run = manifestSuite(entry, manifest.modelDir);
      if ('interrupted' in run) throw new Error('interrupted');
      expect(differences(suiteDir(entry.name), run.files), 'run `npm run gen:tests` and commit the result').toEqual([]);
    }, 600_000);
  });
}
