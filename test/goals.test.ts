/**
 * The pair, continuation, write and sequence goals of the committed suites mean what they say,
 * checked on the traces themselves, with the actors' real names that the generator (under
 * symmetry) never had: a pair trace's last two steps are by different actors and are the pair's
 * operations; a continuation trace ends in a step that reads what its goal's step changed; a write
 * trace's last step is the goal's step and moves the variable it names; a sequence trace ends an
 * operation of the lone kernel context or reader whose previous operation is the goal's first.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { consumersOf, goalName } from '../spec/coverage.js';
import { loadManifest } from '../src/gen/manifest.js';
import { generationSpec } from '../src/gen/suite.js';
import type { StepName } from '../spec/steps.js';
import { readText } from '../src/gen/write.js';
import { configOf, ROOT } from './support/models.js';

interface Trace {
  readonly goal: string;
  readonly actions: readonly string[];
  readonly states: readonly Record<string, unknown>[];
}

function traces(suite: string): Trace[] {
  const dir = join(ROOT, 'generated-tests/traces/suites', suite);
  return readdirSync(dir)
    .filter((f) => f.includes('.itf.json'))
    .sort()
    .map((f) => {
      const t = JSON.parse(readText(join(dir, f))) as { '#meta': { goal: string }; states: ({ 'mbt::actionTaken': string } & Record<string, unknown>)[] };
      return { goal: t['#meta'].goal, actions: t.states.slice(1).map((s) => s['mbt::actionTaken']), states: t.states };
    });
}

const actor = (a: string): string => a.slice(0, a.indexOf('.'));
const step = (a: string): string => a.slice(a.indexOf('.') + 1);
const PAIR = /^(\S+) -> (\S+), then another actor's (\S+) -> (\S+)$/;

describe('pair and continuation goals', () => {
  for (const suite of ['reference', 'pages', 'cursors', 'retries']) {
    it(`${suite}: every pair trace ends with two steps of different actors, the second of the pair's operation`, () => {
      const pairs = traces(suite).filter((t) => PAIR.test(t.goal));
      expect(pairs.length).toBeGreaterThan(50);
      for (const t of pairs) {
        const [first, second] = t.actions.slice(-2);
        expect(actor(first), `${t.goal}: ${first} then ${second}`).not.toBe(actor(second));
        const op = (PAIR.exec(t.goal) as RegExpExecArray)[3];
        // The second step belongs to that operation: its start, or a step of it (delete runs destroy.*, an owner's free runs free.*).
        const s = step(second);
        const of = s.startsWith('destroy.') ? 'delete' : s.startsWith('free') ? 'free' : s.split('.')[0];
        expect(of, t.goal).toBe(op);
      }
    });
  }
  for (const suite of ['reference', 'reads', 'pages', 'retries']) {
    it(`${suite}: every continuation trace ends in a step that reads what its goal step changed`, () => {
      const continued = traces(suite).filter((t) => / then (\S+)$/.test(t.goal) && !PAIR.test(t.goal));
      expect(continued.length).toBeGreaterThan(20);
      for (const t of continued) {
        const goalStep = t.goal.split(' ')[0] as StepName;
        const consumer = (/, then (\S+)$/.exec(t.goal) as RegExpExecArray)[1];
        expect(consumersOf(goalStep), t.goal).toContain(consumer);
        expect(step(t.actions[t.actions.length - 1]), t.goal).toBe(consumer);
      }
    });
  }

  for (const suite of ['retries', 'pages']) {
    it(`${suite}: every sequence trace ends an operation of its lone actor, whose operation before it is the goal's first`, () => {
      const SEQUENCE = /^the (kernel context|reader)'s (\S+) -> \S+(?: after a retry)?, then its next operation's (\S+) -> \S+(?: after a retry)?$/;
      const sequences = traces(suite).filter((t) => SEQUENCE.test(t.goal));
      expect(sequences.length).toBeGreaterThan(10);
      for (const t of sequences) {
        const [, role, first, second] = SEQUENCE.exec(t.goal) as RegExpExecArray;
        const who = role === 'reader' ? 'R1' : 'K1';
        const mine = t.actions.filter((a) => actor(a) === who).map(step);
        expect(actor(t.actions[t.actions.length - 1]), t.goal).toBe(who);
        // Operation starts: a step name without a dot (a kernel context's delete goes on as destroy.*).
        const starts = mine.filter((s) => !s.includes('.'));
        expect(starts.slice(-2), t.goal).toEqual([first, second]);
      }
    });
  }
  for (const suite of ['reference', 'retries', 'pages', 'cursors']) {
    it(`${suite}: every write trace ends in the goal's step, which moves the variable the goal names`, () => {
      const WRITE = /^(\S+) (sets|changes|clears) (\S+)$/;
      const writes = traces(suite).filter((t) => WRITE.test(t.goal));
      expect(writes.length).toBeGreaterThan(0);
      for (const t of writes) {
        const [, goalStep, , variable] = WRITE.exec(t.goal) as RegExpExecArray;
        expect(step(t.actions[t.actions.length - 1]), t.goal).toBe(goalStep);
        const [before, after] = t.states.slice(-2).map((s) => JSON.stringify(s[variable.split(/[.[]/)[0]]));
        expect(before, `${t.goal}: the step changes ${variable.split(/[.[]/)[0]}`).not.toBe(after);
      }
    });
  }

  it('every step goal a committed suite reached is one the protocol allows in its configuration', () => {
    const manifest = loadManifest(join(ROOT, 'model/suites.json'));
    for (const entry of manifest.suites) {
      const coverage = JSON.parse(readText(join(ROOT, 'generated-tests/traces/suites', entry.name, 'coverage.json'))) as { stepKinds: Record<string, string[]> };
      const config = configOf(entry.model, entry.set);
      const spec = generationSpec(config, entry.sequences !== false);
      const possible = new Set(spec.possibleGoals().map(goalName));
      for (const [step, outs] of Object.entries(coverage.stepKinds)) for (const o of outs) expect(possible, `${entry.name}: ${step} -> ${o}`).toContain(`${step} -> ${o}`);
    }
  });
});
