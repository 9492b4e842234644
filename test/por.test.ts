/**
 * Partial-order reduction (spec/persistent.ts) keeps every verdict: on many small configurations,
 * with symmetry and without, on the fast spec and the literal twin, the reduced and full
 * explorations break and hold the same properties; each reduced counterexample is a real path of
 * the unreduced spec that breaks its property at its end, and at most the documented slack longer
 * than the true shortest. An oracle checks the rule itself: from random reachable states, the
 * action it names commutes with everything other actors can do first.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEADLOCK, explore, type ExploreOptions } from '../checker/explore.js';
import type { Spec } from '../checker/spec.js';
import { type Broken, breaks } from '../checker/trim.js';
import { type CheckReport, runCheck } from '../src/check/run.js';
import { buildSpec } from '../spec/index.js';
import { INVARIANTS } from '../spec/invariants.js';
import { KNOBS, type KnobName } from '../spec/knobs.js';
import { reducedPathSlack } from '../spec/persistent.js';
import { configOf, HAZARDS } from './support/models.js';

type Config = ReturnType<typeof configOf>;

const everything = (config: Config, partialOrder: boolean, symmetry = true): CheckReport =>
  runCheck({ config, model: 'por', invariants: [], symmetry, partialOrder, continueAfterViolation: true, rerun: '' });

/** Every invariant and deadlock, going on after violations: the broken ones with their paths. */
function exploreAll(spec: Spec, partialOrder: boolean, symmetry: boolean) {
  const r = explore(spec, { invariantMask: (1 << spec.invariants.length) - 1, liveness: [], checkDeadlock: true, symmetry, partialOrder, continueAfterViolation: true });
  const violations = r.kind === 'violation' ? r.violations : [];
  return { stats: r.stats, complete: r.kind === 'ok' || (r.kind === 'violation' && r.stopped === null), violations };
}

const brokenOf = (spec: Spec, invariant: string): Broken => {
  if (invariant === DEADLOCK) return { kind: 'deadlock' };
  const i = spec.invariants.findIndex((inv) => inv.name === invariant);
  return { kind: spec.invariants[i].kind, bit: 1 << i };
};

/** The reduced run agrees with the full one; returns both state counts. */
function agree(config: Config, label: string, symmetry = true): { full: number; reduced: number } {
  const spec = buildSpec(config);
  const full = exploreAll(spec, false, symmetry);
  const reduced = exploreAll(spec, true, symmetry);
  expect(reduced.stats.partialOrder, label).toBe(true);
  expect(full.stats.partialOrder, label).toBe(false);
  expect(reduced.complete && full.complete, label).toBe(true);
  expect(reduced.violations.map((v) => v.invariant).sort(), label).toEqual(full.violations.map((v) => v.invariant).sort());
  expect(reduced.stats.distinctStates, label).toBeLessThanOrEqual(full.stats.distinctStates);
  const slack = reducedPathSlack(spec.ctx);
  for (const v of reduced.violations) {
    const shortest = full.violations.find((f) => f.invariant === v.invariant);
    if (shortest === undefined) throw new Error(`${label}: ${v.invariant} broken only when reduced`);
    expect(breaks(spec, v.path.actions, brokenOf(spec, v.invariant)), `${label} ${v.invariant}`).toBe(true);
    const [n, m] = [v.path.actions.length, shortest.path.actions.length];
    expect(n, `${label} ${v.invariant}`).toBeGreaterThanOrEqual(m);
    expect(n, `${label} ${v.invariant}`).toBeLessThanOrEqual(m + slack);
  }
  return { full: full.stats.distinctStates, reduced: reduced.stats.distinctStates };
}

/** Every value of every knob on a model's bounds, the model as given first. */
function variantsOf(model: string): [string, Config][] {
  const out: [string, Config][] = [[model, configOf(model)]];
  for (const [knob, { values }] of Object.entries(KNOBS) as [KnobName, { values: readonly string[] }][])
    for (const value of values) {
      const config = configOf(model, { [knob]: value });
      if (knob === 'ownerIdentity' && config.knobs.ownerKind !== 'task') continue;
      if (buildSpec(config).mayCycle) continue;
      out.push([`${model} ${knob}=${value}`, config]);
    }
  return out;
}

