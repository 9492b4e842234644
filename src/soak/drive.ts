/**
 * Running operations whole, as the soak's threads do. Unlike runWhole (op.ts), a writer's step
 * driver may sleep between the steps of an operation, to widen the windows between its atomic
 * steps that real timing leaves narrow; and a reader's driver counts the retries that a read notes
 * on its way (runWhole does not surface them).
 */
import { BLOCKED, NO_OUTCOME, type Op, type Outcome } from '../reference/op.js';
import type { Reader } from '../reference/reader.js';

const nap = new Int32Array(new SharedArrayBuffer(4));

/** Sleeps `ms` (fractions allowed; Linux rounds a futex wait up to tens of microseconds). */
export function sleep(ms: number): void {
  Atomics.wait(nap, 0, 0, ms);
}

/** Runs `op` to its end, sleeping `pauseMs` after each step when it is above 0; blocked steps back off. */
export function drive(op: Op, pauseMs: number): Outcome {
  let spins = 0;
  for (;;) {
    const r = op.next();
    if (r.done === true) return r.value;
    if (r.value === BLOCKED) {
      if (++spins > 64) sleep(0.05);
      continue;
    }
    spins = 0;
    if (pauseMs > 0) sleep(pauseMs);
  }
}

/** Runs a reader's operation (readers never block) and returns it with the retries it made. */
export function driveRead(reader: Reader, op: Op): { outcome: Outcome; retries: number } {
  let retries = 0;
  for (;;) {
    const r = op.next();
    if (reader.note.kind === 'retry') {
      retries++;
      reader.note = NO_OUTCOME;
    }
    if (r.done === true) return { outcome: r.value, retries };
  }
}
