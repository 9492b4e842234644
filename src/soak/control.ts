/** What the main thread gives each soak thread, and the shared words it starts and stops them with. */
import type { SharedMapHandle } from '../reference/memory.js';
import type { WriterPlan } from './writer.js';

export const CTL_GO = 0;
export const CTL_STOP = 1;
/** Set by the main thread to ask every thread to stop between operations, so that it can check the kernel's records. */
export const CTL_PAUSE = 2;
/** Threads now waiting between operations. */
export const CTL_PAUSED = 3;
export const CTL_WORDS = 4;

export interface WorkerInput {
  readonly role: 'writer' | 'reader';
  readonly id: number;
  readonly handle: SharedMapHandle;
  readonly control: SharedArrayBuffer;
  readonly plan: WriterPlan;
  readonly progressEveryMs: number;
}
