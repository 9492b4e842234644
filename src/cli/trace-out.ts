/** The stderr line of `--trace-out` / `--out`: where the counterexample went, or why nothing was written. */
import type { ItfTrace } from '../trace/itf.js';
import { writeTraceFile } from '../trace/file.js';
import { prefix } from './command.js';

export function writeCounterexample(flag: string, out: string, itf: ItfTrace | null): void {
  if (itf === null) {
    process.stderr.write(`${prefix()}: no counterexample, nothing written to ${out}\n`);
    return;
  }
  const saved = writeTraceFile(out, itf);
  if (saved.failed === null) process.stderr.write(`${prefix()}: counterexample written to ${out} (ITF)\n`);
  else process.stderr.write(`${prefix()}: ${flag}: could not write ${out} (${saved.failed}); the counterexample is in ${saved.path} (ITF)\n`);
}

/** With --continue, the file for one invariant's counterexample: `stale.itf.json` -> `stale.no-leak.itf.json`. */
export function traceFileFor(file: string, invariant: string): string {
  const stem = file.replace(/(\.itf)?\.json$/, '');
  return `${stem}.${invariant}.itf.json`;
}
