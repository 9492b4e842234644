/**
 * The soak's report: text for people (the last line is always `violations: N`), one JSON object
 * for programs, and the progress line. Violations count reads that broke at least one invariant
 * (a fault included), and distinct findings in the kernel's records at quiescent points; the
 * breakdown counts each invariant a read broke, so it may add up to more.
 */
import { flatConfig, REFERENCE_KNOBS } from '../../spec/knobs.js';
import type { ViolatingRead } from './counts.js';
import type { SoakResult, SoakTotals } from './run.js';
import type { SoakSetup } from './setup.js';
import { counterOf, likelyUid, MAX_COUNTER, UID_BITS } from './words.js';

export interface SoakContext {
  readonly setup: SoakSetup;
  readonly modelArg: string;
  readonly sets: readonly string[];
  readonly writers: number;
  readonly readers: number;
  readonly pauseUs: number;
  readonly pauseOneIn: number;
}

const n = (x: number): string => Math.round(x).toLocaleString('en-US');
const rate = (count: number, seconds: number): number => (seconds > 0 ? count / seconds : 0);

export function violationsOf(t: SoakTotals): number {
  return t.reader.violatingReads + Object.values(t.consistency.findings).reduce((a, b) => a + b, 0) + t.writer.pidClashes;
}

function consistencyLine(t: SoakTotals): string {
  const c = t.consistency;
  return `kernel records: checked at ${n(c.points)} quiescent point(s) (every thread between operations, and at the end): ${Object.entries(c.findings).map(([k, v]) => `${k} ${n(v)}`).join(', ')}; ${n(t.writer.pidClashes)} spawn(s) found their new pid number held by another task`;
}

function knobsText(setup: SoakSetup): string {
  const changed = Object.entries(setup.config.knobs).filter(([k, v]) => REFERENCE_KNOBS[k as keyof typeof REFERENCE_KNOBS] !== v);
  return changed.length === 0 ? 'the reference design' : changed.map(([k, v]) => `${k}=${v}`).join(' ');
}

/** One violating read told for people: who asked about whom, what it accepted, and for whom that was written. */
export function describeViolation(v: ViolatingRead, slotsPerPage: number): string {
  const who = `reader R${v.reader + 1}`;
  const where = v.via === 'read' ? `read its cached index ${v.index}` : `scanned index ${v.index}`;
  if (v.broken.includes('no-fault')) return `${who} ${where}${v.uid !== 0 ? ` (owner uid ${v.uid})` : ''} and touched unmapped page ${Math.floor(v.index / slotsPerPage)}: no-fault`;
  const asked = v.via === 'read' ? `${who} ${where} for owner uid ${v.uid}` : `${who} ${where}, whose slot named owner uid ${v.uid},`;
  const word = (w: number): string => (w === 0 ? '0 (cleared, nobody\'s)' : `update ${counterOf(w)} written for uid ${likelyUid(w, v.uid)}`);
  const after = v.previous === null ? '' : `, after it had already accepted update ${v.previous} for that uid`;
  return `${asked} and accepted word 1 = ${word(v.word1)}, word 2 = ${word(v.word2)}${after}: ${v.broken.join(', ')}`;
}

export function soakNotes(ctx: SoakContext, r: SoakResult): string[] {
  const notes: string[] = [];
  if (ctx.pauseUs > 0)
    notes.push(`one update in ${ctx.pauseOneIn} sleeps ${ctx.pauseUs} µs after each of its steps (a futex wait, tens of µs in practice), to widen the windows between steps that real timing leaves narrow (--pause-us 0 turns it off)`);
  notes.push('lookups whose loads interleaved with a destroy, a reuse or a recycle (the real syscall is one atomic step under RCU) are dropped, not judged');
  if (r.uids >= 2 ** UID_BITS) notes.push(`${n(r.uids)} uids were handed out; value words carry a uid modulo 2^${UID_BITS}, which could hide a stale read between owners 2^${UID_BITS} spawns apart, never invent one`);
  if (ctx.setup.config.knobs.lifecycle === 'stay-alive')
    notes.push(`lifecycle=stay-alive: owners never die, so each is updated at most ${MAX_COUNTER} times (the range of a word's update counter); after that its element is deleted and not re-created`);
  if (r.interrupted) notes.push('interrupted: a partial report');
  if (r.stuck.length > 0) notes.push(`${r.stuck.join(', ')} did not stop within 10 s and ${r.stuck.length === 1 ? 'was' : 'were'} terminated; ${r.stuck.length === 1 ? 'its' : 'their'} last reported counts are used`);
  return notes;
}

