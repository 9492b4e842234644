/**
 * Writing generated traces into a directory, so that regenerating gives the same bytes and nothing a
 * user wrote is lost: a directory is only written into if everything in it was written by lsmc gen,
 * and files lsmc gen wrote before that the new suite no longer has are removed.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { checkOutputDir } from '../fs/output.js';
import { InputError } from '../model/config.js';

export const PRODUCER = 'lsmc gen';

/** A JSON document as lsmc writes it: one space of indent, a final newline. */
export const jsonText = (value: unknown): string => `${JSON.stringify(value, null, 1)}\n`;

/** The text of a file lsmc reads: gzip-compressed when its name ends in .gz. */
export function readText(path: string): string {
  const bytes = readFileSync(path);
  return (path.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
}

function ours(path: string): boolean {
  if (!path.endsWith('.json') && !path.endsWith('.json.gz')) return false;
  try {
    const json = JSON.parse(readText(path)) as { '#meta'?: { producedBy?: unknown }; producedBy?: unknown };
    return json['#meta']?.producedBy === PRODUCER || json.producedBy === PRODUCER;
  } catch {
    return false;
  }
}

/** Refuses a directory holding anything lsmc gen did not write (directories are searched). */
export function guardOutDir(dir: string): void {
  checkOutputDir('--out', dir);
  if (!existsSync(dir)) return;
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (!ours(full)) throw new InputError('--out', dir, `a new directory or one lsmc gen wrote (${full} is not a file lsmc gen wrote; refusing to overwrite or remove it)`);
    }
  };
  walk(dir);
}

/** Writes `files` (name -> content) into `dir`, removing the files lsmc gen wrote there before that are not among them. */
export function writeFiles(dir: string, files: ReadonlyMap<string, string | Buffer>): void {
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (!statSync(full).isDirectory() && !files.has(name) && ours(full)) rmSync(full);
  }
  for (const [name, text] of files) writeFileSync(join(dir, name), text);
}
