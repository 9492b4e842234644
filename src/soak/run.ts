/**
 * The main thread of a soak: build the map, start the writer and reader threads, let them run for
 * the time asked (or until stop() is called, on Ctrl-C), stop them, and add up what they counted.
 */
import { Worker } from 'node:worker_threads';
import { ReferenceMap } from '../reference/map.js';
import { G_NEXT_UID, G_PUBLISHED_SIZE } from '../reference/memory.js';
import { CONSISTENCY_CHECKS, type ConsistencyCheck, checkConsistency } from './consistency.js';
import { CTL_GO, CTL_PAUSE, CTL_PAUSED, CTL_STOP, CTL_WORDS, type WorkerInput } from './control.js';
import {
  addInto,
  FIRST_KEPT,
  type InvariantCounts,
  invariantCounts,
  type ReaderCounts,
  readerCounts,
  type Tally,
  type ViolatingRead,
  type WorkerMessage,
  type WriterCounts,
  writerCounts,
} from './counts.js';
import { SOAK_INVARIANTS } from './judge.js';
import type { SoakSetup } from './setup.js';

export interface SoakRequest {
  readonly setup: SoakSetup;
  readonly seconds: number;
  readonly writers: number;
  readonly readers: number;
  /** Sleep between the steps of a paused update, in microseconds; 0 never pauses. */
  readonly pauseUs: number;
  readonly pauseOneIn: number;
  readonly progressEveryMs: number;
}

/** The kernel's own records, checked whenever every thread was between operations, and at the end. */
export interface ConsistencyTotals {
  readonly points: number;
  /** Per check, the distinct findings (a finding that persists counts once). */
  readonly findings: Readonly<Record<ConsistencyCheck, number>>;
  readonly first: readonly { readonly at: number; readonly check: ConsistencyCheck; readonly text: string }[];
}

export interface SoakTotals {
  readonly seconds: number;
  readonly writer: WriterCounts;
  readonly reader: ReaderCounts;
  readonly invariants: InvariantCounts;
  readonly first: readonly ViolatingRead[];
  readonly consistency: ConsistencyTotals;
}

export interface SoakResult extends SoakTotals {
  readonly interrupted: boolean;
  /** Threads that did not stop in time and were terminated; their last progress counts are used. */
  readonly stuck: readonly string[];
  readonly uids: number;
  readonly publishedSize: number;
}

interface Thread {
  readonly name: string;
  readonly worker: Worker;
  finished: boolean;
}

/** How long stopped threads may take to finish the operation they are in. */
const STOP_GRACE_MS = 10_000;
/** How often every thread is stopped between operations to check the kernel's records. */
const QUIESCE_EVERY_MS = 1_000;
/** How long a pause may take to reach every thread before that check is given up. */
const QUIESCE_WAIT_MS = 2_000;
/** Distinct findings kept in full; the rest are counted. */
const FINDINGS_KEPT = 5;

const sleep = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms));

/** The first read to break each invariant, then the earliest others, up to FIRST_KEPT, in time order. */
function pickFirst(all: ViolatingRead[]): ViolatingRead[] {
  const byTime = [...all].sort((a, b) => a.at - b.at);
  const picked = new Set<ViolatingRead>();
  for (const name of SOAK_INVARIANTS) {
    const first = byTime.find((v) => v.broken.includes(name));
    if (first !== undefined && picked.size < FIRST_KEPT) picked.add(first);
  }
  for (const v of byTime) if (picked.size < FIRST_KEPT) picked.add(v);
  return byTime.filter((v) => picked.has(v));
}

export class Soak {
  private readonly control = new SharedArrayBuffer(CTL_WORDS * 4);
  private readonly ctl = new Int32Array(this.control);
  private readonly map: ReferenceMap;
  private readonly latest = new Map<string, Tally>();
  private startedAt = 0;
  private stoppedAt = 0;
  private interrupted = false;
  private timer: NodeJS.Timeout | null = null;
  private progress: NodeJS.Timeout | null = null;
  private readonly threads: Thread[] = [];
  private quiescing: NodeJS.Timeout | null = null;
  private pausing = false;
  private points = 0;
  private readonly seen = new Set<string>();
  private readonly findings = Object.fromEntries(CONSISTENCY_CHECKS.map((c) => [c, 0])) as Record<ConsistencyCheck, number>;
  private readonly firstFindings: { at: number; check: ConsistencyCheck; text: string }[] = [];

  constructor(private readonly request: SoakRequest) {
    this.map = ReferenceMap.create(request.setup.config, request.setup.shape);
  }

  /** Ends the run early (Ctrl-C); the report is then a partial one. */
  interrupt(): void {
    if (this.stoppedAt !== 0) return;
    this.interrupted = true;
    if (this.startedAt !== 0) this.stop();
  }

  /** The counts so far, as the threads last reported them. */
  totals(): SoakTotals {
    const writer = writerCounts();
    const reader = readerCounts();
    const invariants = invariantCounts();
    const first: ViolatingRead[] = [];
    for (const t of this.latest.values()) {
      if (t.role === 'writer') addInto(writer, t.counts);
      else {
        addInto(reader, t.counts);
        addInto(invariants, t.invariants);
        first.push(...t.first);
      }
    }
    const end = this.stoppedAt === 0 ? performance.now() : this.stoppedAt;
    const seconds = this.startedAt === 0 ? 0 : (end - this.startedAt) / 1000;
    const consistency = { points: this.points, findings: { ...this.findings }, first: [...this.firstFindings] };
    return { seconds, writer, reader, invariants, first: pickFirst(first), consistency };
  }

