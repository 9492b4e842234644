/**
 * A mutant's own copy of the built project: dist/ copied under .mutants/<id>/ (so that packages
 * still resolve from the project's node_modules), with the mutated reference source transpiled
 * over the original module.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import type { Mutant } from './list.js';

export const MUTANTS_DIR = '.mutants';

export type Edited = { readonly ok: true; readonly source: string } | { readonly ok: false; readonly edit: number; readonly occurs: number };

/** The mutated source, or the first edit whose text does not occur exactly once in the source as the edits before it left it. */
export function applyEdits(source: string, mutant: Mutant): Edited {
  let out = source;
  for (const [i, edit] of mutant.edits.entries()) {
    const at = out.indexOf(edit.find);
    if (at < 0 || out.indexOf(edit.find, at + 1) >= 0) return { ok: false, edit: i, occurs: out.split(edit.find).length - 1 };
    out = out.slice(0, at) + edit.replace + out.slice(at + edit.find.length);
  }
  return { ok: true, source: out };
}

/** Builds .mutants/<id>/dist with `mutant` applied (or none: the unmutated control); returns the dist path. */
export function prepareMutant(root: string, id: string, mutant: Mutant | null): string {
  const dir = join(root, MUTANTS_DIR, id);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const dist = join(dir, 'dist');
  cpSync(join(root, 'dist'), dist, { recursive: true });
  if (mutant !== null) {
    const edited = applyEdits(readFileSync(join(root, 'src', 'reference', mutant.file), 'utf8'), mutant);
    if (!edited.ok) throw new Error(`mutant ${mutant.id}: edit ${edited.edit} must occur exactly once in src/reference/${mutant.file}, not ${edited.occurs} times`);
    const js = ts.transpileModule(edited.source, { compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 }, fileName: mutant.file }).outputText;
    writeFileSync(join(dist, 'src', 'reference', mutant.file.replace(/\.ts$/, '.js')), js);
  }
  return dist;
}

export function cleanMutants(root: string): void {
  rmSync(join(root, MUTANTS_DIR), { recursive: true, force: true });
}