describe('partial-order reduction', () => {
  it('gives the same verdicts as the full exploration on 40+ small configurations, and fewer states', () => {
    let configurations = 0;
    let smaller = 0;
    for (const model of ['hazard-12-create-race.json', 'hazard-03-link-then-init.json'])
      for (const [label, config] of variantsOf(model)) {
        const { full, reduced } = agree(config, label);
        if (reduced < full) smaller++;
        configurations++;
      }
    expect(configurations).toBeGreaterThanOrEqual(40);
    // Exits are persistent in most configurations; with a create guard only once budgets are spent.
    expect(smaller).toBeGreaterThan(configurations / 2);
  }, 600_000);

  it('agrees without symmetry too, and on the literal twin', () => {
    for (const [label, config] of variantsOf('hazard-12-create-race.json').slice(0, 12)) agree(config, `${label} (no symmetry)`, false);
    for (const model of ['hazard-12-create-race.json', 'hazard-03-link-then-init.json']) {
      const spec = buildSpec(configOf(model, { kernelOps: 1, readerOps: 1 }), { literal: true });
      const all = (1 << INVARIANTS.length) - 1;
      const run = (partialOrder: boolean) => {
        const options: ExploreOptions = { invariantMask: all, liveness: [], checkDeadlock: true, symmetry: true, partialOrder, continueAfterViolation: true };
        const r = explore(spec, options);
        return { broken: r.kind === 'violation' ? r.violations.map((v) => v.invariant).sort() : [], kind: r.kind, states: r.stats.distinctStates };
      };
      const [full, reduced] = [run(false), run(true)];
      expect(reduced.broken, model).toEqual(full.broken);
      expect(reduced.kind, model).toBe(full.kind);
      expect(reduced.states, model).toBeLessThan(full.states);
    }
  }, 600_000);

  it('reproduces every hazard, within the slack of its true shortest counterexample', () => {
    for (const h of HAZARDS) {
      const config = configOf(h.model, h.set);
      const spec = buildSpec(config);
      if (spec.mayCycle) continue;
      const full = runCheck({ config, model: h.model, invariants: [h.invariant], symmetry: true, partialOrder: false, rerun: '' });
      const reduced = runCheck({ config, model: h.model, invariants: [h.invariant], symmetry: true, partialOrder: true, rerun: '' });
      expect(reduced.invariant, h.name).toBe(h.invariant);
      const [n, m] = [reduced.trace?.states.length ?? 0, full.trace?.states.length ?? 0];
      expect(n, h.name).toBeGreaterThanOrEqual(m);
      expect(n, h.name).toBeLessThanOrEqual(m + reducedPathSlack(spec.ctx));
      expect(reduced.notes.some((note) => note.startsWith('found with partial-order reduction')), h.name).toBe(true);
    }
  }, 600_000);

  it('names only actions that commute with everything other actors can do before them, and that no invariant sees', () => {
    const models = ['hazard-12-create-race.json', 'hazard-03-link-then-init.json', 'hazard-08-index-reuse.json'];
    const sets: Record<string, string | number>[] = [{}, { createGuard: 'no' }, { ownerIdentity: 'pid' }, { ownerKind: 'cgroup' }, { kernelOps: 1 }];
    const specs = models.flatMap((m) => sets.map((s) => buildSpec(configOf(m, s))));
    let checkedStates = 0;
    fc.assert(
      fc.property(fc.nat({ max: specs.length - 1 }), fc.array(fc.nat(), { minLength: 1, maxLength: 40 }), (which, walk) => {
        const spec = specs[which];
        let s: Uint8Array = new Uint8Array(spec.stateBytes);
        spec.init(s);
        for (const pick of walk) {
          const alpha = spec.persistentAction(s);
          if (alpha >= 0) {
            commutes(spec, s, alpha, 3);
            checkedStates++;
          }
          const enabled = successors(spec, s);
          if (enabled.length === 0) break;
          s = enabled[pick % enabled.length][1];
        }
      }),
      { numRuns: 150, seed: 14 },
    );
    expect(checkedStates).toBeGreaterThan(100);
  }, 600_000);

  it('is off where it could not keep a verdict: with hooks that count transitions, and with infinite behaviours', () => {
    const config = configOf('hazard-12-create-race.json');
    const spec = buildSpec(config);
    const options: ExploreOptions = { invariantMask: 0, liveness: [], checkDeadlock: false, symmetry: true, partialOrder: true };
    expect(explore(spec, options).stats.partialOrder).toBe(true);
    expect(explore(spec, { ...options, onStep: () => {} }).stats.partialOrder).toBe(false);
    expect(explore(spec, { ...options, onNewState: () => {} }).stats.partialOrder).toBe(false);
    const livelock = runCheck({ config: configOf('livelock.json', { readRetry: 'unbounded' }), model: 'livelock', invariants: ['no-leak'], symmetry: true, partialOrder: true, rerun: '' });
    expect(livelock.stats.partialOrder).toBe(false);
    expect(livelock.notes.some((n) => n.startsWith('partial-order reduction is off for this run'))).toBe(true);
  }, 120_000);

  it('gives the same counts and counterexamples run after run', () => {
    const config = configOf('hazard-03-link-then-init.json', { linkOrder: 'link-then-init', validation: 'none' });
    const [a, b] = [everything(config, true), everything(config, true)];
    expect(b.stats.distinctStates).toBe(a.stats.distinctStates);
    expect(b.stats.transitions).toBe(a.stats.transitions);
    expect(b.stats.persistentStates).toBe(a.stats.persistentStates);
    expect(b.violations.map((v) => v.itf)).toEqual(a.violations.map((v) => v.itf));
  }, 120_000);
});

