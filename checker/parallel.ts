/**
 * Breadth-first exploration on worker threads (`lsmc check --workers N`). Level by level, every
 * worker expands an equal range of the level's positions, inserting successors into one shared
 * fingerprint table by compare-and-swap (shared-table.ts); then each keeps the states whose claim
 * it holds, the claim being the lowest position that reaches the state. The kept states, taken
 * worker after worker, are in the order the sequential explorer would have met them, so ids,
 * parent links, counterexamples and counts are the sequential search's, for any number of
 * workers. Two differences from explore.ts, the same for every N: a run that stops at a violation
 * finishes the level it was found in (so its counts are the level's), and the table keeps a claim
 * word beside each key (4 more bytes a slot).
 *
 * The workers build the spec themselves from a module (`makeSpec(arg)`), so that this file, like
 * explore.ts, knows nothing of what a state means.
 */
import { Worker } from 'node:worker_threads';
import { ChunkedArray } from './chunked.js';
import { type ExploreOptions, type ExploreResult, DEADLOCK, type LimitReason, maskOf, type PathBuilder, type Stats, statsOf, type Violation } from './explore.js';
import { DEFAULT_FINGERPRINT_BITS, fingerprint, fingerprintWide } from './fingerprint.js';
import { type Level, type Run, type Segment, SegmentWriter } from './level-store.js';
import { DISTINCT, type FromWorker, LIMIT, type LevelEvent, PAUSE, type ToWorker, type WorkerSetup } from './parallel-protocol.js';
import { anyLastStep, rebuildPath, type Path } from './rebuild.js';
import { grown, limitOf, newSharedTable, OLD, type SharedTable, tableBytes, TableView } from './shared-table.js';
import type { Spec } from './spec.js';
import { brokenOf, trimPath } from './trim.js';

/** Where workers get the spec: a module exporting `makeSpec(arg): Spec`, and its argument (structured-cloned). */
export interface SpecSource {
  readonly module: string;
  readonly arg: unknown;
}

export type ParallelOptions = Omit<ExploreOptions, 'onStep' | 'onNewState' | 'onDeadEnd' | 'liveness'> & { readonly workers: number; readonly source: SpecSource };

const WORKER = new URL('./parallel-worker.js', import.meta.url);
/** How often the main thread looks at the limits and the stop flag while the workers run. */
const POLL_MS = 50;

interface Found {
  readonly invariant: number;
  readonly event: LevelEvent;
}

const before = (x: LevelEvent, y: LevelEvent): boolean =>
  x.position !== y.position ? x.position < y.position : x.action !== y.action ? x.action < y.action : x.after < y.after;

