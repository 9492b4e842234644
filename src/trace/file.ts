/** Writing a counterexample to a file, which may replace a trace lsmc wrote before and nothing else. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { checkOutputFile } from '../fs/output.js';
import { ITF_SOURCE, type ItfTrace, itfText } from './itf.js';

const isOurTrace = (path: string): boolean => {
  try {
    const json = JSON.parse(readFileSync(path, 'utf8')) as { '#meta'?: { source?: unknown } };
    return json['#meta']?.source === ITF_SOURCE;
  } catch {
    return false;
  }
};

/** Throws InputError (naming `flag`) unless `path` can take a counterexample; call before the run. */
export function guardTraceFile(flag: string, path: string): void {
  checkOutputFile(flag, path, isOurTrace, 'a trace lsmc wrote');
}

/** Where a counterexample went: `path`, or, when writing there failed, a fallback file and why. */
export type SavedTrace = { readonly path: string; readonly failed: string | null };

/**
 * Writes a counterexample (the same text lsmc gen writes for a trace). The place was checked before
 * the run, but a run is long: if the write fails now (the folder went away, the disk filled), the
 * trace goes to a new file in the system's temporary folder rather than being lost.
 */
export function writeTraceFile(path: string, itf: ItfTrace): SavedTrace {
  const text = itfText(itf);
  try {
    writeFileSync(path, text);
    return { path, failed: null };
  } catch (e) {
    const fallback = join(mkdtempSync(join(tmpdir(), 'lsmc-')), basename(path));
    writeFileSync(fallback, text);
    return { path: fallback, failed: (e as NodeJS.ErrnoException).code ?? String(e) };
  }
}