function successors(spec: Spec, s: Uint8Array): [number, Uint8Array, number][] {
  const out: [number, Uint8Array, number][] = [];
  for (let a = 0; a < spec.actionCount; a++) {
    const to = new Uint8Array(spec.stateBytes);
    const r = spec.step(a, s, to);
    if (r >= 0) out.push([a, to, r]);
  }
  return out;
}

const same = (x: Uint8Array, y: Uint8Array): boolean => x.length === y.length && x.every((v, i) => v === y[i]);

/**
 * From every state t that actors other than alpha's reach from s in at most `depth` steps: alpha is
 * enabled with the result it has in s, breaks no step invariant and changes no state invariant's
 * verdict, and commutes with every action beta enabled in t (either order gives the same state, and
 * each step the same result).
 */
function commutes(spec: Spec & { persistentAction(s: Uint8Array): number }, s: Uint8Array, alpha: number, depth: number): void {
  const actor = spec.actorOf(alpha);
  const all = (1 << spec.invariants.length) - 1;
  const alphaAt = new Uint8Array(spec.stateBytes);
  const expected = spec.step(alpha, s, alphaAt);
  expect(expected).toBeGreaterThanOrEqual(0);
  expect(expected & 0xffff).toBe(0);
  let frontier = [s];
  const seen = new Set<string>();
  for (let d = 0; d <= depth && frontier.length > 0; d++) {
    const next: Uint8Array[] = [];
    for (const t of frontier) {
      const key = t.join(',');
      if (seen.has(key)) continue;
      seen.add(key);
      const at = new Uint8Array(spec.stateBytes);
      expect(spec.step(alpha, t, at)).toBe(expected);
      expect(spec.violations(at, all)).toBe(spec.violations(t, all));
      for (const [beta, bt, rb] of successors(spec, t)) {
        if (spec.actorOf(beta) === actor) continue;
        const bat = new Uint8Array(spec.stateBytes);
        expect(spec.step(beta, at, bat)).toBe(rb);
        const abt = new Uint8Array(spec.stateBytes);
        expect(spec.step(alpha, bt, abt)).toBe(expected);
        expect(same(abt, bat)).toBe(true);
        next.push(bt);
      }
      // An action of another actor that alpha would enable must not be waiting on it either.
      for (const [beta] of successors(spec, at))
        if (spec.actorOf(beta) !== actor) {
          const probe = new Uint8Array(spec.stateBytes);
          expect(spec.step(beta, t, probe) >= 0, `action ${beta} enabled only after the persistent action`).toBe(true);
        }
    }
    frontier = next;
  }
}
