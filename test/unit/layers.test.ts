/**
 * The module boundaries that keep the next implementation cheap to add: nothing outside spec/
 * reaches into the spec's packed state or its step functions, and nothing outside src/cli/ imports
 * the command line (library functions return data; the CLI parses, calls and renders).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The spec's insides: its context and scratch, the packed layout, the step functions, symmetry. */
const SPEC_INTERNALS = ['context', 'layout', 'kernel', 'reader', 'owner', 'codes', 'counters', 'allocator', 'current', 'actions', 'symmetry'];

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...sources(full));
    else if (name.endsWith('.ts')) out.push(full);
  }
  return out;
}

/** Every module a file imports, as a path from the project's root. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s+'([^']+)'/g)) {
    if (!m[1].startsWith('.')) continue;
    out.push(relative(ROOT, resolve(dirname(file), m[1])).replace(/\.js$/, ''));
  }
  return out;
}

const LIBRARY = ['src', 'checker', 'bench'].flatMap((d) => sources(join(ROOT, d)));

describe('module boundaries', () => {
  it('nothing outside spec/ imports the spec internals', () => {
    const offending = LIBRARY.flatMap((f) => importsOf(f).filter((m) => SPEC_INTERNALS.some((x) => m === `spec/${x}`)).map((m) => `${relative(ROOT, f)} imports ${m}`));
    expect(offending).toEqual([]);
  });

  it('nothing outside src/cli/ imports src/cli/', () => {
    const outside = [...LIBRARY, ...sources(join(ROOT, 'test')), ...sources(join(ROOT, 'generated-tests'))].filter((f) => !relative(ROOT, f).startsWith('src/cli/'));
    const offending = outside.flatMap((f) => importsOf(f).filter((m) => m.startsWith('src/cli/')).map((m) => `${relative(ROOT, f)} imports ${m}`));
    expect(offending).toEqual([]);
  });

  it('the checker knows nothing of the spec', () => {
    const offending = sources(join(ROOT, 'checker')).flatMap((f) => importsOf(f).filter((m) => !m.startsWith('checker/')).map((m) => `${relative(ROOT, f)} imports ${m}`));
    expect(offending).toEqual([]);
  });

  it('the rule sees imports: this file would be caught importing an internal', () => {
    expect(importsOf(join(ROOT, 'src/replay/replay.ts'))).toContain('spec/index');
  });
});
