/**
 * The spec walked alongside an implementation. A trace holds only the steps that were taken;
 * following it in the spec tells, at every state, which operations under way the spec makes wait (a
 * lock held, a writer in the element's window, references still held) and which loads a reader must
 * refuse to make, so that replay can check that the implementation waits and refuses there too: a
 * missing lock or bound check is caught though no trace takes a forbidden step. The fast-check
 * baseline walks the spec with it as its model.
 */
import { DISABLED } from '../../checker/spec.js';
import { KERNEL, OWNER, SLOT } from '../../spec/layout.js';
import { kernelAt, ownerAt, slotAt } from '../../spec/context.js';
import { kernelHasBudget } from '../../spec/kernel.js';
import { readerCanStart } from '../../spec/reader.js';
import { actorName, decodeState, describeStep, ownerName, type Record_, type StepInfo } from '../../spec/describe.js';
import { buildSpec, type LsmcSpec } from '../../spec/index.js';
import type { Config } from '../../spec/knobs.js';
import { nextLifecycleStep } from '../../spec/owner.js';
import type { TraceStep } from '../adapter/adapter.js';

export class SpecCursor {
  readonly spec: LsmcSpec;
  private state: Uint8Array;
  private readonly next: Uint8Array;
  private readonly byActor = new Map<string, number[]>();

  constructor(config: Config) {
    this.spec = buildSpec(config);
    this.state = new Uint8Array(this.spec.stateBytes);
    this.next = new Uint8Array(this.spec.stateBytes);
    this.spec.init(this.state);
    for (let a = 0; a < this.spec.actionCount; a++) {
      const name = actorName(this.spec, this.spec.actorOf(a));
      const list = this.byActor.get(name) ?? [];
      list.push(a);
      this.byActor.set(name, list);
    }
  }

  enabled(action: number): boolean {
    return this.spec.step(action, this.state, this.next) !== DISABLED;
  }

  /** Takes an enabled action; returns the step as a trace names it, and the state after it. */
  take(action: number): { info: StepInfo; vars: Record_ } {
    const after = new Uint8Array(this.spec.stateBytes);
    const info = describeStep(this.spec, this.state, action, after);
    this.state = after;
    return { info, vars: decodeState(this.spec, after) };
  }

  /** Takes the spec action the trace step names; false when the spec has no such step here. */
  follow(step: TraceStep): boolean {
    for (const a of this.byActor.get(step.actor) ?? []) {
      if (!this.enabled(a)) continue;
      const info = describeStep(this.spec, this.state, a, this.next);
      if (info.action !== step.action || !samePicks(info.picks, step.picks)) continue;
      this.state = this.next.slice();
      return true;
    }
    return false;
  }

  /**
   * What the spec makes wait now, each as the step that would be tried: the next step of an
   * operation under way (action ''), an owner's free waiting for the references creates hold, a
   * create waiting for another create of the same owner (createRace=locked), a grace period with
   * indices pending that it may not free yet, and a scan of the first index a reader may not touch
   * (at the published size: one reader and the boundary stand for all).
   */
  waiting(): Waiting[] {
    const spec = this.spec;
    const c = spec.ctx;
    const out: Waiting[] = [];
    const probedCreate = new Set<number>();
    let probedScan = false;
    for (let a = 0; a < spec.actionCount; a++) {
      const action = spec.actions[a];
      let wait: Waiting | null = null;
      const actor = actorName(spec, action.actor);
      if (action.kind === 'kernel-step') {
        if (this.state[kernelAt(c, action.actor - spec.actors.firstKernel) + KERNEL.pc] !== 0) wait = { actor, action: '', picks: {} };
      } else if (action.kind === 'lifecycle') {
        const next = nextLifecycleStep(c, this.state, action.owner);
        if (next === 'destroy') wait = { actor, action: '', picks: {} };
        else if (next === 'free' && this.state[ownerAt(c, action.owner) + OWNER.refs] !== 0) wait = { actor, action: 'free', picks: {} };
      } else if (action.kind === 'create' && c.createLocked && !probedCreate.has(action.owner)) {
        const k = action.actor - spec.actors.firstKernel;
        const idle = this.state[kernelAt(c, k) + KERNEL.pc] === 0 && kernelHasBudget(c, this.state, k);
        const born = this.state[ownerAt(c, action.owner) + OWNER.phase] !== 0;
        if (idle && born && this.state[ownerAt(c, action.owner) + OWNER.creating] !== 0) {
          probedCreate.add(action.owner);
          wait = { actor, action: 'create', picks: { owner: ownerName(action.owner) } };
        }
      } else if (action.kind === 'grace' && this.state[slotAt(c, action.index) + SLOT.alloc] === c.pending) {
        wait = { actor, action: 'grace-period', picks: { index: action.index } };
      } else if (action.kind === 'scan' && !probedScan && readerCanStart(c, this.state, action.actor - spec.actors.firstReader) && !this.enabled(a)) {
        probedScan = true;
        wait = { actor, action: 'scan', picks: { index: action.index }, refused: `a scan of index ${action.index}, at or past the published size` };
      }
      if (wait === null || this.enabled(a)) continue;
      out.push(wait);
    }
    return out;
  }

}

export interface Waiting {
  readonly actor: string;
  /** '' for the next step of the operation under way; otherwise the operation whose start waits. */
  readonly action: string;
  readonly picks: TraceStep['picks'];
  /** Set when the spec refuses the operation outright rather than making it wait: what it is. */
  readonly refused?: string;
}

function samePicks(spec: Readonly<Record<string, unknown>>, trace: TraceStep['picks']): boolean {
  const keys = new Set([...Object.keys(spec), ...Object.keys(trace)]);
  for (const k of keys) if (spec[k] !== (trace as Record<string, unknown>)[k]) return false;
  return true;
}
