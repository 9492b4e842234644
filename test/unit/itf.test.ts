/**
 * The ITF value grammar as src/trace/itf.ts reads and writes it: every form a trace uses, there and
 * back, and the file text a trace is written as.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Plain } from '../../spec/describe.js';
import { actionOf, fromItfValue, ITF_NONE, itfHeader, itfSome, itfText, type ItfValue, optionValue, parseItf, toItfValue } from '../../src/trace/itf.js';

/** Plain values as lsmc's states carry them: integers, strings, booleans, lists and records. */
const plain: fc.Arbitrary<Plain> = fc.letrec<{ v: Plain }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.integer(),
    fc.string(),
    fc.boolean(),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.string().filter((k) => !k.startsWith('#') && k !== 'tag' && k !== 'value' && k !== '__proto__'), tie('v'), { maxKeys: 4 }),
  ),
})).v;

describe('ITF values', () => {
  it('round-trips every plain value: integers as {"#bigint"}, lists, records, strings, booleans', () => {
    fc.assert(
      fc.property(plain, (v) => {
        expect(fromItfValue(toItfValue(v))).toEqual(v);
      }),
    );
  });

  it('writes integers as decimal strings, negative and zero included', () => {
    expect(toItfValue(-1)).toEqual({ '#bigint': '-1' });
    expect(toItfValue(0)).toEqual({ '#bigint': '0' });
    expect(fromItfValue({ '#bigint': '12345678901' })).toBe(12345678901);
  });

  it('reads a tuple as a list of its decoded members', () => {
    expect(fromItfValue({ '#tup': [{ '#bigint': '1' }, 'a', { '#tup': [] }] })).toEqual([1, 'a', []]);
  });

  it('reads a variant as its tag and decoded payload, and an Option through optionValue', () => {
    const some = fromItfValue(itfSome({ '#bigint': '3' }));
    expect(some).toEqual({ tag: 'Some', value: 3 });
    expect(optionValue(some)).toBe(3);
    expect(fromItfValue(ITF_NONE)).toEqual({ tag: 'None', value: [] });
    expect(optionValue(fromItfValue(ITF_NONE))).toBeUndefined();
    // A record that happens to have a tag field and more is a record, not an Option.
    expect(optionValue({ tag: 'Some', value: 1, other: 2 })).toBeUndefined();
    expect(optionValue('Some')).toBeUndefined();
  });

  it('reads a step: the action taken and the Some picks, None left out', () => {
    const state: Record<string, ItfValue> = {
      'mbt::actionTaken': 'K1.update',
      'mbt::nondetPicks': { owner: itfSome('A'), value: itfSome({ '#bigint': '2' }), index: ITF_NONE },
    };
    expect(actionOf(state)).toEqual({ taken: 'K1.update', picks: { owner: 'A', value: 2 } });
  });

  it('accepts every form in a trace and refuses a malformed integer with the field named', () => {
    const good = { '#meta': {}, vars: ['x'], states: [{ x: { '#tup': [ITF_NONE, itfSome('a'), [{ '#bigint': '-7' }], { r: true }] } }] };
    expect(parseItf(good).ok).toBe(true);
    const bad = parseItf({ '#meta': {}, vars: ['x'], states: [{ x: { '#bigint': '1.5' } }] });
    expect(bad).toEqual({ ok: false, problem: { field: 'states[0].x', expected: 'an ITF value' } });
  });

  it('writes a trace file as JSON with one state per line, and reads back the same trace', () => {
    const trace = { '#meta': itfHeader({ description: 'd' }), vars: ['x'], states: [{ x: toItfValue(1) }, { x: toItfValue([1, 2]) }], loop: 1 };
    const text = itfText(trace);
    expect(text.split('\n')).toHaveLength(trace.states.length + 3);
    expect(JSON.parse(text)).toEqual(trace);
    expect(Object.keys(trace['#meta']).slice(0, 3)).toEqual(['format', 'format-description', 'source']);
  });
});
