/**
 * A review as text: the matrix with a letter per property, the costs, what was left out, and each
 * broken cell's shortest counterexample. The file written by --text is for a mailing list: at most
 * 72 columns, no colour, nothing a mail client could mangle. The terminal gets the same matrix, with
 * colour on a terminal, and each broken cell's one-sentence why instead of the whole trace.
 */
import { wrap } from './wrap.js';
import type { Cell, Review, Row } from '../review/matrix.js';
import { PAGE_BYTES } from '../review/costs.js';
import { isKnob, REFERENCE_KNOBS } from '../../spec/knobs.js';
import { PLAIN, type Style } from './style.js';
import { lengthText, renderTrace, stepsText, traceLength } from './text.js';
import { isLiveness } from '../../spec/invariants.js';

export const MAIL_WIDTH = 72;
/** The first line of every text report; a file that starts with it may be replaced by a new report. */
export const TEXT_MARK = 'lsmc review';

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const num = (n: number): string => n.toLocaleString('en-US');

function cellText(cell: Cell | undefined): string {
  if (cell === undefined) return '';
  return cell.verdict === 'holds' ? '.' : cell.verdict === 'broken' ? String(cell.steps) : '?';
}

function paint(cell: Cell | undefined, text: string, style: Style): string {
  if (cell?.verdict === 'broken') return style.bad(text);
  return cell?.verdict === 'undecided' ? style.partial(text) : text;
}

/**
 * Lines no wider than `width`: a long line is broken at spaces, its own spacing kept (a trace's
 * columns stay where renderTrace put them), and its rest hung under column `hang`; by default
 * four past its indent, and in a trace's step line, under the step's text.
 */
function fit(line: string, width: number, hang?: number): string[] {
  if (line.length <= width) return [line];
  const indent = /^ */.exec(line)?.[0].length ?? 0;
  const under = hang ?? /^ *\d+ {2}/.exec(line)?.[0].length ?? indent + 4;
  const lines: string[] = [];
  let rest = line;
  let lead = indent;
  while (rest.length > width) {
    // A list of changes ("a 0 -> 1; b 1 -> 2") breaks between its items where it can, else at a space.
    const item = rest.lastIndexOf('; ', width - 1);
    const cut = item > lead + (width - lead) / 3 ? item + 1 : rest.lastIndexOf(' ', width);
    // No space after the lead to break at (one long word): the word is cut rather than let through.
    const at = cut > lead ? cut : width;
    lines.push(rest.slice(0, at).trimEnd());
    rest = `${' '.repeat(under)}${rest.slice(at).trimStart()}`;
    lead = under;
  }
  lines.push(rest);
  return lines;
}

