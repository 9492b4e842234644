/**
 * The spec walked alongside an implementation. A trace holds only the steps that were taken;
 * following it in the spec tells, at every state, which operations under way the spec makes wait (a
 * lock held, a writer in the element's window, references still held) and which loads a reader must
 * refuse to make, so that replay can check that the implementation waits and refuses there too: a
 * missing lock or bound check is caught though no trace takes a forbidden step. The fast-check
 * baseline walks the spec with it as its model.
 */
import { actorName, decodeState, describeStep, type Record_, type StepInfo, stepName } from '../../spec/describe.js';
import { MUST_WAIT } from '../../checker/spec.js';
import { buildSpec, type LsmcSpec } from '../../spec/index.js';
import type { Config } from '../../spec/knobs.js';
import { ownerName } from '../../spec/names.js';
import { partsOf, type StepName } from '../../spec/steps.js';
import type { TraceStep } from '../adapter/adapter.js';

/**
 * Built specs by configuration: replay follows thousands of traces in a few dozen configurations,
 * and building one costs more than following a trace. A spec holds no state of a run (cursors keep
 * their own state buffers), so cursors may share it.
 */
const built = new Map<string, LsmcSpec>();

function specFor(config: Config): LsmcSpec {
  const key = JSON.stringify(config);
  let spec = built.get(key);
  if (spec === undefined) {
    if (built.size >= 64) built.delete(built.keys().next().value as string);
    spec = buildSpec(config);
    built.set(key, spec);
  }
  return spec;
}

export class SpecCursor {
  readonly spec: LsmcSpec;
  private state: Uint8Array;
  private readonly next: Uint8Array;
  private readonly byActor = new Map<string, number[]>();

  constructor(config: Config) {
    this.spec = specFor(config);
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
    return this.spec.step(action, this.state, this.next) >= 0;
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
   * operation under way (action null), or the start of an operation that waits (an owner's free
   * waiting for the references creates hold, a spawn with every pid number held, a create waiting
   * for another create of the same owner, a grace period whose element a kernel context still holds
   * or whose lock is taken); and the first scan the spec refuses because its index is at or past the
   * published size (one reader and the boundary stand for all).
   */
  waiting(): Waiting[] {
    const spec = this.spec;
    const out: Waiting[] = [];
    const probedCreate = new Set<number>();
    let probedScan = false;
    for (let a = 0; a < spec.actionCount; a++) {
      const action = spec.actions[a];
      // The plain result first: take() (which says why) only where the reason matters.
      const code = spec.step(a, this.state, this.next);
      if (code >= 0 || (code !== MUST_WAIT && (action.kind !== 'scan' || probedScan))) continue;
      const r = spec.take(a, this.state, this.next);
      const actor = actorName(spec, action.actor);
      if (r.kind === 'not-enabled' && r.why === 'past-published-size' && !probedScan) {
        probedScan = true;
        out.push({ actor, action: 'scan', picks: { index: action.index }, refused: `a scan of index ${action.index}, at or past the published size` });
      }
      if (r.kind !== 'must-wait') continue;
      const name = stepName(spec, this.state, a);
      if (partsOf(name).kind !== 'start') {
        out.push({ actor, action: null, picks: {} });
      } else if (action.kind === 'create') {
        if (probedCreate.has(action.owner)) continue;
        probedCreate.add(action.owner);
        out.push({ actor, action: name, picks: { owner: ownerName(action.owner) } });
      } else {
        out.push({ actor, action: name, picks: action.kind === 'grace' ? { index: action.index } : {} });
      }
    }
    return out;
  }
}

export interface Waiting {
  readonly actor: string;
  /** null for the next step of the operation under way; otherwise the operation whose start waits. */
  readonly action: StepName | null;
  readonly picks: TraceStep['picks'];
  /** Set when the spec refuses the operation outright rather than making it wait: what it is. */
  readonly refused?: string;
}

function samePicks(spec: Readonly<Record<string, unknown>>, trace: TraceStep['picks']): boolean {
  const keys = new Set([...Object.keys(spec), ...Object.keys(trace)]);
  for (const k of keys) if (spec[k] !== (trace as Record<string, unknown>)[k]) return false;
  return true;
}
