/** Files that are not lsmc traces are named by what they are: another tool's trace, or another lsmc file. */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { recogniseJson, recogniseText } from '../../src/trace/foreign.js';
import { itfHeader } from '../../src/trace/itf.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('recogniseText', () => {
  const cases: [string, string, RegExp][] = [
    ['TLC error trace', 'Error: Invariant Safe is violated.\nError: The behavior up to this point is:\nState 1: <Initial predicate>\n/\\ seq = 0\n', /^a TLC text trace/],
    ['TLC state without the preamble', 'State 1: <Init line 3, col 1 to line 4, col 9 of module M>\n/\\ x = 1\n', /^a TLC text trace/],
    ['TLA+ trace module', '---- MODULE Trace ----\nEXTENDS M\n====\n', /^a TLA\+ module/],
    ['Spin trail', '-2:2:-2\n-4:-4:-4\n1:0:1\n2:0:2\n', /^a Spin trail/],
    ['herd7 verdict', 'Test MP Allowed\nStates 4\n0:r0=0; 1:r0=0;\nOk\n', /^herd7 or litmus output/],
    ['empty file', ' \n', /^an empty file$/],
  ];
  for (const [name, text, want] of cases) it(name, () => expect(recogniseText(bytes(text))).toMatch(want));
  it('gzip data under a name without .gz', () => expect(recogniseText(gzipSync('{}'))).toMatch(/^gzip-compressed/));
  it('text it does not know', () => expect(recogniseText(bytes('not json at all'))).toBeNull());
});

describe('recogniseJson', () => {
  it('an lsmc trace, and ITF traces of other specs with their source and tool', () => {
    expect(recogniseJson({ '#meta': itfHeader({}), vars: [], states: [] })).toMatch(/^an lsmc trace/);
    expect(recogniseJson({ '#meta': { format: 'ITF', source: 'Lsm.qnt' }, vars: ['x'], states: [] })).toBe('an ITF trace of another spec (Lsm.qnt, written by Quint)');
    expect(recogniseJson({ '#meta': { source: 'Lsm.tla', description: 'Created by Apalache on Tue' }, vars: ['x'], states: [] })).toBe('an ITF trace of another spec (Lsm.tla, written by Apalache)');
    expect(recogniseJson({ '#meta': {}, vars: ['x'], states: [] })).toBe('an ITF trace of another spec');
  });
  it("TLC's JSON dump and lsmc's other files", () => {
    expect(recogniseJson({ action: 'Init', state: { x: 1 } })).toMatch(/^TLC's JSON trace dump/);
    expect(recogniseJson({ name: 'reference', description: '', bounds: {} })).toMatch(/^an lsmc model file/);
    expect(recogniseJson({ suites: [] })).toMatch(/^an lsmc suite manifest/);
    expect(recogniseJson({ mutants: [] })).toMatch(/^a mutations file/);
    expect(recogniseJson({ result: 'ok', distinctStates: 3 })).toMatch(/lsmc check/);
  });
  it('JSON it does not know', () => expect(recogniseJson({ hello: 1 })).toBeNull());
});
