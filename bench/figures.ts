/**
 * `npm run bench -- --markdown FILE`: every figure that goes stale (times and rates), measured in one
 * run on this machine and written as one page, docs/numbers.md, with the machine, the load and the
 * date, so that no other page has to quote a rate. The commands a user types are timed as they run
 * them (a child process, start-up included); the explorer rows come from measureCore.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CoreFigures, measureCore } from './bench.js';
import { measureReview, type ReviewFigures } from './review.js';
import { measureScale, type ScaleFigures } from './scale.js';
import { measureQueue, type QueueFigures } from './queue.js';
import { type Alternative, type Alternatives, measureAlternatives, memoryWords } from '../src/review/alternatives.js';

const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');

/** The first line of the page: a page that starts with it was written by this script and may be replaced. */
export const FIGURES_MARK = '<!-- Written by `npm run bench -- --markdown docs/numbers.md`; edits are lost when it runs again. -->';

export interface CommandFigure {
  /** As a user types it. */
  readonly command: string;
  readonly seconds: number;
  /** What the run reported, e.g. its state count or rate. */
  readonly detail: string;
}

export interface Figures {
  readonly date: string;
  readonly machine: string;
  readonly loadBefore: string;
  readonly loadAfter: string;
  readonly core: CoreFigures;
  readonly commands: readonly CommandFigure[];
  readonly review: ReviewFigures;
  readonly scale: ScaleFigures;
  readonly queue: QueueFigures;
  readonly alternatives: Alternatives;
}

const n = (x: number): string => Math.round(x).toLocaleString('en-US');
const load = (): string => loadavg().map((x) => x.toFixed(2)).join(' ');

/** Runs a command to its end; exit 1 (a violation found, for the hazard) is allowed only where `mayFail`. */
function timed(label: string, file: string, args: readonly string[], mayFail = true): { seconds: number; stdout: string } {
  const started = performance.now();
  const r = spawnSync(file, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 1 << 28 });
  const seconds = (performance.now() - started) / 1000;
  if (r.status !== 0 && !(mayFail && r.status === 1)) throw new Error(`bench: ${label} exited ${r.status ?? r.signal}: ${r.stderr.trim().split('\n').pop() ?? ''}`);
  return { seconds, stdout: r.stdout };
}

const lsmc = (args: readonly string[]) => timed(`lsmc ${args.join(' ')}`, process.execPath, [join(ROOT, 'bin/lsmc.js'), ...args]);

