/**
 * A BFS level shared by the workers of a parallel exploration. Each worker writes the states it
 * reaches into its own segment (blocks of SharedArrayBuffer, so that every worker can read them in
 * the next level), a run per chunk of the level it expanded; the level is those runs in chunk
 * order. Beside each state the writer keeps, for itself, the position and action that reached it
 * and where its key went in the table.
 */

export const BLOCK_STATES = 1 << 14;

/** A worker's states for one level, as the other threads see them. */
export interface Segment {
  readonly blocks: readonly SharedArrayBuffer[];
}

/** `count` states of segment `segment` from `offset` on. */
export interface Run {
  readonly segment: number;
  readonly offset: number;
  readonly count: number;
}

export interface Level {
  readonly segments: readonly Segment[];
  /** In breadth-first order. */
  readonly runs: readonly Run[];
}

/** What a worker keeps beside a state it wrote: how it was reached and where its key is. */
export interface Record_ {
  position: number;
  action: number;
  slot: number;
  epoch: number;
}

const RECORD = 4;

/** A block of states and the records beside them. */
export interface Block {
  readonly sab: SharedArrayBuffer;
  readonly view: Int32Array;
  readonly records: Int32Array;
}

/**
 * A worker's spare blocks. A SharedArrayBuffer that other threads have seen is freed only once
 * every thread's garbage collector has let go of it, and a worker's small heap is collected rarely,
 * so blocks dropped level after level piled up until the process ran out of memory (a run of 157
 * million states took 24 GB). Blocks are reused instead: a level's blocks come back once the level
 * after it has been expanded.
 */
export class BlockPool {
  private readonly spare: Block[] = [];
  constructor(private readonly words: number) {}
  take(): Block {
    const b = this.spare.pop();
    if (b !== undefined) return b;
    const sab = new SharedArrayBuffer(BLOCK_STATES * this.words * 4);
    return { sab, view: new Int32Array(sab), records: new Int32Array(BLOCK_STATES * RECORD) };
  }
  give(blocks: readonly Block[]): void {
    this.spare.push(...blocks);
  }
}

export class SegmentWriter {
  private readonly blocks: Block[] = [];
  count = 0;

  constructor(
    private readonly words: number,
    private readonly pool: BlockPool = new BlockPool(words),
  ) {}

  push(state: Int32Array, position: number, action: number, slot: number, epoch: number): void {
    const b = Math.floor(this.count / BLOCK_STATES);
    if (b === this.blocks.length) this.blocks.push(this.pool.take());
    const at = this.count - b * BLOCK_STATES;
    const view = this.blocks[b].view;
    const base = at * this.words;
    for (let k = 0; k < this.words; k++) view[base + k] = state[k];
    const r = this.blocks[b].records;
    r[at * RECORD] = position;
    r[at * RECORD + 1] = action;
    r[at * RECORD + 2] = slot;
    r[at * RECORD + 3] = epoch;
    this.count++;
  }

  /** Copies state i into `out` and its record into `record`. */
  read(i: number, out: Int32Array, record: Record_): void {
    const b = Math.floor(i / BLOCK_STATES);
    const at = i - b * BLOCK_STATES;
    const view = this.blocks[b].view;
    const base = at * this.words;
    for (let k = 0; k < this.words; k++) out[k] = view[base + k];
    const r = this.blocks[b].records;
    record.position = r[at * RECORD];
    record.action = r[at * RECORD + 1];
    record.slot = r[at * RECORD + 2];
    record.epoch = r[at * RECORD + 3];
  }

  /** Moves state i (read into `state` and `record` just before) to place `to` <= i. */
  moveTo(to: number, state: Int32Array, record: Record_): void {
    const b = Math.floor(to / BLOCK_STATES);
    const at = to - b * BLOCK_STATES;
    const base = at * this.words;
    for (let k = 0; k < this.words; k++) this.blocks[b].view[base + k] = state[k];
    const r = this.blocks[b].records;
    r[at * RECORD] = record.position;
    r[at * RECORD + 1] = record.action;
    r[at * RECORD + 2] = record.slot;
    r[at * RECORD + 3] = record.epoch;
  }

  /** Drops every state from `count` on; blocks left empty go back to the pool. */
  truncate(count: number): void {
    this.count = count;
    this.pool.give(this.blocks.splice(Math.ceil(count / BLOCK_STATES)));
  }

  segment(): Segment {
    return { blocks: this.blocks.map((b) => b.sab) };
  }

  /** The blocks written, to give back to the pool once no one reads them. */
  written(): Block[] {
    return [...this.blocks];
  }
}

/** Reads a level by position, fastest when positions are read in order. */
export class LevelReader {
  private readonly starts: number[] = [];
  private readonly views: Int32Array[][];
  readonly count: number;
  private run = 0;

  constructor(
    private readonly level: Level,
    private readonly words: number,
  ) {
    let n = 0;
    for (const r of level.runs) {
      this.starts.push(n);
      n += r.count;
    }
    this.count = n;
    this.views = level.segments.map((s) => s.blocks.map((b) => new Int32Array(b)));
  }

  read(q: number, out: Int32Array): void {
    const starts = this.starts;
    let r = this.run;
    if (q < starts[r] || (r + 1 < starts.length && q >= starts[r + 1])) {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid] <= q) lo = mid;
        else hi = mid - 1;
      }
      // Runs of no states share a start with the next; the last of them with that start holds q.
      r = lo;
      this.run = r;
    }
    const run = this.level.runs[r];
    const i = run.offset + q - starts[r];
    const b = Math.floor(i / BLOCK_STATES);
    const view = this.views[run.segment][b];
    const base = (i - b * BLOCK_STATES) * this.words;
    for (let k = 0; k < this.words; k++) out[k] = view[base + k];
  }
}