export function renderSoak(ctx: SoakContext, r: SoakResult): string {
  const s = ctx.setup.shape;
  const w = r.writer;
  const rd = r.reader;
  const b = ctx.setup.config.bounds;
  const pause = w.pausedUpdates > 0 ? ` (${n(w.pausedUpdates)} paused)` : '';
  const lines = [
    `lsmc soak: the reference implementation under real concurrency, ${r.seconds.toFixed(1)} s; knobs: ${knobsText(ctx.setup)} (${ctx.modelArg}${ctx.sets.map((x) => ` --set ${x}`).join('')})`,
    `  ${ctx.writers} writer and ${ctx.readers} reader threads; ${s.owners} owner records, ${b.pidNumbers} pid numbers, ${s.slotsPerPage} slots per page, ${s.maxPages} pages, ${b.readRetries} read retries`,
    `kernel: ${n(w.spawns)} owners spawned, ${n(w.creates)} elements created (${n(w.nomem)} nomem), ${n(w.updates)} updates${pause}, ${n(w.deletes)} deletes, ${n(w.exits)} exits, ${n(w.frees)} frees, ${n(w.gracePeriods)} grace periods, ${n(w.recycles)} records recycled; published size ${r.publishedSize}`,
    `reads: ${n(rate(rd.reads, r.seconds))} reads/s; ${n(rd.reads)} reads (${n(rd.scans)} of them scans): ${n(rd.accepted)} accepted, ${n(rd.retries)} retries, ${n(rd.busy)} busy, ${n(rd.gone)} gone, ${n(rd.notVisible)} not-visible, ${n(rd.faults)} faults`,
    `lookups: ${n(rd.lookups)} (${n(rd.lookupAnswers)} answered with an index, ${n(rd.lookupEnoent)} ENOENT, ${n(rd.lookupRaced)} raced and dropped)`,
    `invariants: ${Object.entries(r.invariants).map(([k, v]) => `${k} ${n(v)}`).join(', ')}`,
    consistencyLine(r),
  ];
  if (r.first.length > 0) {
    lines.push('first violating reads:');
    for (const v of r.first) lines.push(`  ${v.at.toFixed(3).padStart(8)} s  ${describeViolation(v, s.slotsPerPage)}`);
  }
  if (r.consistency.first.length > 0) {
    lines.push('first findings in the kernel records:');
    for (const f of r.consistency.first) lines.push(`  ${f.at.toFixed(3).padStart(8)} s  ${f.text}: ${f.check}`);
  }
  const notes = soakNotes(ctx, r);
  if (notes.length > 0) {
    lines.push('notes:');
    for (const note of notes) lines.push(`  - ${note}`);
  }
  lines.push(`violations: ${n(violationsOf(r))}`);
  return lines.join('\n');
}

export function soakJson(ctx: SoakContext, r: SoakResult): Record<string, unknown> {
  const rd = r.reader;
  return {
    command: 'soak',
    model: ctx.setup.model.name,
    sets: ctx.sets,
    config: flatConfig(ctx.setup.config),
    shape: ctx.setup.shape,
    writers: ctx.writers,
    readers: ctx.readers,
    pauseUs: ctx.pauseUs,
    pauseOneIn: ctx.pauseOneIn,
    seconds: r.seconds,
    interrupted: r.interrupted,
    stuck: r.stuck,
    readsPerSecond: rate(rd.reads, r.seconds),
    reads: rd.reads,
    scans: rd.scans,
    accepted: rd.accepted,
    retries: rd.retries,
    busy: rd.busy,
    gone: rd.gone,
    notVisible: rd.notVisible,
    faults: rd.faults,
    lookups: { total: rd.lookups, answered: rd.lookupAnswers, enoent: rd.lookupEnoent, raced: rd.lookupRaced },
    kernel: { ...r.writer, uids: r.uids, publishedSize: r.publishedSize },
    invariants: r.invariants,
    consistency: r.consistency,
    firstViolations: r.first.map((v) => ({ ...v, description: describeViolation(v, ctx.setup.shape.slotsPerPage) })),
    notes: soakNotes(ctx, r),
    violations: violationsOf(r),
  };
}

export function soakProgressLine(t: SoakTotals, total: number): string {
  const rd = t.reader;
  return `soak: ${Math.floor(t.seconds)} s of ${total}, ${n(rate(rd.reads, t.seconds))} reads/s, ${n(rd.accepted)} accepted, ${n(rd.retries)} retries, ${n(rd.busy)} busy, ${n(t.writer.updates)} updates, ${n(violationsOf(t))} violations`;
}
