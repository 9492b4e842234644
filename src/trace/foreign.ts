/**
 * What a file handed to `lsmc replay` is when it is not an lsmc trace, so that the error can say
 * "this is a TLC text trace" instead of "Unexpected token 'E'". Recognition is by the marks each
 * tool's output always carries; a file that matches none is described by what it lacks.
 */

/** A phrase naming the format of a file that is not JSON, e.g. "a TLC text trace (...)", or null. */
export function recogniseText(bytes: Uint8Array): string | null {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return 'gzip-compressed data in a file whose name does not end in .gz';
  const head = new TextDecoder().decode(bytes.subarray(0, 4096));
  if (head.trim() === '') return 'an empty file';
  if (/^-{4,}\s*MODULE\s+\w+\s*-{4,}/m.test(head)) return 'a TLA+ module (TLC -dumpTrace tla writes a trace this way), not an ITF trace';
  if (/^State 1: <(Initial predicate|[^>]*)>/m.test(head) || /The behavior up to this point is:/.test(head) || /^\s*\/\\ \w+ = /m.test(head))
    return 'a TLC text trace (the error trace TLC prints); lsmc replays the ITF traces it writes (lsmc check --trace-out, lsmc gen)';
  if (/^(-?\d+:){2}-?\d+\s*$/m.test(head) && head.split('\n').every((l) => l.trim() === '' || /^-?\d+:-?\d+:-?\d+$/.test(l.trim())))
    return 'a Spin trail (pan -t reads it with its own model), not an ITF trace';
  if (/^Test \S+ (Allowed|Forbidden|Required)\s*$/m.test(head) && /^States \d+/m.test(head))
    return 'herd7 or litmus output (a litmus verdict), not a trace';
  return null;
}
import { ITF_SOURCE } from './itf.js';

type Json = unknown;

const has = (json: Json, key: string): boolean => typeof json === 'object' && json !== null && !Array.isArray(json) && Object.hasOwn(json, key);

/**
 * What a JSON document is when it is not an lsmc trace: another lsmc file (a model file, a manifest,
 * a coverage index, a check report) or another tool's trace (an ITF trace of another spec, TLC's JSON
 * dump). Null when nothing is recognised.
 */
export function recogniseJson(json: Json): string | null {
  if (has(json, '#meta') && has((json as { '#meta': unknown })['#meta'], 'source') && (json as { '#meta': { source: unknown } })['#meta'].source === ITF_SOURCE)
    return 'an lsmc trace (lsmc replay takes it)';
  if (has(json, 'bounds') && has(json, 'name')) return 'an lsmc model file (lsmc check and lsmc gen take it; lsmc replay takes the traces they write)';
  if (has(json, 'suites')) return 'an lsmc suite manifest (lsmc gen --manifest takes it)';
  if (has(json, 'mutants')) return 'a mutations file (npm run mutants -- --mutations takes it)';
  if (has(json, 'result') && has(json, 'distinctStates')) return 'the --json report of lsmc check (its "trace" field, written with --trace-out, is the trace)';
  if (has(json, 'producedBy') && has(json, 'goals')) return 'the coverage report of an lsmc gen suite (the traces are the *.itf.json files beside it)';
  if (has(json, 'state') && (has(json, 'action') || Array.isArray((json as { state: unknown }).state)))
    return "TLC's JSON trace dump (TLC -dumpTrace json), not an ITF trace";
  if (has(json, '#meta') && has(json, 'states')) {
    const meta = (json as { '#meta': unknown })['#meta'];
    const source = has(meta, 'source') ? String((meta as { source: unknown }).source) : null;
    const description = has(meta, 'description') ? String((meta as { description: unknown }).description) : '';
    const tool = /quint/i.test(description) || (source ?? '').endsWith('.qnt') ? 'Quint' : /apalache/i.test(description) ? 'Apalache' : null;
    return `an ITF trace of another spec${source === null ? '' : ` (${source}${tool === null ? '' : `, written by ${tool}`})`}`;
  }
  return null;
}