/** A shell command in lines of `width` that paste back as one: each broken line ends with ` \\`, a quoted word is never split. */
export function commandLines(command: string, width: number, indent = 2): string[] {
  // A word is unquoted characters, an escaped character, or a quoted run: rerunCommand quotes a path with ' as 'a'\''b'.
  const words = command.match(/(?:[^\s'"\\]+|\\.|'[^']*'|"(?:[^"\\]|\\.)*")+/g) ?? [];
  const lines: string[] = [];
  let line = ' '.repeat(indent);
  for (const word of words) {
    const first = line.trim() === '';
    if (!first && line.length + 1 + word.length + 2 > width) {
      lines.push(`${line} \\`);
      line = `${' '.repeat(indent + 4)}${word}`;
    } else line = first ? `${line}${word}` : `${line} ${word}`;
  }
  lines.push(line);
  return lines;
}

function legend(checked: readonly string[]): string[] {
  const items = checked.map((name, i) => `${LETTERS[i]} ${name}`);
  const column = Math.max(...items.map((s) => s.length)) + 2;
  const perLine = Math.max(1, Math.floor((MAIL_WIDTH - 2) / column));
  const lines: string[] = [];
  for (let i = 0; i < items.length; i += perLine) lines.push(`  ${items.slice(i, i + perLine).map((s) => s.padEnd(column)).join('').trimEnd()}`);
  return lines;
}

export function matrixLines(review: Review, style: Style = PLAIN): string[] {
  const columns = review.checked.length;
  const nameWidth = MAIL_WIDTH - 3 * columns;
  const header = `${''.padEnd(nameWidth)}${review.checked.map((_, i) => LETTERS[i].padStart(3)).join('')}`;
  const liveness = review.checked.map((name, i) => [name, LETTERS[i]] as const).filter(([name]) => isLiveness(name));
  const lasso = liveness.map(([name, letter]) => `${letter} ${name} is a liveness property: its number is the length of a lasso (its last steps repeat for ever) as the check finds it, not always the shortest.`);
  const lines = [
    'Properties:',
    ...legend(review.checked),
    '',
    '"." holds; a number: broken, its shortest counterexample in steps;',
    '"?" not decided (a limit was reached first).',
    ...lasso.flatMap((l) => fit(l, MAIL_WIDTH, 0)),
    '',
    header,
  ];
  for (const row of review.rows) {
    const cells = review.checked.map((name) => paint(row.cells[name], cellText(row.cells[name]).padStart(3), style)).join('');
    if (row.variant.length < nameWidth) lines.push(`${row.variant.padEnd(nameWidth)}${cells}`);
    else lines.push(...fit(row.variant, MAIL_WIDTH), `${''.padEnd(nameWidth)}${cells}`);
  }
  return lines;
}

/**
 * A table with a row per variant: the name in what the figure columns leave of 72, a name too long
 * for it on lines of its own above its figures.
 */
function variantTable(review: Review, columns: readonly (readonly [string, number])[], figures: (row: Row) => string[]): string[] {
  const first = MAIL_WIDTH - columns.reduce((a, [, w]) => a + w, 0);
  const line = (name: string, cells: string[]): string => `${name.padEnd(first)}${cells.map((c, i) => c.padStart(columns[i][1])).join('')}`;
  return [
    line('variant', columns.map(([h]) => h)),
    ...review.rows.flatMap((r) => (r.variant.length < first ? [line(r.variant, figures(r))] : [...fit(r.variant, MAIL_WIDTH), line('', figures(r))])),
  ];
}

function costLines(review: Review): string[] {
  const legend: [string, string][] = [
    ['pages', 'the most slot pages the kernel holds at once'],
    ['map KiB', `the most user address space the read-only mapping spans (pages of ${PAGE_BYTES} bytes; zero-page growth maps its whole reserve)`],
    ['array', 'pages a static mmapable ARRAY would take instead: keyed by pid number for tasks, by every cgroup ever made for cgroups'],
    ['loads', 'loads of one read that nothing races'],
    ['sys', 'syscalls before the first read (the lookup; later reads make none)'],
    ['retry', 'the most retries any read made ("*": readRetry=unbounded, where the spec keeps no count, since a count with no bound would make the space infinite; reader-progress says whether a read can retry for ever)'],
  ];
  const columns = [['pages', 6], ['map KiB', 9], ['array', 6], ['loads', 6], ['sys', 5], ['retry', 6]] as const;
  return [
    'Costs at the bounds, over every reachable state:',
    ...legend.flatMap(([term, text]) => wrap(text, 11, MAIL_WIDTH).map((l, i) => `  ${(i === 0 ? term : '').padEnd(9)}${l}`)),
    '',
    ...variantTable(review, columns, ({ costs: c }) =>
      c === null ? columns.map(() => '-') : [c.peakPages, c.peakMappingBytes / 1024, c.staticArrayPages, c.loadsPerRead, c.syscallsFirstRead, c.peakRetries ?? '*'].map(String),
    ),
  ];
}

/** What each row explored: its states, transitions and depth, its time, and the spec's coverage goals it reached. */
function exploredLines(review: Review): string[] {
  const columns = [['states', 12], ['transitions', 13], ['depth', 6], ['seconds', 8], ['goals', 8]] as const;
  const goals = (r: Row): string => (r.coverage === null ? '-' : `${r.coverage.reached}/${r.coverage.possible}`);
  return [
    'Explored:',
    ...fit('  goals: the coverage goals (lsmc gen\'s: each kind of step in each outcome, by path) the row reached, of those the spec names for its knobs; a property holds only on the paths reached.', MAIL_WIDTH, 9),
    '',
    ...variantTable(review, columns, (r) => [num(r.states), num(r.transitions), String(r.depth), r.seconds.toFixed(1), goals(r)]),
  ];
}

function summaryLines(review: Review): string[] {
  const rows = review.rows;
  const states = rows.reduce((n, r) => n + r.states, 0);
  const changed = Object.entries(review.config).filter(([k, v]) => isKnob(k) && REFERENCE_KNOBS[k] !== v);
  const bounds = Object.entries(review.config).filter(([k]) => !isKnob(k));
  const config = `${changed.length === 0 ? 'the reference design' : changed.map(([k, v]) => `${k}=${v}`).join(' ')}; bounds ${bounds.map(([k, v]) => `${k}=${v}`).join(' ')}`;
  return [
    TEXT_MARK,
    '',
    ...fit(`${rows.length} variant${rows.length === 1 ? '' : 's'} of ${review.model}, ${review.checked.length} properties each; ${num(states)} distinct states in all, ${review.seconds.toFixed(1)} s.`, MAIL_WIDTH),
    ...fit(`Starting from: ${config}`, MAIL_WIDTH),
  ];
}

function leftLines(review: Review): string[] {
  if (review.left.length === 0) return [];
  return ['', 'Left out (the spec cannot run them):', ...review.left.flatMap((l) => fit(`  ${l.name}: ${l.why}`, MAIL_WIDTH))];
}

const brokenIn = (row: Row): string[] => row.counterexamples.map((v) => v.invariant);

/** What both texts open with: what was reviewed, the matrix, what was left out, the costs, what each row explored. */
function bodyLines(review: Review, style: Style): string[] {
  return [...summaryLines(review), '', ...matrixLines(review, style), ...leftLines(review), '', ...costLines(review), '', ...exploredLines(review)];
}

/** What the terminal shows: the matrix, the costs, and one line of why for every broken cell. */
export function renderReview(review: Review, style: Style = PLAIN): string {
  const whys = review.rows.flatMap((row) =>
    row.counterexamples.map((v) => `  ${row.variant}: ${style.invariant(v.invariant)}, ${traceLength(v.trace)}. ${v.explanation}`),
  );
  return [
    ...bodyLines(review, style),
    ...(whys.length === 0 ? [] : ['', 'Why each broken cell breaks (--text FILE and --html FILE keep the traces; --json gives each row\'s lsmc check):', ...whys]),
  ].join('\n');
}

/** The mailing-list text: everything renderReview says, and every broken cell's counterexample, in 72 columns. */
export function reviewText(review: Review): string {
  const traces = review.rows.flatMap((row) =>
    row.counterexamples.flatMap((v) => [
      '',
      ...fit(`${row.variant} breaks ${v.invariant} ${v.trace.loop === undefined ? `in ${stepsText(v.trace.states.length - 1)} (a shortest counterexample)` : `by ${lengthText(v.trace.states.length - 1, true)}`}.`, MAIL_WIDTH),
      ...fit(`  ${v.explanation}`, MAIL_WIDTH),
      '',
      ...renderTrace(v.trace, PLAIN).flatMap((l) => fit(l, MAIL_WIDTH)),
      'Rerun:',
      ...commandLines(row.rerun, MAIL_WIDTH),
    ]),
  );
  const broken = review.rows.filter((r) => brokenIn(r).length > 0).length;
  return [
    ...bodyLines(review, PLAIN),
    ...(traces.length === 0 ? [] : ['', `Counterexamples (${broken === 1 ? '1 variant breaks' : `${broken} variants break`} something):`, ...traces]),
    '',
  ].join('\n');
}
