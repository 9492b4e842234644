/** The messages between a parallel exploration (parallel.ts) and its workers (parallel-worker.ts). */
import type { Level, Run, Segment } from './level-store.js';
import type { SharedTable } from './shared-table.js';

export interface WorkerSetup {
  readonly specModule: string;
  readonly specArg: unknown;
  readonly width: number;
  readonly symmetry: boolean;
  readonly partialOrder: boolean;
  /** Int32: [0] keys published to the table, [1] pause requested, [2] the table's key limit. */
  readonly counters: SharedArrayBuffer;
}

/** The first event (breadth-first) of each invariant (its index; -1 deadlock) in this worker's share of a level. */
export interface LevelEvent {
  readonly invariant: number;
  readonly position: number;
  readonly action: number;
  /** 0: a transition broke it (or, for a deadlock, the state has none); 1: the state it reached breaks it. */
  readonly after: number;
}

/** A run of kept states and the chunk of the level it came from. */
export interface ChunkRun extends Omit<Run, 'segment'> {
  readonly chunk: number;
}

export type ToWorker =
  | {
      readonly type: 'expand';
      readonly level: Level;
      /** The level is cut into `chunks` chunks of `chunkSize` positions; workers take the next one from chunkCounter[0]. */
      readonly chunks: number;
      readonly chunkSize: number;
      readonly chunkCounter: SharedArrayBuffer;
      readonly table: SharedTable;
      readonly stepMask: number;
      readonly checkDeadlock: boolean;
    }
  | { readonly type: 'resume'; readonly table: SharedTable }
  | { readonly type: 'compact'; readonly table: SharedTable; readonly stateMask: number }
  | { readonly type: 'exit' };

export type FromWorker =
  | { readonly type: 'paused' }
  | { readonly type: 'expanded'; readonly transitions: number; readonly persistent: number; readonly events: readonly LevelEvent[] }
  | {
      readonly type: 'compacted';
      /** (position, action) of each kept state, in the worker's order: its runs one after another. */
      readonly reached: Int32Array;
      readonly runs: readonly ChunkRun[];
      readonly segment: Segment;
      readonly events: readonly LevelEvent[];
    };

export const DISTINCT = 0;
export const PAUSE = 1;
export const LIMIT = 2;
/** Keys a worker inserts before it adds them to the shared count. */
export const PUBLISH_EVERY = 64;
