/**
 * The kernel prototype (kernel/) behind the Adapter interface: each trace step becomes one request
 * to the helper, which runs it as one BPF program run (a kernel context's step, the lookup
 * syscall), a real process or cgroup event (spawn, exit, reap, mkdir, rmdir, free through the
 * kernel's own free hook) or a reader thread's real load through the read-only mapping, and
 * answers with what it observed and the state after it, read from the kernel's maps and the
 * task or cgroup local storage.
 *
 * One helper serves every trace of a run: it reloads the BPF object only when the variant changes
 * and otherwise empties the map between traces.
 */
import { availableParallelism } from 'node:os';
import { threadId } from 'node:worker_threads';
import type { Config } from '../../spec/knobs.js';
import { ownerName } from '../../spec/names.js';
import type { StepName } from '../../spec/steps.js';
import { NO_OBSERVATION, OUTCOMES, PHASES, VIEWS, observation } from '../../spec/vocabulary.js';
import { HELPER, kernelUnavailable } from '../kernel/available.js';
import { HelperChannel, HelperGone } from '../kernel/channel.js';
import { stepRequest, variantRequest } from '../kernel/request.js';
import { type Adapter, type AdapterFactory, AdapterInterrupted, type HostCosts, type Capabilities, type Evidence, type Observation, type PlannedStep, type Probe, type StepResult, type TraceStep, VISIBLE_PART_NAMES, type VisibleReader, type VisibleState, type WaitProbe } from './adapter.js';
import { wordUid, wordValue } from './reference.js';

/** The state as the helper sends it: flat arrays, one record after another. */
interface RawState {
  readonly sl: readonly number[];
  readonly al: readonly number[];
  readonly ep: readonly number[];
  readonly pk: readonly number[];
  readonly pv: readonly number[];
  readonly ps: number;
  readonly ow: readonly number[];
  readonly cu: readonly [number, number, number];
  readonly fl: readonly number[];
  readonly kc: readonly number[];
  readonly rd: readonly number[];
}

interface StepReply {
  readonly r: 0 | 1 | 2 | 3 | 4;
  readonly why?: string;
  readonly obs: readonly [number, number, number, number, number];
  readonly ev: readonly [number];
  readonly st?: RawState;
  /** The probes made after the step, one letter each: t took, w waits, i idle. */
  readonly pr?: string;
  /** The state after probes that took a step. */
  readonly sp?: { readonly st: RawState };
}

/** A step the helper did not run, because an earlier step of the same trace was not taken. */
const R_SKIPPED = 4;

/**
 * How many bytes of a trace's step requests may be sent ahead of their replies: a whole trace as a
 * rule (a step is 100 to 300 bytes), and far below a pipe's 64 KiB, so that a send never blocks
 * while the helper waits for its replies to be read.
 */
const WINDOW_BYTES = 24 * 1024;
/** Each trace's steps carry a new batch number: the helper skips the rest of a batch after a step it could not take. */
let batches = 0;

const SLOT = 5;
const OWNER = 7;
const READER = 6;

/**
 * A shard keeps this many helpers busy at once, each running a whole trace ahead while the shard
 * compares another's replies: a helper waiting for RCU costs no CPU, and one thread's compiled code
 * serves them all. Measured with `npm run bench -- --adapter kernel` on 2 cores (the README has the
 * figures), with one shard per core.
 */
const KERNEL_LANES = 4;
const KERNEL_JOBS_PER_CORE = 1;

/** The run's helpers, one per lane (see `lanes` below), started on first use and closed when the process exits. */
const helpers: HelperChannel[] = [];
let closing = false;

function channel(lane: number): HelperChannel {
  if (helpers[lane] === undefined) {
    if (!closing) process.once('exit', () => void closeKernelHelpers());
    closing = true;
    // Shards (worker threads) and their lanes spread their helpers over the CPUs.
    helpers[lane] = HelperChannel.open(HELPER, (threadId * KERNEL_LANES + lane) % availableParallelism());
  }
  return helpers[lane];
}

