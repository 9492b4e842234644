import { ofItf } from '@informalsystems/quint/dist/src/itf.js';
import { describe, expect, it } from 'vitest';
import { explore } from '../checker/explore.js';
import { buildSpec } from '../spec/index.js';
import { INVARIANTS } from '../spec/invariants.js';
import { fromItfValue, type ItfTrace, parseItf, toItfValue } from '../src/trace/itf.js';
import { check, configOf, HAZARDS } from './support/models.js';

const FAST = HAZARDS.filter((h) => [3, 8, 11, 12, 13].includes(h.number));

describe('counterexample traces', () => {
  for (const h of FAST) {
    it(`hazard ${h.number}: the rebuilt path replays step by step from the initial state and ends by breaking ${h.invariant}`, () => {
      const config = configOf(h.model, h.set);
      const spec = buildSpec(config);
      const bit = INVARIANTS.findIndex((i) => i.name === h.invariant);
      const live = h.invariant === 'reader-progress';
      const r = explore(spec, { invariantMask: live ? 0 : 1 << bit, liveness: live ? [h.invariant] : [], checkDeadlock: false, symmetry: true });
      if (r.kind !== 'violation') throw new Error(`expected a violation, got ${r.kind}`);
      let state = new Uint8Array(spec.stateBytes);
      spec.init(state);
      let lastBad = 0;
      const seen: string[] = [state.join()];
      for (const a of r.path.actions) {
        const next = new Uint8Array(spec.stateBytes);
        lastBad = spec.step(a, state, next);
        expect(lastBad).toBeGreaterThanOrEqual(0);
        state = next;
        seen.push(state.join());
      }
      if (live) {
        // The last state steps back to the loop's first state: a real cycle, in the same concrete state.
        const loop = r.path.loop as number;
        expect(loop).toBeLessThan(seen.length - 1);
        expect(seen[seen.length - 1]).toBe(seen[loop]);
      } else if (INVARIANTS[bit].kind === 'step') {
        expect(lastBad & (1 << bit)).not.toBe(0);
      } else {
        expect(spec.violations(state, 1 << bit)).not.toBe(0);
      }
    });
  }

});

describe('ITF', () => {
  const report = check(configOf('hazard-12-create-race.json', { createRace: 'unlocked' }), ['no-leak']);
  const itf = report.itf as ItfTrace;

  it('writes #meta, vars, states with mbt::actionTaken and mbt::nondetPicks, integers as #bigint', () => {
    expect(itf['#meta'].invariant).toBe('no-leak');
    expect(itf['#meta'].config).toMatchObject({ createRace: 'unlocked', owners: 1 });
    expect(itf.vars).toEqual(expect.arrayContaining(['slots', 'owners', 'mbt::actionTaken', 'mbt::nondetPicks']));
    for (const [i, st] of itf.states.entries()) {
      for (const v of itf.vars) expect(st).toHaveProperty([v]);
      expect(st['#meta']).toEqual({ index: { '#bigint': String(i) } });
    }
    expect(itf.states[1]['mbt::actionTaken']).toMatch(/^[A-Z]\d?\./);
    expect(JSON.stringify(itf.states)).not.toMatch(/:\s*-?\d+[,}\]]/);
  });

  it("is accepted by Quint's own ITF reader", () => {
    const json = JSON.parse(JSON.stringify(itf));
    const states = ofItf(json);
    expect(states).toHaveLength(itf.states.length);
  });

  it('round-trips through our reader', () => {
    const parsed = parseItf(JSON.parse(JSON.stringify(itf)));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const vars = report.trace?.states.map((s) => s.vars);
    const back = parsed.trace.states.map((st) => Object.fromEntries(Object.keys(vars?.[0] ?? {}).map((k) => [k, fromItfValue(st[k])])));
    expect(back).toEqual(vars);
    expect(fromItfValue(toItfValue({ a: [1, -1, 'x', true] }))).toEqual({ a: [1, -1, 'x', true] });
  });

  it('rejects a document that is not a trace, naming the field', () => {
    const bad = parseItf({ '#meta': {}, vars: ['x'], states: [{ y: 1 }] });
    expect(bad).toEqual({ ok: false, problem: { field: 'states[0].x', expected: 'a value for every variable in "vars"' } });
    const worse = parseItf({ vars: [] });
    expect(worse.ok).toBe(false);
  });
});
