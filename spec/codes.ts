/** The small enumerations stored in state fields, each with the name traces print. */

export const PHASES = ['unborn', 'alive', 'exited', 'reaped', 'freed'] as const;
export const UNBORN = 0;
export const ALIVE = 1;
/** A task that exited and is not yet reaped (a zombie), or a cgroup after rmdir. */
export const EXITED = 2;
/** A task reaped: its pid number is released, its task_struct (and element) not yet freed. */
export const REAPED = 3;
export const FREED = 4;

export const VIEWS = ['unmapped', 'zero-page', 'mapped'] as const;
export const VIEW_UNMAPPED = 0;
export const VIEW_ZERO = 1;
export const VIEW_MAPPED = 2;

export const SLOT_FREE = 0;
/** `alloc` value of a destroyed slot waiting for its grace period; owners use 1..owners. */
export const pendingCode = (owners: number): number => owners + 1;

/** Steps of a kernel context; the free path of an owner runs the destroy steps. */
export const KERNEL_PCS = [
  'idle',
  'create.alloc',
  'create.map',
  'create.publish',
  'create.link-early',
  'create.seq-begin',
  'create.uid',
  'create.gen',
  'create.zero-word1',
  'create.zero-word2',
  'create.seq-end',
  'create.link',
  'update.seq-begin',
  'update.word1',
  'update.word2',
  'update.seq-end',
  'destroy.seq-begin',
  'destroy.uid',
  'destroy.gen',
  'destroy.zero-word1',
  'destroy.zero-word2',
  'destroy.seq-end',
  'destroy.retire',
  // The literal twin's unfolded allocator work (SpecOptions.literal); the fast spec never enters them.
  'create.choose',
  'create.page',
  'create.unlock',
  'destroy.release',
] as const;
export type KernelPc = (typeof KERNEL_PCS)[number];
export const kpc = (name: KernelPc): number => KERNEL_PCS.indexOf(name);

/** The loads of a reader's read or scan, in protocol order. */
export const READER_PCS = ['idle', 'size', 'seq-begin', 'uid', 'gen', 'word1', 'word2', 'seq-end'] as const;
export type ReaderPc = (typeof READER_PCS)[number];
export const rpc = (name: ReaderPc): number => READER_PCS.indexOf(name);

export const RF_SCAN = 1;
export const RF_UID_MISMATCH = 2;
export const RF_GEN_MISMATCH = 4;
/** Ghost: one of the read's loads found the slot empty (uid 0) or never initialised (gen 0). */
export const RF_SAW_EMPTY = 8;
export const RF_TORN = 16;
/** Ghost: a word the read loaded was not written for the read's target (another owner's, or nobody's). */
export const RF_STALE = 32;
/** Ghost: a word the read loaded was written for another owner (RF_STALE holds too). */
export const RF_FOREIGN = 64;

/** What a step returned to its caller: observations of readers, results of kernel operations. */
export const OUTCOMES = [
  'none',
  'value',
  'gone',
  'not-visible',
  'busy',
  'fault',
  'index',
  'created',
  'exists',
  'refused',
  'nomem',
  'updated',
  'deleted',
  'enoent',
  'retry',
] as const;
export type Outcome = (typeof OUTCOMES)[number];
export const outcome = (name: Outcome): number => OUTCOMES.indexOf(name);