/** How many free steps the run's helpers made and how long they waited for the kernel's free hooks (RCU); how many BPF objects they loaded. */
function helperCosts(): HostCosts | null {
  if (helpers.length === 0) return null;
  const costs = { waits: 0, waitMs: 0, hooksLost: 0, loads: 0 };
  for (const h of helpers) {
    if (h === undefined) continue;
    const stats = h.request({ op: 'stats' }) as { freeWaits: number; freeWaitMs: number; freeHooksLost: number; loads: number };
    costs.waits += stats.freeWaits;
    costs.waitMs += stats.freeWaitMs;
    costs.hooksLost += stats.freeHooksLost;
    costs.loads += stats.loads;
  }
  return costs;
}

/** Stops the helpers (each cleans up every owner, cgroup and BPF object first); settles once they are reaped. */
async function closeKernelHelpers(): Promise<void> {
  await Promise.all(helpers.splice(0).map((h) => h.close()));
}

/** A probe as one `pr` entry of a step request: "ak,an,kind,code,free,half,owner,value,answer,index" (null: no such actor). */
function probeEntry(p: WaitProbe): string | null {
  const req = stepRequest('probe', p.actor, p.start, p.picks);
  if (typeof req === 'string') return null;
  const n = (k: string, fallback: number): number => (typeof req[k] === 'number' ? (req[k] as number) : fallback);
  return [req.ak, n('an', 0), n('kind', 0), n('code', -1), n('free', 0), n('half', 0), n('owner', -1), n('value', 0), n('answer', -2), n('index', -1)].join(',');
}

/**
 * Puts `probes` on a step request as its `pr` field, and gives their entries. An actor the helper
 * does not know is still an entry (it answers idle), so that the reply's letters stay in order.
 */
function withProbes(req: Exclude<ReturnType<typeof stepRequest>, string>, probes: readonly WaitProbe[]): (string | null)[] {
  const encoded = probes.map((p) => probeEntry(p));
  if (encoded.length > 0) req.pr = encoded.map((e) => e ?? 'x,0,0,-1,0,0,-1,0,-2,-1').join(';');
  return encoded;
}

class KernelAdapter implements Adapter {
  readonly name = 'kernel';
  readonly capabilities: Capabilities = kernelAdapter.capabilities;
  private readonly byUid: boolean;
  private state: RawState | null = null;
  private configuring = true;
  /** The trace's step requests, each with its probes encoded, and how many were sent and answered. */
  private planned: { readonly line: string; readonly probes: readonly (string | null)[] }[] = [];
  private sent = 0;
  private answered = 0;
  private bytesAhead = 0;

  constructor(
    private readonly ch: HelperChannel,
    config: Config,
  ) {
    this.byUid = config.knobs.ownerIdentity === 'uid';
    // Its reply (with the initial state) is read when first needed: the steps go out with it, in one write.
    ch.queue(`${JSON.stringify({ op: 'config', ...variantRequest(config) })}\n`);
  }

  /** The configuration's reply: an error, or the initial state. */
  private settle(): void {
    if (!this.configuring) return;
    this.configuring = false;
    const reply = this.ch.receive() as { error?: string; st?: RawState };
    if (reply.error !== undefined) throw new HelperGone(`the kernel prototype cannot run this configuration: ${reply.error}`);
    this.state = reply.st ?? null;
  }

  plan(steps: readonly PlannedStep[]): void {
    const batch = ++batches;
    this.planned = [];
    for (const { step, probes } of steps) {
      const req = stepRequest('step', step.actor, step.action, step.picks);
      // A step the helper cannot be asked is the end of what can be sent ahead: stepAndProbe refuses it.
      if (typeof req === 'string') break;
      const encoded = withProbes(req, probes);
      req.b = batch;
      this.planned.push({ line: `${JSON.stringify(req)}\n`, probes: encoded });
    }
    this.topUp();
  }

  private topUp(): void {
    while (this.sent < this.planned.length && this.bytesAhead + this.planned[this.sent].line.length <= WINDOW_BYTES) {
      const { line } = this.planned[this.sent++];
      this.ch.queue(line);
      this.bytesAhead += line.length;
    }
    this.ch.flush();
  }

  /** Whether every request sent has its reply in already: replay can go on without waiting for the helper. */
  ready(): boolean {
    return this.ch.poll();
  }

  step(step: TraceStep): StepResult {
    return this.stepAndProbe(step, []).result;
  }

