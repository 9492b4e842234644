/**
 * One worker of a parallel exploration (parallel.ts is the other side): it builds the spec from the
 * module it is given, then, level by level, expands a range of the level's positions into its own
 * segment (phase 1) and keeps of that segment the states whose claim it holds (phase 2). It knows
 * nothing of what a state means.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { fingerprint, fingerprintWide } from './fingerprint.js';
import { type Block, BlockPool, LevelReader, type Record_, SegmentWriter } from './level-store.js';
import { INSERTED, KNOWN, OLD, type SharedTable, TableView } from './shared-table.js';
import { actionsToTry, type Spec } from './spec.js';
import { type ChunkRun, DISTINCT, type FromWorker, LIMIT, type LevelEvent, PAUSE, PUBLISH_EVERY, type ToWorker, type WorkerSetup } from './parallel-protocol.js';

const setup = workerData as WorkerSetup;
const port = parentPort;
if (port === null) throw new Error('parallel-worker must run as a worker thread');
const { makeSpec } = (await import(setup.specModule)) as { makeSpec: (arg: unknown) => Spec };
const spec = makeSpec(setup.specArg);
const counters = new Int32Array(setup.counters);
const words = spec.stateBytes >> 2;
const cur = new Uint8Array(spec.stateBytes);
const next = new Uint8Array(spec.stateBytes);
const curWords = new Int32Array(cur.buffer);
const nextWords = new Int32Array(next.buffer);
const fp = new Int32Array(setup.width);
const record: Record_ = { position: 0, action: 0, slot: 0, epoch: 0 };
const persistentAction = setup.partialOrder ? spec.persistentAction?.bind(spec) : undefined;
const range = new Int32Array(2);

const keyOf = (fpOut: Int32Array): void => {
  if (setup.width === 2) fingerprint(nextWords, words, fpOut);
  else fingerprintWide(nextWords, words, fpOut, setup.width);
};

/** Keeps the first event of each invariant in breadth-first order (position, action, then after). */
class Events {
  private readonly first = new Map<number, LevelEvent>();
  note(invariant: number, position: number, actionIndex: number, after: number): void {
    const e = this.first.get(invariant);
    if (e !== undefined && (e.position < position || (e.position === position && (e.action < actionIndex || (e.action === actionIndex && e.after <= after))))) return;
    this.first.set(invariant, { invariant, position, action: actionIndex, after });
  }
  noteMask(mask: number, position: number, actionIndex: number, after: number): void {
    for (let i = 0; mask !== 0; i++, mask >>>= 1) if ((mask & 1) !== 0) this.note(i, position, actionIndex, after);
  }
  list(): LevelEvent[] {
    return [...this.first.values()];
  }
}

/** The expansion under way: the chunk it is in, where it stands, and what it found so far. */
let job: {
  reader: LevelReader;
  count: number;
  chunks: number;
  chunkSize: number;
  chunkCounter: Int32Array;
  chunk: number;
  runStart: number;
  q: number;
  hi: number;
  table: TableView;
  epoch: number;
  stepMask: number;
  checkDeadlock: boolean;
  transitions: number;
  persistent: number;
  events: Events;
} | null = null;
const pool = new BlockPool(words);
let writer = new SegmentWriter(words, pool);
/** Blocks of the level this worker wrote last (the one to be expanded next), and of the level before it. */
let newest: Block[] = [];
let older: Block[] = [];
/** The runs this level's expansion wrote, in writer order (and so in chunk order: chunks are taken in increasing order). */
let runs: ChunkRun[] = [];
let unpublished = 0;

function publish(): void {
  if (unpublished === 0) return;
  const total = Atomics.add(counters, DISTINCT, unpublished) + unpublished;
  unpublished = 0;
  if (total > Atomics.load(counters, LIMIT)) Atomics.store(counters, PAUSE, 1);
}

