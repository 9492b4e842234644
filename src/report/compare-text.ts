/** A comparison for people (what flipped, the counterexamples B newly has, what B made safe) and as JSON. */
import type { Cell } from '../review/matrix.js';
import { addedBroken, type Comparison } from '../review/compare.js';
import type { ItfTrace } from '../trace/itf.js';
import { PLAIN, type Style } from './style.js';
import { lengthText } from './text.js';

/** A property B newly breaks, with its counterexample as B's own check prints it. */
export interface Shown {
  readonly invariant: string;
  readonly steps: number;
  readonly explanation: string;
  readonly lines: readonly string[];
  /** The trace, when B was checked here (a revision's trace is in its own format: see its rerun). */
  readonly itf: ItfTrace | null;
  readonly rerun: string;
}

function cellWords(cell: Cell): string {
  return cell.verdict === 'holds' ? 'holds' : cell.verdict === 'broken' ? `broken ${cell.lasso ? 'by' : 'in'} ${lengthText(cell.steps, cell.lasso)}` : `not decided (${cell.why})`;
}

export function renderComparison(c: Comparison, shown: readonly Shown[], style: Style = PLAIN): string {
  const same = Object.keys(c.a.cells).filter((n) => n in c.b.cells).length - c.flips.length;
  const width = Math.max(0, ...c.flips.map((f) => f.invariant.length));
  const out = [`A: ${c.a.label} (${c.a.states.toLocaleString('en-US')} states)`, `B: ${c.b.label} (${c.b.states.toLocaleString('en-US')} states)`, ''];
  const noFlip = `No verdict differs: the ${same} properties checked on both sides say the same.`;
  // Not in green when a property checked on one side only made it worse.
  if (c.flips.length === 0) out.push(c.worse ? noFlip : style.good(noFlip));
  else {
    out.push(`${c.flips.length === 1 ? '1 verdict differs' : `${c.flips.length} verdicts differ`} from A to B (${same} the same):`);
    for (const f of c.flips) {
      const mark = f.change === 'worse' ? style.bad('worse ') : style.good('better');
      out.push(`  ${mark}  ${style.invariant(f.invariant.padEnd(width))}  ${cellWords(f.from)} -> ${cellWords(f.to)}`);
    }
  }
  for (const l of c.lengths) out.push(`  still broken: ${style.invariant(l.invariant)}, the shortest counterexample ${l.to < l.from ? 'shrank' : 'grew'} from ${l.from} to ${l.to} steps`);
  if (c.onlyIn.a.length > 0) out.push(`  ${style.bad('worse ')}  checked in A only, no longer in B: ${c.onlyIn.a.join(', ')}`);
  if (c.onlyIn.b.length > 0) out.push(`  ${addedBroken(c).length > 0 ? style.bad('worse ') : '      '}  checked in B only: ${c.onlyIn.b.map((n) => `${n} (${cellWords(c.b.cells[n])})`).join(', ')}`);
  for (const s of shown) out.push('', `B newly breaks ${style.invariant(s.invariant)}:`, ...s.lines, `Rerun: ${s.rerun}`);
  const safe = c.flips.filter((f) => f.to.verdict === 'holds').map((f) => f.invariant);
  if (safe.length > 0) out.push('', `${style.good('B makes safe:')} ${safe.join(', ')} (broken or not decided in A, holds in B).`);
  out.push('', c.worse ? style.bad('A verdict got worse from A to B.') : 'No verdict got worse from A to B.');
  return out.join('\n');
}

export function compareJson(c: Comparison, shown: readonly Shown[]): Record<string, unknown> {
  return {
    worse: c.worse,
    a: { label: c.a.label, states: c.a.states, cells: c.a.cells },
    b: { label: c.b.label, states: c.b.states, cells: c.b.cells },
    flips: c.flips,
    lengths: c.lengths,
    onlyIn: c.onlyIn,
    newlyBroken: shown.map((s) => ({ invariant: s.invariant, steps: s.steps, explanation: s.explanation, rerun: s.rerun, ...(s.itf === null ? {} : { trace: s.itf }) })),
  };
}
