/**
 * Shorter versions of a failing walk, as paths of actions, biggest cuts first. A cut that leaves
 * some action disabled is simply not a walk; the caller skips it. Cuts are made on actions rather
 * than on choices because a choice means something only at its place in the walk: cutting one
 * choice out moves every later choice onto a different step, while cutting an action out keeps
 * every other action as it was (the caller re-encodes the path as choices).
 *
 * Cuts follow operations: an operation is an action that starts one and the actor's continuation
 * steps after it (a kernel context's create and its allocation, stores and link), interleaved with
 * other actors' steps. Cutting a start without its continuations leaves them with nothing to
 * continue, so such cuts are not offered. The families, in order:
 * - everything one actor did (an owner that never mattered, a reader whose reads found nothing);
 * - one actor's operations from one of them to its last (what it did after the harm was done);
 * - one operation.
 */
export interface PathShape {
  actorOf(action: number): number;
  /** True for an action that continues its actor's operation rather than starting one. */
  continues(action: number): boolean;
}

export function* reductions(path: readonly number[], shape: PathShape): Generator<number[]> {
  const actorAt = path.map((a) => shape.actorOf(a));
  /** Position of the operation each action belongs to: its own, or its actor's last start before it. */
  const opAt: number[] = [];
  const lastStart = new Map<number, number>();
  path.forEach((a, k) => {
    if (!shape.continues(a) || !lastStart.has(actorAt[k])) lastStart.set(actorAt[k], k);
    opAt.push(lastStart.get(actorAt[k]) ?? k);
  });
  const starts = path.map((_, k) => k).filter((k) => opAt[k] === k);
  const without = (drop: (k: number) => boolean): number[] => path.filter((_, k) => !drop(k));

  for (const actor of new Set(actorAt)) yield without((k) => actorAt[k] === actor);
  for (const start of starts) {
    const actor = actorAt[start];
    yield without((k) => actorAt[k] === actor && opAt[k] >= start);
  }
  for (const start of starts) yield without((k) => opAt[k] === start);
}