function expand(): FromWorker {
  const j = job;
  if (j === null) throw new Error('parallel-worker: resume without an expansion');
  const { reader, events } = j;
  for (;;) {
    if (j.q >= j.hi) {
      if (j.chunk >= 0) runs.push({ chunk: j.chunk, offset: j.runStart, count: writer.count - j.runStart });
      j.chunk = Atomics.add(j.chunkCounter, 0, 1);
      if (j.chunk >= j.chunks) break;
      j.q = j.chunk * j.chunkSize;
      j.hi = Math.min(j.count, j.q + j.chunkSize);
      j.runStart = writer.count;
    }
    if (Atomics.load(counters, PAUSE) !== 0) {
      publish();
      return { type: 'paused' };
    }
    const q = j.q++;
    const table = j.table;
    reader.read(q, curWords);
    if (actionsToTry(spec, persistentAction, cur, range)) j.persistent++;
    const end = range[1];
    let enabled = 0;
    for (let a = range[0]; a < end; a++) {
      const bad = spec.step(a, cur, next);
      if (bad < 0) continue;
      enabled++;
      j.transitions++;
      if ((bad & j.stepMask) !== 0) events.noteMask(bad & j.stepMask, q, a, 0);
      if (setup.symmetry) spec.canonicalize(next);
      keyOf(fp);
      const r = table.insert(fp, q + 1);
      if (r === KNOWN) continue;
      writer.push(nextWords, q, a, table.slot, j.epoch);
      if (r === INSERTED && ++unpublished === PUBLISH_EVERY) publish();
    }
    if (enabled === 0 && j.checkDeadlock && !spec.isFinal(cur)) events.note(-1, q, spec.actionCount, 0);
  }
  publish();
  const done: FromWorker = { type: 'expanded', transitions: j.transitions, persistent: j.persistent, events: j.events.list() };
  job = null;
  return done;
}

/**
 * Keeps the states whose claim this worker's record holds (one record per state holds it: the
 * lowest position's), marks them OLD, and checks the state invariants on them.
 */
function compact(tableBuffers: SharedTable, stateMask: number): FromWorker {
  const table = new TableView(tableBuffers);
  const events = new Events();
  const reached: number[] = [];
  const kept: ChunkRun[] = [];
  let to = 0;
  for (const run of runs) {
    const offset = to;
    for (let i = run.offset; i < run.offset + run.count; i++) {
      writer.read(i, nextWords, record);
      let slot = record.slot;
      if (record.epoch !== tableBuffers.epoch) {
        keyOf(fp);
        slot = table.find(fp);
      }
      if (slot < 0 || table.claims[slot] !== record.position + 1) continue;
      table.claims[slot] = OLD;
      reached.push(record.position, record.action);
      if (stateMask !== 0) {
        const bad = spec.violations(next, stateMask);
        if (bad !== 0) events.noteMask(bad, record.position, record.action, 1);
      }
      if (to !== i) writer.moveTo(to, nextWords, record);
      to++;
    }
    kept.push({ chunk: run.chunk, offset, count: to - offset });
  }
  writer.truncate(to);
  const segment = writer.segment();
  newest = writer.written();
  writer = new SegmentWriter(words, pool);
  runs = [];
  return { type: 'compacted', reached: Int32Array.from(reached), runs: kept, segment, events: events.list() };
}

port.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'expand':
      // Every worker has finished expanding the level before this one: its states are read no more.
      pool.give(older);
      older = newest;
      newest = [];
      job = {
        reader: new LevelReader(m.level, words),
        count: m.level.runs.reduce((sum, r) => sum + r.count, 0),
        chunks: m.chunks,
        chunkSize: m.chunkSize,
        chunkCounter: new Int32Array(m.chunkCounter),
        chunk: -1,
        runStart: 0,
        q: 0,
        hi: 0,
        table: new TableView(m.table),
        epoch: m.table.epoch,
        stepMask: m.stepMask,
        checkDeadlock: m.checkDeadlock,
        transitions: 0,
        persistent: 0,
        events: new Events(),
      };
      port.postMessage(expand());
      return;
    case 'resume':
      if (job !== null) {
        job.table = new TableView(m.table);
        job.epoch = m.table.epoch;
      }
      port.postMessage(expand());
      return;
    case 'compact': {
      const r = compact(m.table, m.stateMask);
      port.postMessage(r, r.type === 'compacted' ? [r.reached.buffer as ArrayBuffer] : []);
      return;
    }
    case 'exit':
      port.close();
      return;
  }
});
