/**
 * A review as one self-contained HTML page (no script, no fetch, nothing from the network): the
 * matrix colour-coded, each broken cell linking to its counterexample; each counterexample drawn as
 * a sequence diagram, a lane per owner, kernel context and reader and one for memory, with what
 * changed at each step, the broken invariant and why; the costs; the coverage; the alternatives.
 */
import type { Plain, Record_, StepInfo } from '../../spec/describe.js';
import { observationText } from '../../spec/describe.js';
import type { CheckViolation } from '../check/run.js';
import { type Alternatives, memoryWords } from '../review/alternatives.js';
import { PAGE_BYTES } from '../review/costs.js';
import type { Cell, Review, Row } from '../review/matrix.js';
import { changedValues, gloss, lengthText, stepsText } from './text.js';
import { isLiveness } from '../../spec/invariants.js';

/** In the head of every report; a file that has it may be replaced by a new report. */
export const HTML_MARK = '<meta name="generator" content="lsmc review">';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (n: number): string => n.toLocaleString('en-US');

/** The id of a broken cell's counterexample: stable across runs, safe in a URL fragment. */
export const counterexampleId = (rowIndex: number, invariant: string): string => `cx-${rowIndex}-${invariant}`;

const CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;max-width:100em}
h1{font-size:1.4em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #ccc}h3{font-size:1.05em}
table{border-collapse:collapse}td,th{padding:2px 6px}
table.matrix th.p{writing-mode:vertical-rl;transform:rotate(180deg);font-weight:normal;vertical-align:bottom}
table.matrix td.c{text-align:center;min-width:2.2em;border:1px solid #fff}
td.holds{background:#d8f0d8;color:#265c26}td.broken{background:#e8a0a0}td.undecided{background:#f4e4a0}
td.broken a{color:#5a0000;font-weight:bold;display:block;text-decoration:none}
td.v{white-space:nowrap;font-family:ui-monospace,monospace}
table.costs td,table.costs th,table.alt td,table.alt th{border-bottom:1px solid #eee;text-align:right}
table.costs td:first-child,table.alt td:first-child,table.alt td.cannot,table.costs td.goals{text-align:left}
details code{font-size:11px}
section.cx{margin:1.5em 0 3em}section.cx:target{outline:3px solid #e8a0a0;outline-offset:6px}
p.why{background:#fbeaea;padding:.5em;border-left:4px solid #c33}
table.seq{font-size:12px;border-collapse:separate;border-spacing:0}
table.seq th{position:sticky;top:0;background:#fff;border-bottom:2px solid #888;padding:4px 8px}
table.seq td{vertical-align:top;padding:3px 8px;background:linear-gradient(#bbb,#bbb) no-repeat center/1px 100%}
table.seq td.n{background:none;color:#888;text-align:right}
table.seq td.act .box{background:#e6eefb;border:1px solid #5b7fc7;border-radius:4px;padding:2px 5px}
table.seq td.act.last .box{background:#f6d5d5;border-color:#c33}
table.seq tr.loop td.n{background:#e4dcf4;color:#503c8c;font-weight:bold}table.seq tr.loop td.act .box{border-color:#7d62b8}
table.seq tr.back td{background:#f1ecfa;color:#503c8c;font-weight:bold;padding:6px 8px}
table.seq td.mem{background:#fafafa}
.ch{font-family:ui-monospace,monospace;font-size:11px;background:#fff;display:block}
.ch s{color:#999}.obs{color:#256;font-style:italic}
.note{color:#666}
`;

function cellHtml(cell: Cell | undefined, href: string): string {
  if (cell === undefined) return '<td class="c"></td>';
  if (cell.verdict === 'holds') return '<td class="c holds" title="holds">&#10003;</td>';
  if (cell.verdict === 'broken') {
    const title = cell.lasso ? `broken: ${lengthText(cell.steps, true)} (its last steps repeat for ever)` : `broken: a shortest counterexample of ${stepsText(cell.steps)}`;
    return `<td class="c broken" title="${title}"><a href="#${href}">${cell.steps}${cell.lasso ? '&#8635;' : ''}</a></td>`;
  }
  return `<td class="c undecided" title="not decided: ${esc(cell.why)}">?</td>`;
}

function matrixHtml(review: Review): string {
  const head = review.checked.map((p) => `<th class="p">${esc(p)}</th>`).join('');
  const rows = review.rows.map((row, i) => `<tr><td class="v">${esc(row.variant)}</td>${review.checked.map((p) => cellHtml(row.cells[p], counterexampleId(i, p))).join('')}</tr>`);
  return `<table class="matrix"><thead><tr><th></th>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>
<p class="note">&#10003; holds on every reachable state; a number: broken, the length of its shortest counterexample in steps (click it); ? not decided (a limit was reached first).${lassoNote(review.checked)}</p>`;
}

/** What a lasso's number means, when a liveness property is in the matrix. */
function lassoNote(checked: readonly string[]): string {
  const names = checked.filter(isLiveness);
  if (names.length === 0) return '';
  return ` A number with &#8635; (${names.map(esc).join(', ')}, liveness): a lasso of that many steps, whose last steps repeat for ever, as the check finds it (not always the shortest).`;
}

function costsHtml(review: Review): string {
  const rows = review.rows.map((r) => {
    const c = r.costs;
    const cells = c === null ? Array(6).fill('&ndash;') : [c.peakPages, num(c.peakMappingBytes), c.staticArrayPages, c.loadsPerRead, c.syscallsFirstRead, c.peakRetries ?? '<span title="readRetry=unbounded: the spec keeps no count">not counted</span>'].map(String);
    return `<tr><td class="v">${esc(r.variant)}</td>${cells.map((x) => `<td>${x}</td>`).join('')}</tr>`;
  });
  return `<table class="costs"><thead><tr><th>variant</th><th>peak slot pages</th><th>peak user mapping (bytes)</th><th>static ARRAY pages</th><th>loads per read</th><th>syscalls before the first read</th><th>most retries</th></tr></thead><tbody>${rows.join('')}</tbody></table>
<p class="note">Over every reachable state at the bounds, pages of ${PAGE_BYTES} bytes. The static ARRAY is keyed by pid number for tasks and by every cgroup ever made for cgroups (cgroup ids are never reused). Loads: one read that nothing races, walked through the spec. The lookup syscall is made once per owner; later reads of the cached index make none. Retries are not counted under readRetry=unbounded: a count with no bound would make the space infinite; reader-progress says whether a read can retry for ever.</p>`;
}

function coverageHtml(review: Review): string {
  const rows = review.rows.map((r) => {
    const cells = Object.values(r.cells);
    const decided = cells.filter((c) => c.verdict !== 'undecided').length;
    const c = r.coverage;
    const goals =
      c === null
        ? '&ndash;'
        : c.unreached.length === 0
          ? `${c.reached} of ${c.possible}`
          : `<details><summary>${c.reached} of ${c.possible}</summary>${c.unreached.map((g) => `<code>${esc(g)}</code>`).join('<br>')}</details>`;
    return `<tr><td class="v">${esc(r.variant)}</td><td>${num(r.states)}</td><td>${num(r.transitions)}</td><td>${r.depth}</td><td>${decided} of ${cells.length}</td><td class="goals">${goals}</td><td>${r.seconds.toFixed(1)}</td></tr>`;
  });
  return `<table class="costs"><thead><tr><th>variant</th><th>distinct states</th><th>transitions</th><th>depth</th><th>properties decided</th><th>coverage goals reached</th><th>seconds</th></tr></thead><tbody>${rows.join('')}</tbody></table>
<p class="note">Coverage goals are those <code>lsmc gen</code> makes traces for: each kind of step in each outcome it can have, refined by path (which allocator path a create takes, whether a retire reclaims a page, in which phase of its owner's life an operation starts). Of the goals the spec names for the variant's knobs, those the row never reached (open the cell) are paths these bounds do not take: a property that holds, holds on the paths reached.</p>`;
}

function alternativesHtml(alt: Alternatives): string {
  if (alt.kind === 'unavailable') return `<p class="note">Not measured: ${esc(alt.why)}.</p>`;
  const owners = alt.owners;
  const head = `<tr><th>mechanism</th><th>ns per read</th>${owners.map((n) => `<th>memory at ${num(n)} owners</th>`).join('')}<th>cannot</th></tr>`;
  const rows = alt.rows.map((a) => {
    const mem = a.memory.map((m) => memoryWords(m)).map((w) => `<td>${esc(w.figure)} <span class="note">${esc(w.how)}</span></td>`).join('');
    const ns = a.nsPerRead === null ? `<td>not measured: ${esc(a.why ?? '')}</td>` : `<td title="${esc(a.per)}">${a.nsPerRead.toLocaleString('en-US', { maximumFractionDigits: a.nsPerRead < 10 ? 2 : 0 })} <span class="note">(${esc(a.per)})</span></td>`;
    return `<tr><td class="cannot">${esc(a.name)}</td>${ns}${mem}<td class="cannot">${esc(a.cannot)}</td></tr>`;
  });
  return `<table class="alt"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table><p class="note">${esc(alt.machine)}</p>`;
}

/** Which lane a changed value belongs to: its owner, kernel context or reader, or memory. */
function laneOf(path: string): string {
  const m = /^(owners|kernel|readers)\.([A-Za-z0-9]+)\./.exec(path);
  return m === null ? 'memory' : m[2];
}

/** The lanes of a diagram: each actor under the label its steps carry (task A, kernel context K1, reader R1), then memory. */
const laneNames = (vars: Record_, steps: readonly StepInfo[], ownerWord: string): { key: string; title: string }[] => {
  const keys = (v: Plain): string[] => (typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.keys(v) : []);
  const ownerTitle = (k: string): string => steps.find((s) => s.actor === k)?.actorLabel ?? `${ownerWord} ${k}`;
  return [
    ...keys(vars.owners).map((k) => ({ key: k, title: ownerTitle(k) })),
    ...keys(vars.kernel).map((k) => ({ key: k, title: `kernel context ${k}` })),
    ...keys(vars.readers).map((k) => ({ key: k, title: `reader ${k}` })),
    { key: 'rcu', title: 'RCU' },
    { key: 'memory', title: 'memory (slots, pages, published size, allocator)' },
  ];
};

/**
 * A counterexample as a sequence diagram. A finite one ends at the step that breaks the property,
 * drawn red; a lasso's last steps (from `trace.loop` on) are the loop, drawn apart, with a last row
 * that goes back to where it starts: no one step of a lasso is the violation, the repetition is.
 */
function diagramHtml(v: CheckViolation, ownerWord: string): string {
  const states = v.trace.states;
  const loop = v.trace.loop;
  const lanes = laneNames(states[0].vars, states.slice(1).map((st) => st.step as StepInfo), ownerWord);
  const laneOfActor = (step: StepInfo): string => (step.actorLabel === 'the RCU grace period' ? 'rcu' : step.actor);
  const steps = states.slice(1).map((st, k) => {
    const i = k + 1;
    const step = st.step as StepInfo;
    return { i, step, acting: laneOfActor(step), changed: changedValues(states[i - 1].vars, st.vars) };
  });
  // Every owner, kernel context and reader has its lane, idle or not (that one stayed idle is part of the story); the RCU lane only when the grace period runs.
  const drawn = lanes.filter((lane) => lane.key !== 'rcu' || steps.some((s) => s.acting === lane.key));
  const rows = steps.map(({ i, step, acting, changed }) => {
    const picks = Object.values(step.picks).map(String).join(', ');
    const obs = observationText(step.observation);
    const g = gloss(v.trace, i);
    const inLoop = loop !== undefined && i > loop;
    const cells = drawn.map((lane) => {
      const mine = changed.filter((c) => laneOf(c.path) === lane.key).map((c) => `<span class="ch">${esc(c.path)} <s>${esc(c.was)}</s> &rarr; ${esc(c.now)}</span>`).join('');
      if (lane.key !== acting) return `<td${lane.key === 'memory' ? ' class="mem"' : ''}>${mine}</td>`;
      const last = loop === undefined && i === states.length - 1 ? ' last' : '';
      return `<td class="act${last}"><div class="box"><b>${esc(step.action)}${picks === '' ? '' : `(${esc(picks)})`}</b>${g === '' ? '' : `<br>${esc(g)}`}${obs === '' ? '' : `<br><span class="obs">&rArr; ${esc(obs)}</span>`}</div>${mine}</td>`;
    });
    const mark = loop !== undefined && i === loop + 1 ? ' title="the loop starts here"' : '';
    return `<tr data-step="${i}"${inLoop ? ' class="loop"' : ''}><td class="n"${mark}>${inLoop ? '&#8635;&nbsp;' : ''}${i}</td>${cells.join('')}</tr>`;
  });
  const back =
    loop === undefined
      ? ''
      : `<tr class="back" data-back="${loop}"><td class="n">&#8617;</td><td colspan="${drawn.length}">back to state ${loop}${loop === 0 ? ' (the initial state)' : ''}: steps ${loop + 1} to ${states.length - 1} repeat for ever</td></tr>`;
  const head = `<tr><th>step</th>${drawn.map((l) => `<th>${esc(l.title)}</th>`).join('')}</tr>`;
  return `<table class="seq"><thead>${head}</thead><tbody>${rows.join('')}${back}</tbody></table>`;
}

function counterexamplesHtml(review: Review): string {
  const sections = review.rows.flatMap((row: Row, i) =>
    row.counterexamples.map(
      (v) => `<section class="cx" id="${counterexampleId(i, v.invariant)}">
<h3>${esc(row.variant)} breaks ${esc(v.invariant)} ${v.trace.loop === undefined ? 'in' : 'by'} ${esc(lengthText(v.trace.states.length - 1, v.trace.loop !== undefined))}</h3>
<p class="why"><b>${esc(v.invariant)}</b> ${v.trace.loop === undefined ? `is violated at step ${v.trace.states.length - 1}` : `is violated by the loop of steps ${v.trace.loop + 1} to ${v.trace.states.length - 1}, repeated for ever`}. ${esc(v.explanation)}</p>
${diagramHtml(v, String(row.changes.ownerKind ?? review.config.ownerKind))}
<p class="note">Rerun: <code>${esc(row.rerun)}</code></p>
</section>`,
    ),
  );
  if (sections.length > 0) return sections.join('\n');
  const undecided = review.rows.reduce((n, row) => n + Object.values(row.cells).filter((c) => c.verdict === 'undecided').length, 0);
  return undecided === 0 ? '<p>No variant breaks a property.</p>' : `<p>No variant breaks a property where the review decided it; ${undecided} cell${undecided === 1 ? ' is' : 's are'} not decided (the matrix says why).</p>`;
}

export function reviewHtml(review: Review, alternatives: Alternatives): string {
  const config = Object.entries(review.config).map(([k, v]) => `${k}=${v}`).join(' ');
  const left = review.left.length === 0 ? '' : `<h2>Left out</h2><ul>${review.left.map((l) => `<li>${esc(l.name)}: ${esc(l.why)}</li>`).join('')}</ul>`;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">${HTML_MARK}
<title>lsmc review of ${esc(review.model)}</title>
<style>${CSS}</style></head>
<body>
<h1>lsmc review of ${esc(review.model)}</h1>
<p>${review.rows.length} variants, ${review.checked.length} properties each, ${review.seconds.toFixed(1)} s. Starting from <code>${esc(config)}</code>.</p>
<h2 id="matrix">Verdicts</h2>
${matrixHtml(review)}
${left}
<h2 id="costs">Costs</h2>
${costsHtml(review)}
<h2 id="coverage">Coverage</h2>
${coverageHtml(review)}
<h2 id="alternatives">Alternatives on this machine's kernel</h2>
${alternativesHtml(alternatives)}
<h2 id="counterexamples">Counterexamples</h2>
${counterexamplesHtml(review)}
</body></html>
`;
}
