/**
 * `npm run mutants -- --mutations FILE`: mutants of one's own, so that a reviewer can score the
 * suite against mutations it was not tuned to. The file has the shape of src/mutants/list.ts, and
 * every edit is checked against the source before anything runs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../model/config.js';
import { parseJson, readJson } from '../model/json-file.js';
import type { Mutant } from './list.js';
import { applyEdits } from './prepare.js';

const EXAMPLE = `{ "mutants": [ { "id": "X01-gen-not-compared", "about": "...", "file": "reader.ts", "edits": [ { "find": "...", "replace": "..." } ] } ] }`;

function schemaFor(files: readonly string[]) {
  const text = (what: string) => z.string({ error: what });
  return z
    .object({
      description: text('a string').optional(),
      mutants: z
        .array(
          z
            .object({
              id: text('a string').regex(/^[A-Za-z0-9._-]+$/, 'an id of letters, digits and . _ - (it names a directory)'),
              hazard: z.number({ error: 'a hazard number of design.md section 7, or null' }).int().min(1).max(13).nullable().optional(),
              about: text('a sentence saying what the mutation does'),
              file: z.enum(files, { error: `a file of src/reference/: ${files.join(', ')}` }),
              edits: z.array(z.object({ find: text('the source text to replace').min(1, 'text to find, not empty'), replace: text('the text to put in its place') }).strict(), { error: 'a list of edits' }).min(1, 'at least one edit'),
            })
            .strict(),
          { error: `a list of mutants, e.g. ${EXAMPLE}` },
        )
        .min(1, 'at least one mutant'),
    })
    .strict();
}

/** The mutants of `path`, each edit found exactly once in its file of `referenceDir`. */
export function loadMutations(path: string, referenceDir: string): Mutant[] {
  const files = readdirSync(referenceDir).filter((f) => f.endsWith('.ts')).sort();
  const parsed = parseJson(path, schemaFor(files), readJson(path));
  const ids = new Set<string>(['control']); // the unmutated run's directory
  return parsed.mutants.map((m, i) => {
    if (ids.has(m.id)) throw new InputError(path, `mutants[${i}].id`, `an id no other mutant has (${m.id} is taken)`);
    ids.add(m.id);
    const mutant: Mutant = { id: m.id, hazard: m.hazard ?? null, about: m.about, file: m.file, edits: m.edits };
    const edited = applyEdits(readFileSync(join(referenceDir, m.file), 'utf8'), mutant);
    if (!edited.ok) throw new InputError(path, `mutants[${i}].edits[${edited.edit}].find`, `text that occurs exactly once in src/reference/${m.file} (it occurs ${edited.occurs} times)`);
    return mutant;
  });
}
