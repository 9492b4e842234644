/**
 * The step table (spec/steps.ts) is the one vocabulary of steps. These checks hold it to the
 * design, and the `@ts-expect-error` lines hold the compiler to it: if a misspelt step or an entry
 * without a gloss ever compiled, tsc (the first half of npm test) would fail on the unused directive.
 */
import { describe, expect, it } from 'vitest';
import type { Yielded } from '../../src/reference/op.js';
import type { TraceStep } from '../../src/adapter/adapter.js';
import { inSeqWindow, isStepName, KERNEL_PCS, kernelStepName, partsOf, READER_PCS, readerStepName, STEP_NAMES, type StepEntry, stepFacts, type StepName } from '../../spec/steps.js';

// @ts-expect-error a step the table does not have cannot be yielded by the reference implementation
const misspelt: Yielded = 'create.aloc';
// @ts-expect-error nor can an adapter be driven by one
const driven: TraceStep = { actor: 'K1', action: 'update.word3', picks: {} };
// @ts-expect-error a table entry needs a gloss
const noGloss: StepEntry = { op: 'create', window: false };
const known: Yielded = 'free.seq-begin.load';

describe('the step table', () => {
  it('the type-level checks above are live code', () => {
    expect([misspelt, driven.action, noGloss.op, known]).toHaveLength(4);
  });

  it('names every step once, each with a gloss and an operation', () => {
    expect(new Set(STEP_NAMES).size).toBe(STEP_NAMES.length);
    for (const name of STEP_NAMES) {
      const f = stepFacts(name);
      expect(f.gloss.length, name).toBeGreaterThan(0);
      expect(isStepName(name)).toBe(true);
    }
    expect(isStepName('create.aloc')).toBe(false);
  });

  it('makes each name from its parts and back', () => {
    for (const name of STEP_NAMES) {
      const p = partsOf(name);
      const again: StepName = p.kind === 'start' ? p.step : p.kind === 'load' ? readerStepName(p.of, p.load) : kernelStepName(p.pc, p.onFreePath, p.loadHalf);
      expect(again).toBe(name);
    }
  });

  it('puts exactly the writes between seq-begin and seq-end inside the odd-seq window', () => {
    const inside = KERNEL_PCS.filter(inSeqWindow);
    expect(inside).toEqual([
      'create.uid', 'create.gen', 'create.zero-word1', 'create.zero-word2', 'create.seq-end',
      'update.word1', 'update.word2', 'update.seq-end',
      'destroy.uid', 'destroy.gen', 'destroy.zero-word1', 'destroy.zero-word2', 'destroy.seq-end',
    ]);
  });

  it('keeps the program counters in the order their codes are stored in a state', () => {
    expect(KERNEL_PCS[0]).toBe('idle');
    expect(KERNEL_PCS.indexOf('create.alloc')).toBe(1);
    expect(KERNEL_PCS.indexOf('destroy.retire')).toBe(22);
    expect(READER_PCS).toEqual(['idle', 'size', 'seq-begin', 'uid', 'gen', 'word1', 'word2', 'seq-end']);
  });

  it('names the free path and the plain-seq load half as traces carry them', () => {
    expect(kernelStepName('destroy.seq-end', true, true)).toBe('free.seq-end.load');
    expect(kernelStepName('destroy.uid', true, true)).toBe('free.uid');
    expect(stepFacts('free.uid').gloss).toBe(stepFacts('destroy.uid').gloss);
  });
});