  /** One round trip: the step, the state after it, then the probes (and the state after them if one took a step). */
  stepAndProbe(step: TraceStep, probes: readonly WaitProbe[]): { result: StepResult; probes: readonly Probe[] } {
    this.settle();
    let encoded: readonly (string | null)[];
    let reply: StepReply;
    if (this.answered < this.planned.length) {
      // Planned: replay asks for exactly the steps of the plan, in order; their requests went out already.
      encoded = this.planned[this.answered].probes;
      this.bytesAhead -= this.planned[this.answered].line.length;
      this.answered++;
      this.topUp();
      reply = this.ch.receive() as StepReply;
    } else {
      const req = stepRequest('step', step.actor, step.action, step.picks);
      if (typeof req === 'string') return { result: { kind: 'refused', reason: req }, probes: [] };
      encoded = withProbes(req, probes);
      reply = this.ch.request(req) as StepReply;
    }
    const letters = reply.pr ?? '';
    const answers: Probe[] = encoded.map((e, i) => (e === null ? 'idle' : letters[i] === 't' ? 'took' : letters[i] === 'w' ? 'waits' : 'idle'));
    const result = this.result(step, reply);
    // A probe that took a step changed the state after the one the reply carries.
    if (reply.sp !== undefined) this.state = reply.sp.st;
    return { result, probes: answers };
  }

  private result(step: TraceStep, reply: StepReply): StepResult {
    if (reply.st !== undefined) this.state = reply.st;
    if (reply.r === 1) return { kind: 'blocked', reason: `${step.action} of ${step.actor}: ${reply.why ?? 'it must wait'}` };
    if (reply.r === 2) return { kind: 'refused', reason: `${step.action} of ${step.actor}: ${reply.why ?? 'refused'}` };
    if (reply.r === 3) return { kind: 'inexpressible', reason: reply.why ?? 'the prototype cannot express it' };
    if (reply.r === R_SKIPPED) return { kind: 'refused', reason: `${step.action} of ${step.actor}: not run, an earlier step of this trace was not taken` };
    const obs = this.observation(reply.obs);
    return { kind: 'took', observation: obs, evidence: this.evidence(obs, reply) };
  }

  probeWait(actor: string, start: StepName | null, picks: TraceStep['picks']): Probe {
    this.settle();
    const req = stepRequest('probe', actor, start, picks);
    if (typeof req === 'string') return 'idle';
    const reply = this.ch.request(req) as { probe: Probe };
    // A probe that took a step changed the state: the next visible() must ask again.
    if (reply.probe === 'took') this.refresh();
    return reply.probe;
  }

  private refresh(): void {
    const reply = this.ch.request({ op: 'show' }) as StepReply;
    if (reply.st !== undefined) this.state = reply.st;
  }

  private nameOfUid(uid: number): string {
    if (uid === 0) return 'none';
    const ow = this.state?.ow ?? [];
    for (let o = 0; o * OWNER < ow.length; o++) if (ow[o * OWNER + 2] === uid) return ownerName(o);
    return `uid ${uid}`;
  }

  /** The task holding pid number `pid` now (what /proc would say), or 'none'. */
  private nameOfTask(pid: number): string {
    const ow = this.state?.ow ?? [];
    for (let o = 0; o * OWNER < ow.length; o++) {
      const phase = PHASES[ow[o * OWNER]];
      if ((phase === 'alive' || phase === 'exited') && ow[o * OWNER + 1] === pid) return ownerName(o);
    }
    return 'none';
  }

  private observation([code, uid, index, w1, w2]: StepReply['obs']): Observation {
    const kind = OUTCOMES[code];
    if (kind === undefined || kind === 'none') return NO_OBSERVATION;
    const owner = this.nameOfUid(uid);
    if (kind === 'value') return observation(kind, owner, -1, wordValue(w1), wordValue(w2));
    return observation(kind, owner, index);
  }

