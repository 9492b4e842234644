/**
 * The baseline generated suites are scored against: a fast-check model-based test. `fc.commands`
 * draws random interleavings of the spec's actions; each command runs on the spec (the model) and
 * on the implementation (the real system) and checks the step as replay does: taken, same
 * observation, same visible state, and the same waits.
 */
import fc from 'fast-check';
import type { Config } from '../../spec/knobs.js';
import type { Adapter, AdapterFactory, TraceStep } from '../adapter/adapter.js';
import { SpecCursor } from '../replay/follow.js';
import { checkStep, expectedVisible } from '../replay/replay.js';

interface Real {
  readonly adapter: Adapter;
}

class SpecAction implements fc.Command<SpecCursor, Real> {
  constructor(
    readonly action: number,
    readonly config: Config,
  ) {}

  check(m: Readonly<SpecCursor>): boolean {
    return m.enabled(this.action);
  }

  run(m: SpecCursor, r: Real): void {
    const { info, vars } = m.take(this.action);
    const step: TraceStep = { actor: info.actor, action: info.action, picks: info.picks as TraceStep['picks'] };
    const expected = { observation: info.observation, visible: expectedVisible(this.config, vars) };
    const cmp = { recorded: this.config, replayed: this.config, parts: r.adapter.capabilities.shows };
    const { mismatch } = checkStep(r.adapter, step, expected, cmp, m);
    if (mismatch !== null) throw new Error(`${info.actor}.${info.action}: ${mismatch.reason}`);
  }

  toString(): string {
    return `action ${this.action}`;
  }
}

export interface BaselineResult {
  readonly failed: boolean;
  readonly runs: number;
  readonly counterexample: string | null;
}

/** Random walks for `ms` milliseconds (then shrinking, if one failed) from `seed`. */
export function modelBasedRun(config: Config, factory: AdapterFactory, ms: number, seed: number): BaselineResult {
  const actionCount = new SpecCursor(config).spec.actionCount;
  const command = fc.integer({ min: 0, max: actionCount - 1 }).map((a) => new SpecAction(a, config));
  const property = fc.property(fc.commands([command], { maxCommands: 1000 }), (cmds) => {
    const adapter = factory.open(config);
    try {
      fc.modelRun(() => ({ model: new SpecCursor(config), real: { adapter } }), cmds);
    } finally {
      adapter.close();
    }
  });
  const details = fc.check(property, { seed, numRuns: Number.MAX_SAFE_INTEGER, interruptAfterTimeLimit: ms });
  const error = details.errorInstance instanceof Error ? details.errorInstance.message : null;
  return { failed: details.failed, runs: details.numRuns, counterexample: details.failed ? error : null };
}