export async function exploreParallel(spec: Spec, options: ParallelOptions): Promise<ExploreResult> {
  const started = performance.now();
  const n = Math.max(1, Math.floor(options.workers));
  const bits = options.fingerprintBits ?? DEFAULT_FINGERPRINT_BITS;
  const width = bits / 32;
  const words = spec.stateBytes >> 2;
  const partialOrder = options.partialOrder === true && !spec.mayCycle && spec.persistentAction !== undefined;
  const keepGoing = options.continueAfterViolation === true;
  const live = { state: maskOf(spec, 'state', options.invariantMask), step: maskOf(spec, 'step', options.invariantMask), deadlock: options.checkDeadlock };

  const counters = new Int32Array(new SharedArrayBuffer(3 * 4));
  let table: SharedTable = newSharedTable(1 << 16, width);
  const parents = ChunkedArray.int32();
  const actions = ChunkedArray.unsignedBelow(spec.actionCount + 1);
  const found: Violation[] = [];
  let transitions = 0;
  let persistentStates = 0;
  let depth = 0;
  let queuePeak = 0;

  const distinct = (): number => parents.length;
  const stats = (states = distinct()): Stats =>
    statsOf({
      states,
      transitions,
      depth,
      started,
      storeBytes: tableBytes(table) + parents.bytes + actions.bytes,
      queuePeak,
      bits,
      symmetry: options.symmetry,
      partialOrder,
      persistentStates,
      workers: n,
    });
  const links = { parents, actions };
  const pathTo: PathBuilder = (fromId, action, lastOk) => rebuildPath(spec, links, fromId, action, options.symmetry, lastOk);
  const ended = (stopped: 'first-violation' | 'all-broken' | LimitReason | null, states?: number): ExploreResult => ({
    kind: 'violation',
    invariant: found[0].invariant,
    path: found[0].path,
    violations: found,
    stopped,
    stats: stats(states),
  });
  const limited = (reason: LimitReason, states?: number): ExploreResult => (found.length > 0 ? ended(reason, states) : { kind: 'limit', reason, stats: stats(states), pathTo });
  const report = (invariant: number, path: Path): void => {
    const name = invariant < 0 ? DEADLOCK : spec.invariants[invariant].name;
    const bit = invariant < 0 ? 0 : 1 << invariant;
    const trimmed = partialOrder ? { actions: trimPath(spec, path.actions, brokenOf(spec, invariant)) } : path;
    found.push({ invariant: name, path: trimmed });
    live.state &= ~bit;
    live.step &= ~bit;
    if (invariant < 0) live.deadlock = false;
  };
  const allBroken = (): boolean => live.state === 0 && live.step === 0 && !live.deadlock;

  // The initial state: id 0, level 0.
  const init = new Uint8Array(spec.stateBytes);
  spec.init(init);
  if (options.symmetry) spec.canonicalize(init);
  const initWords = new Int32Array(init.buffer);
  const fp = new Int32Array(width);
  if (width === 2) fingerprint(initWords, words, fp);
  else fingerprintWide(initWords, words, fp, width);
  new TableView(table).insert(fp, OLD);
  parents.push(-1);
  actions.push(spec.actionCount);
  Atomics.store(counters, DISTINCT, 1);
  Atomics.store(counters, LIMIT, limitOf(table));
  const initBad = spec.violations(init, live.state);
  if (initBad !== 0) {
    for (let i = 0; i < spec.invariants.length; i++) if ((initBad & (1 << i)) !== 0 && (keepGoing || found.length === 0)) report(i, { actions: [] });
    if (!keepGoing) return ended('first-violation');
    if (allBroken()) return ended('all-broken');
  }
  const first = new SegmentWriter(words);
  first.push(initWords, 0, 0, 0, 0);
  let level: Level = { segments: [first.segment()], runs: [{ segment: 0, offset: 0, count: 1 }] };
  let levelCount = 1;
  let levelStart = 0;
  /** New states per state of the level before: what the next level's table room is guessed from. */
  let branching = 4;
  const chunkCounter = new Int32Array(new SharedArrayBuffer(4));

  const setup: WorkerSetup = { specModule: options.source.module, specArg: options.source.arg, width, symmetry: options.symmetry, partialOrder, counters: counters.buffer as SharedArrayBuffer };
  const workers = Array.from({ length: n }, () => new Worker(WORKER, { workerData: setup }));
  const inbox = workers.map(() => new Inbox());
  const failure = new Promise<never>((_, reject) => {
    for (const [i, w] of workers.entries()) {
      w.on('message', (m: FromWorker) => inbox[i].put(m));
      w.on('error', reject);
      w.on('exit', (code) => {
        if (code !== 0) reject(new Error(`exploration worker ${i} exited with code ${code}`));
      });
    }
  });
  const send = (i: number, m: ToWorker): void => workers[i].postMessage(m);
  const take = (i: number): Promise<FromWorker> => Promise.race([inbox[i].take(), failure]);

  let lastProgress = started;
  const progressEvery = options.progressEveryMs ?? 2000;
  let why: LimitReason | null = null;
  const watch = setInterval(() => {
    const now = performance.now();
    const states = Atomics.load(counters, DISTINCT);
    if (why === null) {
      if (options.maxStates !== undefined && states >= options.maxStates) why = 'max-states';
      else if (options.maxSeconds !== undefined && (now - started) / 1000 >= options.maxSeconds) why = 'max-seconds';
      else if (options.shouldStop?.()) why = 'interrupted';
      if (why !== null) Atomics.store(counters, PAUSE, 1);
    }
    if (options.onProgress !== undefined && now - lastProgress >= progressEvery) {
      lastProgress = now;
      options.onProgress({ distinct: states, transitions, depth, queued: levelCount, seconds: (now - started) / 1000 });
    }
  }, POLL_MS);

  try {
    while (levelCount > 0) {
      // Phase 1: every worker expands its range; a pause (the table is full, or a limit) stops them all at a state's end.
      const events: Found[] = [];
      // Room for the level's new states now, while no worker inserts; a pause grows it if the guess was short.
      const room = distinct() + Math.ceil(levelCount * branching * 1.25);
      if (room > limitOf(table)) {
        table = grown(table, room);
        Atomics.store(counters, LIMIT, limitOf(table));
      }
      // Chunks small enough to share the work out evenly (a state's cost varies a lot along a level).
      const chunkSize = Math.max(16, Math.min(4096, Math.ceil(levelCount / (n * 64))));
      const chunks = Math.ceil(levelCount / chunkSize);
      Atomics.store(chunkCounter, 0, 0);
      for (let i = 0; i < n; i++)
        send(i, { type: 'expand', level, chunks, chunkSize, chunkCounter: chunkCounter.buffer as SharedArrayBuffer, table, stepMask: live.step, checkDeadlock: live.deadlock });
      let pending = workers.map((_, i) => i);
      for (;;) {
        const replies = await Promise.all(pending.map((i) => take(i)));
        const paused: number[] = [];
        replies.forEach((r, k) => {
          if (r.type === 'paused') paused.push(pending[k]);
          else if (r.type === 'expanded') {
            transitions += r.transitions;
            persistentStates += r.persistent;
            for (const e of r.events) events.push({ invariant: e.invariant, event: e });
          }
        });
        if (paused.length === 0) break;
        if (why !== null) return limited(why, Atomics.load(counters, DISTINCT));
        table = grown(table);
        Atomics.store(counters, LIMIT, limitOf(table));
        Atomics.store(counters, PAUSE, 0);
        for (const i of paused) send(i, { type: 'resume', table });
        pending = paused;
      }
      // A worker that filled the table may have finished its range before anyone paused.
      if (Atomics.load(counters, PAUSE) !== 0 && why === null) {
        table = grown(table);
        Atomics.store(counters, LIMIT, limitOf(table));
        Atomics.store(counters, PAUSE, 0);
      }
      // Phase 2: each worker keeps the states it reached first, in breadth-first order.
      for (let i = 0; i < n; i++) send(i, { type: 'compact', table, stateMask: live.state });
      const kept = await Promise.all(workers.map((_, i) => take(i)));
      // The kept runs in chunk order are the next level, in the order the sequential search meets it.
      const byChunk: { worker: number; offset: number; count: number }[] = [];
      const segments: Segment[] = [];
      kept.forEach((r, w) => {
        if (r.type !== 'compacted') throw new Error('exploration worker: expected its kept states');
        for (const run of r.runs) byChunk[run.chunk] = { worker: w, offset: run.offset, count: run.count };
        for (const e of r.events) events.push({ invariant: e.invariant, event: e });
        segments.push(r.segment);
      });
      const runs: Run[] = [];
      for (const run of byChunk) {
        if (run === undefined || run.count === 0) continue;
        const reached = (kept[run.worker] as Extract<FromWorker, { type: 'compacted' }>).reached;
        for (let k = run.offset * 2; k < (run.offset + run.count) * 2; k += 2) {
          parents.push(levelStart + reached[k]);
          actions.push(reached[k + 1]);
        }
        runs.push({ segment: run.worker, offset: run.offset, count: run.count });
      }
      const nextCount = distinct() - levelStart - levelCount;
      // The states of two levels: what the queue holds whatever the workers' blocks (so the same for every N).
      queuePeak = Math.max(queuePeak, (levelCount + nextCount) * spec.stateBytes);

      // The first event of each invariant, in breadth-first order; ties go to the lower invariant.
      const firsts = new Map<number, Found>();
      for (const f of events) {
        const had = firsts.get(f.invariant);
        if (had === undefined || before(f.event, had.event)) firsts.set(f.invariant, f);
      }
      const ordered = [...firsts.values()].sort((x, y) => (before(x.event, y.event) ? -1 : before(y.event, x.event) ? 1 : x.invariant - y.invariant));
      for (const f of keepGoing ? ordered : ordered.slice(0, 1)) {
        const { position, action, after } = f.event;
        const from = levelStart + position;
        if (f.invariant < 0) report(f.invariant, rebuildPath(spec, links, from, -1, options.symmetry, anyLastStep));
        else {
          const bit = 1 << f.invariant;
          const lastOk = after === 0 ? (_a: number, _f: Uint8Array, _t: Uint8Array, bad: number) => (bad & bit) === bit : anyLastStep;
          report(f.invariant, rebuildPath(spec, links, from, action, options.symmetry, lastOk));
        }
      }
      if (ordered.length > 0 && !keepGoing) return ended('first-violation');
      if (ordered.length > 0 && allBroken()) return ended('all-broken');

      branching = Math.max(1, nextCount / levelCount);
      levelStart += levelCount;
      level = { segments, runs };
      levelCount = nextCount;
      if (levelCount > 0) depth++;
      if (why !== null) return limited(why);
    }
    return found.length > 0 ? ended(null) : { kind: 'ok', stats: stats(), pathTo };
  } finally {
    clearInterval(watch);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Messages from one worker, taken one at a time in the order they came. */
class Inbox {
  private readonly queue: FromWorker[] = [];
  private waiting: ((m: FromWorker) => void) | null = null;
  put(m: FromWorker): void {
    if (this.waiting !== null) {
      const w = this.waiting;
      this.waiting = null;
      w(m);
    } else this.queue.push(m);
  }
  take(): Promise<FromWorker> {
    const m = this.queue.shift();
    if (m !== undefined) return Promise.resolve(m);
    return new Promise((resolve) => (this.waiting = resolve));
  }
}
