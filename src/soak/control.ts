/** What the main thread gives each soak thread, and the shared words it starts and stops them with. */
import type { SharedMapHandle } from '../reference/memory.js';
import type { WriterPlan } from './writer.js';

export const CTL_GO = 0;
export const CTL_STOP = 1;
export const CTL_WORDS = 2;

export interface WorkerInput {
  readonly role: 'writer' | 'reader';
  readonly id: number;
  readonly handle: SharedMapHandle;
  readonly control: SharedArrayBuffer;
  readonly plan: WriterPlan;
  readonly progressEveryMs: number;
}
