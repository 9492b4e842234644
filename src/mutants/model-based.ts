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
import { actionClasses } from '../simulate/run.js';
import { SWARM_BASE, SWARM_LEVELS } from '../simulate/walk.js';

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
    const { mismatch } = checkStep(r.adapter, step, expected, cmp, m.waiting());
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

/**
 * How the baseline draws its commands: `uniform`, every action alike (plain fc.commands); or
 * `swarm`, per run a weight for each actor and kind of action drawn as `lsmc simulate` draws them
 * (src/simulate/walk.ts: LEVEL_BASE^(actor's level + kind's level)), so that some runs hold a reader
 * back while a slot is recycled, or keep an owner alive while a kernel context works on it.
 */
export type BaselineDraw = 'uniform' | 'swarm';

function commandsOf(config: Config, draw: BaselineDraw): fc.Arbitrary<Iterable<fc.Command<SpecCursor, Real>>> {
  const spec = new SpecCursor(config).spec;
  const action = (a: number): SpecAction => new SpecAction(a, config);
  if (draw === 'uniform') return fc.commands([fc.integer({ min: 0, max: spec.actionCount - 1 }).map(action)], { maxCommands: 1000 });
  const classes = actionClasses(spec);
  const levels = (n: number) => fc.array(fc.integer({ min: 0, max: SWARM_LEVELS - 1 }), { minLength: n, maxLength: n });
  return fc.record({ actor: levels(classes.actors), kind: levels(classes.kinds) }).chain((swarm) => {
    const weighted = Array.from({ length: spec.actionCount }, (_, a) => ({
      arbitrary: fc.constant(a),
      weight: SWARM_BASE ** ((swarm.actor[classes.actorOf[a]] ?? 0) + (swarm.kind[classes.kindOf[a]] ?? 0)),
    }));
    return fc.commands([fc.oneof(...weighted).map(action)], { maxCommands: 1000 });
  });
}

/** Random walks for `ms` milliseconds (then shrinking, if one failed) from `seed`. */
export function modelBasedRun(config: Config, factory: AdapterFactory, ms: number, seed: number, draw: BaselineDraw = 'uniform'): BaselineResult {
  const property = fc.property(commandsOf(config, draw), (cmds) => {
    const adapter = factory.open(config);
    try {
      fc.modelRun(() => ({ model: new SpecCursor(config), real: { adapter } }), cmds);
    } finally {
      adapter.close();
    }
  });
  const details = fc.check(property, { seed, numRuns: Number.MAX_SAFE_INTEGER, interruptAfterTimeLimit: ms });
  const error = details.errorInstance instanceof Error ? details.errorInstance.message : null;
  // fast-check counts a time limit that ran out before the first run ended as a failure with no
  // counterexample (a loaded machine and a small budget): no walk failed, so the mutant lives.
  const failed = details.failed && !(details.interrupted && details.counterexample === null);
  return { failed, runs: details.numRuns, counterexample: failed ? error : null };
}