  private evidence(obs: Observation, reply: StepReply): Evidence {
    if (obs.kind !== 'value' || this.state === null) return {};
    const [, , , w1, w2] = reply.obs;
    const forOf = (w: number): string => (w === 0 ? 'none' : this.nameOfUid(wordUid(w)));
    const index = reply.ev[0];
    const ident = this.state.sl[index * SLOT + 1] ?? 0;
    return { word1For: forOf(w1), word2For: forOf(w2), index, slotOwner: this.byUid ? this.nameOfUid(ident) : this.nameOfTask(ident) };
  }

  visible(): VisibleState {
    this.settle();
    if (this.state === null) this.refresh();
    const s = this.state;
    if (s === null) return {};
    const forOf = (w: number): string => (w === 0 ? 'none' : this.nameOfUid(wordUid(w)));
    const slots = Array.from({ length: s.sl.length / SLOT }, (_, i) => {
      const [seq, ident, gen, w1, w2] = s.sl.slice(i * SLOT, i * SLOT + SLOT);
      return { seq, ident: this.byUid ? this.nameOfUid(ident) : ident - 1, gen, word1: wordValue(w1), word2: wordValue(w2), word1For: forOf(w1), word2For: forOf(w2) };
    });
    const allocator = s.al.map((a) => (a === 0 ? 'free' : a < 0 ? 'grace' : ownerName(a - 1)));
    const pages = s.pk.map((k, p) => ({ kernel: k !== 0 ? 'present' : 'absent', view: VIEWS[s.pv[p]] ?? 'unknown' }));
    const owners: Record<string, { phase: string; pid: number; link: number }> = {};
    const references: Record<string, { refs: number; creating: boolean }> = {};
    const held: Record<string, { index: number; rcu: boolean }> = {};
    for (let k = 0; k * 2 < s.kc.length; k++) held[`K${k + 1}`] = { index: s.kc[k * 2] - 1, rcu: s.kc[k * 2 + 1] !== 0 };
    for (let o = 0; o * OWNER < s.ow.length; o++) {
      const [phase, pid, , refs, creating, link, fheld] = s.ow.slice(o * OWNER, o * OWNER + OWNER);
      owners[ownerName(o)] = { phase: PHASES[phase] ?? 'unknown', pid: pid - 1, link: link - 1 };
      references[ownerName(o)] = { refs, creating: creating !== 0 };
      held[ownerName(o)] = { index: fheld - 1, rcu: false };
    }
    const readers: Record<string, VisibleReader> = {};
    for (let r = 0; r * READER < s.rd.length; r++) {
      const [has, uid, index, ident, gen, retries] = s.rd.slice(r * READER, r * READER + READER);
      readers[`R${r + 1}`] =
        has === 0
          ? { cacheOwner: 'none', cacheIndex: -1, cacheIdent: -1, cacheGen: -1, retries }
          : { cacheOwner: this.nameOfUid(uid), cacheIndex: index, cacheIdent: this.byUid ? this.nameOfUid(ident) : ident - 1, cacheGen: gen, retries };
    }
    const [allocCursor, highWater, pidCursor] = s.cu;
    const cursors = { allocCursor, freeList: s.fl, highWater, epochs: s.ep, pidCursor };
    return { slots, allocator, pages, publishedSize: s.ps, owners, cursors, references, held, readers };
  }

  close(): void {
    this.state = null;
    // Steps sent ahead of a trace that ended before them (a divergence): their replies are dropped.
    // A helper interrupted or gone has nothing to drop, and the next request says what happened.
    try {
      this.settle();
      this.ch.drain();
    } catch (e) {
      if (!(e instanceof HelperGone || e instanceof AdapterInterrupted)) throw e;
    }
  }
}

export const kernelAdapter: AdapterFactory = {
  name: 'kernel',
  about: 'the kernel prototype (kernel/): BPF programs on this machine\'s kernel, real tasks or cgroups as owners, reader threads loading through a real read-only mapping, one atomic step at a time',
  capabilities: { drive: 'step', shows: VISIBLE_PART_NAMES },
  unavailable: kernelUnavailable,
  open: (config, lane = 0) => new KernelAdapter(channel(lane), config),
  shutdown: closeKernelHelpers,
  lanes: KERNEL_LANES,
  // Most of a kernel replay is waiting for RCU before real free hooks: shards overlap the waits.
  jobs: (cores) => cores * KERNEL_JOBS_PER_CORE,
  hostCosts: helperCosts,
};