/** Times the README's commands, then the explorer rows; `log` gets a line as each is done. */
export async function measureFigures(log: (line: string) => void): Promise<Figures> {
  const loadBefore = load();
  const commands: CommandFigure[] = [];
  const add = (f: CommandFigure): void => {
    commands.push(f);
    log(`  ${f.command}: ${f.seconds.toFixed(1)} s, ${f.detail}`);
  };

  const check = lsmc(['check', '--json']);
  const c = JSON.parse(check.stdout) as { distinctStates: number; statesPerSecond: number; result: string };
  add({ command: 'npx lsmc check', seconds: check.seconds, detail: `${c.result}, ${n(c.distinctStates)} states, ${n(c.statesPerSecond)} states/s` });

  const out = mkdtempSync(join(tmpdir(), 'lsmc-bench-gen-'));
  try {
    const gen = lsmc(['gen', '--out', out, '--json']);
    const g = JSON.parse(gen.stdout) as { traces: number; steps: number };
    add({ command: 'npx lsmc gen --out DIR', seconds: gen.seconds, detail: `${n(g.traces)} traces, ${n(g.steps)} steps (the longest part of npm test)` });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }

  const hazard = lsmc(['check', '--set', 'validation=none', '--invariant', 'no-stale-read']);
  add({ command: 'npx lsmc check --set validation=none --invariant no-stale-read', seconds: hazard.seconds, detail: /Counterexample \((\d+ steps)/.exec(hazard.stdout)?.[1] ?? 'a counterexample' });

  const sim = lsmc(['simulate', '--runs', '20000', '--seed', '1', '--json']);
  const s = JSON.parse(sim.stdout) as { steps: number; stepsPerSecond: number };
  add({ command: 'npx lsmc simulate --runs 20000 --seed 1', seconds: sim.seconds, detail: `${n(s.steps)} steps, ${n(s.stepsPerSecond)} steps/s` });

  const replay = lsmc(['replay', 'generated-tests/traces', '--json']);
  const r = JSON.parse(replay.stdout) as { traces: number; steps: number };
  add({ command: 'npx lsmc replay generated-tests/traces', seconds: replay.seconds, detail: `${n(r.traces)} traces, ${n(r.steps)} steps` });

  const unit = timed('npm run test:unit', 'npm', ['run', '--silent', 'test:unit'], false);
  add({ command: 'npm run test:unit', seconds: unit.seconds, detail: 'tsc and the unit tests' });

  const all = timed('npm test', 'npm', ['test', '--silent'], false);
  const tests = /Tests\s+(\d+) passed/.exec(all.stdout.replace(/\u001b\[[0-9;]*m/g, ''))?.[1];
  add({ command: 'npm test', seconds: all.seconds, detail: tests === undefined ? 'the whole suite' : `the whole suite, ${tests} tests` });

  const core = measureCore(log);
  const review = measureReview(log);
  const scale = await measureScale(log);
  const queue = await measureQueue(log);
  const alternatives = measureAlternatives();
  log(alternatives.kind === 'measured' ? `  the alternatives: ${alternatives.rows.map((a) => `${a.nsPerRead?.toFixed(1) ?? '-'} ns`).join(', ')}` : `  the alternatives: not measured (${alternatives.why})`);
  const cpu = cpus();
  return {
    date: new Date().toISOString().slice(0, 10),
    machine: `${cpu.length} x ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}, Node ${process.versions.node}`,
    loadBefore,
    loadAfter: load(),
    core,
    commands,
    review,
    scale,
    queue,
    alternatives,
  };
}

function alternativesLines(alt: Alternatives): string[] {
  if (alt.kind === 'unavailable') return [`Not measured: ${alt.why}.`];
  const mem = (m: Alternative['memory'][number]): string => {
    const w = memoryWords(m);
    return `${w.figure} (${w.how})`;
  };
  return [
    `| mechanism | ns per read | ${alt.owners.map((o) => `bytes at ${n(o)} owners`).join(' | ')} | cannot |`,
    `| --- | ---: | ${alt.owners.map(() => '---:').join(' | ')} | --- |`,
    ...alt.rows.map((a) => `| ${a.name} | ${a.nsPerRead === null ? `not measured: ${a.why ?? ''}` : `${a.nsPerRead < 10 ? a.nsPerRead.toFixed(2) : n(a.nsPerRead)} (${a.per})`} | ${a.memory.map(mem).join(' | ')} | ${a.cannot} |`),
    '',
    alt.machine,
  ];
}

export function figuresMarkdown(f: Figures): string {
  const rows = f.core.rows.map((r) => {
    const bytes = r.bytesPerState === null ? '-' : r.bytesPerState.toFixed(1);
    return `| \`${r.model.replace(/^model\//, '')}\`, symmetry ${r.symmetry ? 'on' : 'off'} | ${r.explorer} | ${n(r.distinctStates)} | ${n(r.transitions)} | ${r.seconds.toFixed(1)} | ${n(r.statesPerSecond)} | ${bytes} |`;
  });
  return [
    FIGURES_MARK,
    '',
    '# Numbers',
    '',
    `Measured ${f.date} on ${f.machine};`,
    `load average (1, 5, 15 min) ${f.loadBefore} before and ${f.loadAfter} after.`,
    'Every time and rate in the documentation is on this page; state and trace counts are exact and',
    'the same on any machine. Two cores: a figure measured while something else ran is a floor.',
    '',
    '## The commands, as a user runs them',
    '',
    'Wall time of the command, Node start-up included.',
    '',
    '| command | seconds | what it reported |',
    '| --- | ---: | --- |',
    ...f.commands.map((c) => `| \`${c.command}\` | ${c.seconds.toFixed(1)} | ${c.detail} |`),
    '',
    '## The explorer',
    '',
    `Every safety invariant and deadlock, in-process (\`npm run bench\` prints the same rows). Bytes per`,
    'state counts the fingerprint table and the trace links; the plain-Map explorer is the tests\' reference.',
    '',
    '| configuration | explorer | states | transitions | seconds | states/s | bytes/state |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    '## Scale: partial-order reduction and worker threads',
    '',
    `\`lsmc check ${f.scale.model}\`, symmetry on, every property, as the command runs it (\`--workers N\`, \`--no-por\`):`,
    '',
    '| reduction | workers | states | transitions | seconds | states/s | bytes/state | speed-up on the workers |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...f.scale.rows.map((r) => {
      const one = f.scale.rows.find((x) => x.partialOrder === r.partialOrder && x.workers === 1);
      const speedup = r.workers > 1 && one !== undefined ? `${(one.seconds / r.seconds).toFixed(2)}x` : '-';
      return `| symmetry${r.partialOrder ? ' + partial order' : ''} | ${r.workers} | ${n(r.distinctStates)} | ${n(r.transitions)} | ${r.seconds.toFixed(1)} | ${n(r.statesPerSecond)} | ${r.bytesPerState.toFixed(1)} | ${speedup} |`;
    }),
    '',
    '## Scale: simulation shards on threads and through Redis',
    '',
    `\`${f.queue.command}\`, one simulation on one thread, then cut into shards (\`--shards\`) on the worker threads here and`,
    'on BullMQ through a redis-server on this machine with two `lsmc worker --concurrency 1` processes (`--queue`); the',
    'sharded runs give the same merged report either way. Steps per second over the run\'s wall time, Redis round trips included:',
    '',
    '| where | shards | walks | steps | seconds | steps/s |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...f.queue.rows.map((r) => `| ${r.how} | ${r.shards} | ${n(r.walks)} | ${n(r.steps)} | ${r.seconds.toFixed(1)} | ${n(r.stepsPerSecond)} |`),
    '',
    '## Replay',
    '',
    `Every committed trace against the reference implementation, every step checked (observation, visible`,
    `state, waits, refusals): ${n(f.core.replay.traces)} traces, ${n(f.core.replay.steps)} steps in ${f.core.replay.seconds.toFixed(2)} s, ${n(f.core.replay.stepsPerSecond)} steps/s.`,
    '',
    '## The review matrix',
    '',
    `\`lsmc review ${f.review.model}\` on the default knobs: ${f.review.variants} variants, ${f.review.cells} cells. Every cell checked on`,
    'its own, one after another in one process, against the matrix (one check per variant that goes on',
    'after violations), wall time of the command:',
    '',
    '| how | seconds |',
    '| --- | ---: |',
    `| every cell a check of its own, one after another | ${f.review.cellsSeconds.toFixed(1)} |`,
    ...f.review.matrix.map((m) => `| \`lsmc review --jobs ${m.jobs}\` | ${m.seconds.toFixed(1)} |`),
    '',
    '## The alternatives, on this machine\'s kernel',
    '',
    'What `lsmc review --html` puts beside the prototype (docs/commands.md, lsmc review, says how each is measured).',
    '',
    ...alternativesLines(f.alternatives),
    '',
  ].join('\n');
}
