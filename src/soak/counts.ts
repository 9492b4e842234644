/**
 * What the soak's threads count, and the messages that carry the counts to the main thread.
 * Counts are plain numbers owned by one thread each; they travel by message, so no thread reads
 * another's while it changes.
 */
import { SOAK_INVARIANTS, type SoakInvariant } from './judge.js';

export const WRITER_FIELDS = ['spawns', 'creates', 'nomem', 'refused', 'updates', 'pausedUpdates', 'enoent', 'deletes', 'exits', 'reaps', 'frees', 'gracePeriods', 'recycles', 'pidClashes'] as const;
export const READER_FIELDS = ['lookups', 'lookupAnswers', 'lookupEnoent', 'lookupRaced', 'reads', 'scans', 'accepted', 'retries', 'busy', 'gone', 'notVisible', 'faults', 'violatingReads'] as const;

export type WriterCounts = Record<(typeof WRITER_FIELDS)[number], number>;
export type ReaderCounts = Record<(typeof READER_FIELDS)[number], number>;
export type InvariantCounts = Record<SoakInvariant, number>;

const zeros = <F extends string>(fields: readonly F[]): Record<F, number> => Object.fromEntries(fields.map((f) => [f, 0])) as Record<F, number>;

export const writerCounts = (): WriterCounts => zeros(WRITER_FIELDS);
export const readerCounts = (): ReaderCounts => zeros(READER_FIELDS);
export const invariantCounts = (): InvariantCounts => zeros(SOAK_INVARIANTS);

export function addInto<F extends string>(into: Record<F, number>, from: Record<F, number>): void {
  for (const f of Object.keys(from) as F[]) into[f] += from[f];
}

/** One violating read (or fault), for people: who asked about whom, and what it got. */
export interface ViolatingRead {
  readonly reader: number;
  readonly via: 'read' | 'scan';
  readonly index: number;
  /** The uid the reader asked about: the cached one for a read, the slot's for a scan. */
  readonly uid: number;
  readonly word1: number;
  readonly word2: number;
  readonly broken: readonly SoakInvariant[];
  /** For linearizable-read: the later update the reader had already accepted for this uid. */
  readonly previous: number | null;
  /** Seconds into the run. */
  readonly at: number;
}

export interface WriterTally {
  readonly role: 'writer';
  readonly id: number;
  readonly counts: WriterCounts;
}

export interface ReaderTally {
  readonly role: 'reader';
  readonly id: number;
  readonly counts: ReaderCounts;
  readonly invariants: InvariantCounts;
  readonly first: readonly ViolatingRead[];
}

export type Tally = WriterTally | ReaderTally;

export type WorkerMessage = { readonly type: 'ready' } | { readonly type: 'progress'; readonly tally: Tally } | { readonly type: 'done'; readonly tally: Tally };

/** Violating reads each reader keeps described; the rest are only counted. */
export const FIRST_KEPT = 5;
