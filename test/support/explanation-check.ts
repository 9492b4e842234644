/**
 * Holds a counterexample's one-sentence explanation, and its seq glosses, to the trace they
 * describe. Written apart from spec/explain.ts: it parses what the sentence claims and looks each
 * claim up in the trace's own states (the slot a word was loaded from, its ghost "written for" tag,
 * the page's user view, seq before and after a step).
 */
import type { Plain, Record_ } from '../../spec/describe.js';
import { renderTrace } from '../../src/report/text.js';
import type { Trace } from '../../src/trace/replay.js';

const at = (v: Plain | undefined, ...path: (string | number)[]): Plain | undefined => {
  let x = v;
  for (const p of path) x = x !== undefined && typeof x === 'object' ? (x as Record<string, Plain>)[p as string] : undefined;
  return x;
};

function pageOf(vars: Record_, index: number): number {
  const slots = (vars.slots as readonly Plain[]).length;
  const pages = (vars.pages as readonly Plain[]).length;
  return Math.floor(index / (slots / pages));
}

/** Problems found; empty when every claim of the explanation and of the glosses holds in the trace. */
export function checkExplanation(trace: Trace, explanation: string): string[] {
  const problems: string[] = [];
  const states = trace.states;
  const last = states[states.length - 1].step;
  if (last === null) return problems;
  const reader = last.actor;
  const index = at(states[states.length - 2].vars, 'readers', reader, 'index');

  // "word N (loaded at step X) was written for Y ..." / "... written for nobody" / "never written".
  for (const m of explanation.matchAll(/word ([12]) \((?:loaded at )?step ([0-9]+)\) was (.*?(?:written for ([A-Z]|O[0-9]+|nobody)|never written))/g)) {
    const word = Number(m[1]);
    const step = Number(m[2]);
    const claimed = m[4] ?? 'nobody';
    const s = states[step]?.step;
    if (s === undefined || s === null || s.actor !== reader) {
      problems.push(`word ${word}: step ${step} is not a step of ${reader}`);
      continue;
    }
    if (s.load !== `word${word}`) problems.push(`word ${word}: step ${step} loads ${s.load}, not word ${word}`);
    if (typeof index !== 'number') continue;
    const before = states[step - 1].vars;
    const mapped = at(before, 'pages', pageOf(before, index), 'view') === 'mapped';
    const tag = mapped ? String(at(before, 'slots', index, `word${word}For`)) : 'none';
    if ((claimed === 'nobody' ? 'none' : claimed) !== tag) problems.push(`word ${word} at step ${step}: the trace says written for ${tag}, the sentence ${claimed}`);
  }

  // "Both its seq loads (steps A and B) read V".
  const seq = /seq loads \(steps ([0-9]+) and ([0-9]+)\) read ([0-9]+)/.exec(explanation);
  if (seq !== null && typeof index !== 'number') problems.push('seq loads named, but the read has no index');
  if (seq !== null && typeof index === 'number') {
    for (const step of [Number(seq[1]), Number(seq[2])]) {
      const before = states[step - 1].vars;
      const mapped = at(before, 'pages', pageOf(before, index), 'view') === 'mapped';
      const value = mapped ? at(before, 'slots', index, 'seq') : 0;
      if (states[step].step?.actor !== reader || !/seq-(begin|end)$/.test(states[step].step?.load ?? '')) problems.push(`step ${step} is not a seq load of ${reader}`);
      if (value !== Number(seq[3])) problems.push(`seq load at step ${step} read ${String(value)}, the sentence says ${seq[3]}`);
    }
    const changed = /seq changed at steps ([0-9, ]+) in between/.exec(explanation);
    for (const step of changed?.[1].split(', ').map(Number) ?? [])
      if (at(states[step].vars, 'slots', index, 'seq') === at(states[step - 1].vars, 'slots', index, 'seq')) problems.push(`step ${step} did not change seq`);
    if (/no write bumped seq in between/.test(explanation))
      for (let k = Number(seq[1]) + 1; k < Number(seq[2]); k++)
        if (at(states[k].vars, 'slots', index, 'seq') !== at(states[k - 1].vars, 'slots', index, 'seq')) problems.push(`seq changed at step ${k}, which the sentence denies`);
  }

  // "accepted value(X, ...)" names what the last step returned.
  const accepted = /accepted (value\([^)]*\))/.exec(explanation);
  if (accepted !== null && last.observation.kind === 'value') {
    const o = last.observation;
    const text = o.word1 === o.word2 ? `value(${o.owner}, ${o.word1})` : `value(${o.owner}, ${o.word1}|${o.word2})`;
    if (accepted[1] !== text) problems.push(`the last step returned ${text}, the sentence says ${accepted[1]}`);
  }

  // Every seq gloss says what the step did to seq.
  const lines = renderTrace(trace);
  for (const line of lines) {
    const m = /^\s+([0-9]+)\s.* -- (?:bumps seq ([0-9]+) -> ([0-9]+)|stores seq = ([0-9]+) \(it was ([0-9]+)\)), (odd|even|EVEN|ODD)/.exec(line);
    if (m === null) continue;
    const step = Number(m[1]);
    const now = Number(m[3] ?? m[4]);
    const was = Number(m[2] ?? m[5]);
    const changed = (states[step].vars.slots as readonly Record_[]).map((s, i) => [i, s.seq] as const).filter(([i, v]) => v !== at(states[step - 1].vars, 'slots', i, 'seq'));
    if (changed.length !== 1 || changed[0][1] !== now || at(states[step - 1].vars, 'slots', changed[0][0], 'seq') !== was) problems.push(`step ${step}: the gloss says seq ${was} -> ${now}, the trace disagrees`);
    if ((now % 2 === 1) !== (m[6].toLowerCase() === 'odd')) problems.push(`step ${step}: seq ${now} is not ${m[6]}`);
  }
  return problems;
}
