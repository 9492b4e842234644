/** Writing a counterexample to a file, which may replace a trace lsmc wrote before and nothing else. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { InputError } from '../model/config.js';
import { ITF_SOURCE, type ItfTrace, itfText } from './itf.js';

/** Throws InputError (naming `flag`) when `path` exists and is not an lsmc trace; call before the run. */
export function guardTraceFile(flag: string, path: string): void {
  if (!existsSync(path)) return;
  let ours = false;
  try {
    const json = JSON.parse(readFileSync(path, 'utf8')) as { '#meta'?: { source?: unknown } };
    ours = json['#meta']?.source === ITF_SOURCE;
  } catch {
    ours = false;
  }
  if (!ours) throw new InputError(flag, path, 'a new file or a trace lsmc wrote (refusing to overwrite another file)');
}

/** A counterexample file: the same text lsmc gen writes for a trace. */
export function writeTraceFile(path: string, itf: ItfTrace): void {
  writeFileSync(path, itfText(itf));
}