  private checkRecords(): void {
    this.points++;
    const at = (performance.now() - this.startedAt) / 1000;
    for (const f of checkConsistency(this.map)) {
      const key = `${f.check}: ${f.text}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      this.findings[f.check]++;
      if (this.firstFindings.length < FINDINGS_KEPT) this.firstFindings.push({ at, ...f });
    }
  }

  /** Stops every thread between operations, checks the kernel's records, and lets them go on. */
  private async quiesce(): Promise<void> {
    if (this.pausing || this.stoppedAt !== 0) return;
    this.pausing = true;
    const deadline = performance.now() + QUIESCE_WAIT_MS;
    const waitFor = async (done: () => boolean): Promise<boolean> => {
      while (!done()) {
        if (this.stoppedAt !== 0 || performance.now() > deadline) return false;
        await sleep(1);
      }
      return true;
    };
    // Every thread has left the last pause before this one begins.
    if (await waitFor(() => Atomics.load(this.ctl, CTL_PAUSED) === 0)) {
      Atomics.store(this.ctl, CTL_PAUSE, 1);
      if (await waitFor(() => Atomics.load(this.ctl, CTL_PAUSED) === this.threads.length)) this.checkRecords();
      Atomics.store(this.ctl, CTL_PAUSE, 0);
      Atomics.notify(this.ctl, CTL_PAUSE);
    }
    this.pausing = false;
  }

  async run(onProgress: (t: SoakTotals) => void): Promise<SoakResult> {
    const r = this.request;
    const inputs: WorkerInput[] = [
      ...Array.from({ length: r.writers }, (_, id) => this.input('writer', id)),
      ...Array.from({ length: r.readers }, (_, id) => this.input('reader', id)),
    ];
    const ready: Promise<void>[] = [];
    const done: Promise<string | null>[] = [];
    for (const input of inputs) {
      const thread: Thread = { name: `${input.role} ${input.id + 1}`, worker: new Worker(new URL('./worker.js', import.meta.url), { workerData: input }), finished: false };
      this.threads.push(thread);
      let onReady: () => void = () => undefined;
      ready.push(new Promise<void>((res) => (onReady = res)));
      done.push(
        new Promise<string | null>((res, rej) => {
          thread.worker.on('message', (m: WorkerMessage) => {
            if (m.type === 'ready') return onReady();
            this.latest.set(`${m.tally.role} ${m.tally.id}`, m.tally);
            if (m.type === 'done') {
              thread.finished = true;
              res(null);
            }
          });
          thread.worker.on('error', rej);
          // An exit without 'done' is a thread that was terminated while stuck.
          thread.worker.on('exit', () => res(thread.name));
        }),
      );
    }
    const early = Promise.all(done).then(() => Promise.reject(new Error('a soak thread ended before the start')));
    await Promise.race([Promise.all(ready), early]);
    early.catch(() => undefined);

    this.startedAt = performance.now();
    Atomics.store(this.ctl, CTL_GO, 1);
    Atomics.notify(this.ctl, CTL_GO);
    this.timer = setTimeout(() => this.stop(), r.seconds * 1000);
    if (this.interrupted) this.stop();
    this.progress = setInterval(() => onProgress(this.totals()), r.progressEveryMs);
    this.quiescing = setInterval(() => void this.quiesce(), QUIESCE_EVERY_MS);
    let stuck: string[];
    try {
      stuck = (await Promise.all(done)).filter((n): n is string => n !== null);
    } finally {
      if (this.progress !== null) clearInterval(this.progress);
      if (this.quiescing !== null) clearInterval(this.quiescing);
      if (this.timer !== null) clearTimeout(this.timer);
      await Promise.all(this.threads.map((t) => t.worker.terminate()));
    }
    // Every thread that finished stopped between operations; a stuck one may be inside one.
    if (stuck.length === 0) this.checkRecords();
    const m = this.map.memory;
    return { ...this.totals(), interrupted: this.interrupted, stuck, uids: m.load(G_NEXT_UID), publishedSize: m.load(G_PUBLISHED_SIZE) };
  }

  private stop(): void {
    if (this.stoppedAt !== 0) return;
    this.stoppedAt = performance.now();
    Atomics.store(this.ctl, CTL_STOP, 1);
    if (this.progress !== null) clearInterval(this.progress);
    if (this.quiescing !== null) clearInterval(this.quiescing);
    if (this.timer !== null) clearTimeout(this.timer);
    // Each thread ends the operation it is in and reports; one that cannot is stuck (a lock never
    // released, say) and is terminated, with the counts it reported last.
    this.timer = setTimeout(() => {
      for (const t of this.threads) if (!t.finished) void t.worker.terminate();
    }, STOP_GRACE_MS);
  }

  private input(role: 'writer' | 'reader', id: number): WorkerInput {
    const r = this.request;
    return {
      role,
      id,
      handle: this.map.handle(),
      control: this.control,
      plan: { id, writers: r.writers, pauseMs: r.pauseUs / 1000, pauseOneIn: r.pauseOneIn },
      progressEveryMs: Math.min(r.progressEveryMs, 500),
    };
  }
}
