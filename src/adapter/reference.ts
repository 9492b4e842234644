/**
 * The reference implementation behind the Adapter interface: trace steps become `next()` calls on
 * the operations' generators, values become words that carry their writer's uid, and the shared
 * memory is read back in the trace's vocabulary.
 */
import type { Config } from '../../spec/knobs.js';
import type { StepName } from '../../spec/steps.js';
import { OWNER_NAME, ownerIndex, ownerName } from '../../spec/names.js';
import { Kernel } from '../reference/kernel.js';
import { PHASES, VIEWS } from '../../spec/vocabulary.js';
import { ReferenceMap, shapeOf } from '../reference/map.js';
import { G_ALLOC_CURSOR, G_FREE_TOP, G_HIGH_WATER, G_PID_CURSOR, G_PUBLISHED_SIZE, GEN, IDENT, O_CREATING, O_HELD, O_LINK, O_PHASE, O_PID, O_REFS, O_UID, RCU_IDLE, SEQ, SLOT_FREE, SLOT_PENDING, SLOT_WORDS, WORD1, WORD2 } from '../reference/memory.js';
import { BLOCKED, type Op, type Outcome } from '../reference/op.js';
import type { Reader } from '../reference/reader.js';
import { type Adapter, type AdapterFactory, type Capabilities, type Evidence, type Observation, type Probe, type StepResult, type TraceStep, VISIBLE_PART_NAMES, type VisibleReader, type VisibleState } from './adapter.js';

/** A value word: the writer's uid in the high half, the value in the low half. */
export const valueWord = (uid: number, value: number): number => ((uid & 0x7fff) << 16) | (value & 0xffff);
export const wordValue = (word: number): number => word & 0xffff;
export const wordUid = (word: number): number => word >>> 16;

interface Running {
  op: Op;
  /** The step it takes next, as the trace names it. */
  next: StepName;
  /** What started it, for messages. */
  started: StepName;
}

const EVERY_PART = VISIBLE_PART_NAMES;

class ReferenceAdapter implements Adapter {
  readonly capabilities: Capabilities;
  private readonly map: ReferenceMap;
  private readonly kernel: Kernel;
  private readonly readers: Reader[];
  private readonly running = new Map<string, Running>();

  constructor(
    readonly name: string,
    config: Config,
    drive: Capabilities['drive'],
  ) {
    this.capabilities = { drive, shows: EVERY_PART };
    const shape = shapeOf(config);
    this.map = ReferenceMap.create(config, shape);
    this.kernel = this.map.kernel;
    this.readers = Array.from({ length: config.bounds.readers as number }, () => this.map.reader());
  }

  private ownerIndex(name: string | undefined): number {
    const o = name === undefined ? -1 : ownerIndex(name);
    return o < this.map.memory.shape.owners ? o : -1;
  }

  private nameOfUid(uid: number): string {
    if (uid === 0) return 'none';
    const o = this.kernel.ownerWithUid(uid);
    return o < 0 ? `uid ${uid}` : ownerName(o);
  }

  step(step: TraceStep): StepResult {
    const { actor, action } = step;
    const busy = this.running.get(actor);
    const start = this.starter(step);
    if (start === null) {
      if (busy === undefined) return { kind: 'refused', reason: `${actor} has no operation under way, so it cannot take ${action}` };
      if (busy.next !== action) return { kind: 'refused', reason: `${actor}'s next step in the implementation is ${busy.next} (in ${busy.started}), not ${action}` };
      return this.advance(actor, busy);
    }
    if (typeof start === 'string') return { kind: 'refused', reason: start };
    if (busy !== undefined) return { kind: 'refused', reason: `${actor} is still in ${busy.started} (next step ${busy.next}), so it cannot start ${action}` };
    const running: Running = { op: start, next: action, started: action };
    if (this.capabilities.drive === 'operation') return this.whole(actor, running);
    return this.advance(actor, running);
  }

  /** Runs an operation to its end at once, as an implementation that cannot stop between its steps does. */
  private whole(actor: string, running: Running): StepResult {
    for (;;) {
      const r = this.advance(actor, running);
      if (r.kind !== 'took' || !this.running.has(actor)) return r;
    }
  }

  probeWait(actor: string, start: StepName | null, picks: TraceStep['picks']): Probe {
    let op: Op;
    if (start !== null) {
      const started = this.starter({ actor, action: start, picks });
      if (started === null || typeof started === 'string') return 'idle';
      op = started;
    } else {
      const running = this.running.get(actor);
      if (running === undefined) return 'idle';
      op = running.op;
    }
    const r = op.next();
    // Blocked, or (a grace period with nothing it may free) done without a step: nothing changed.
    if (r.done === true) return r.value.kind === 'disabled' ? 'waits' : 'took';
    return r.value === BLOCKED ? 'waits' : 'took';
  }

  /** The operation a step starts, null when it continues one, or why it cannot be started. */
  private starter(step: TraceStep): Op | string | null {
    const { actor, action, picks } = step;
    const k = this.kernel;
    const owner = this.ownerIndex(picks.owner);
    const needOwner = (): string | null => (owner < 0 ? `${action} needs an owner pick naming one of the map's owners` : null);
    if (OWNER_NAME.test(actor)) {
      const o = this.ownerIndex(actor);
      if (o < 0) return `no owner ${actor} in this configuration`;
      switch (action) {
        case 'spawn':
        case 'mkdir':
          return k.spawn(o);
        case 'exit':
        case 'rmdir':
          return k.exit(o);
        case 'reap':
          return k.reap(o);
        case 'free':
          return k.free(o);
        default:
          return null;
      }
    }
    const kernel = /^K([0-9]+)$/.exec(actor);
    if (kernel !== null) {
      const ctx = Number(kernel[1]) - 1;
      if (ctx >= this.map.memory.shape.kernels) return `no kernel context ${actor} in this configuration`;
      switch (action) {
        case 'create':
          return needOwner() ?? k.create(ctx, owner);
        case 'update':
          return needOwner() ?? k.update(ctx, owner, valueWord(k.owner(owner, O_UID), picks.value ?? 0));
        case 'delete':
          return needOwner() ?? k.delete(ctx, owner);
        default:
          return null;
      }
    }
    const reader = /^R([0-9]+)$/.exec(actor);
    if (reader !== null) {
      const r = this.readers[Number(reader[1]) - 1];
      if (r === undefined) return `no reader ${actor} in this configuration`;
      switch (action) {
        case 'lookup': {
          if (needOwner() !== null) return needOwner();
          if (picks.answer === undefined) return r.lookup(owner);
          return r.lookup(owner, picks.answer === 'none' ? -1 : this.ownerIndex(picks.answer));
        }
        case 'read':
          return r.read();
        case 'scan':
          return picks.index === undefined ? 'scan needs an index pick' : r.scan(picks.index);
        default:
          return null;
      }
    }
    if (actor === 'RCU') {
      if (action !== 'grace-period') return `RCU takes only grace-period steps, not ${action}`;
      return picks.index === undefined ? 'grace-period needs an index pick' : k.gracePeriod(picks.index);
    }
    return `unknown actor ${actor}`;
  }

  private advance(actor: string, running: Running): StepResult {
    const reader = /^R([0-9]+)$/.exec(actor);
    const notes = reader === null ? null : this.readers[Number(reader[1]) - 1];
    if (notes !== null) notes.note = { kind: 'none', uid: 0, index: -1, word1: 0, word2: 0, gen: 0 };
    const r = running.op.next();
    if (r.done === true) {
      this.running.delete(actor);
      if (r.value.kind === 'disabled') return { kind: 'refused', reason: `the implementation cannot take ${running.next} for ${actor} in this state` };
      return this.took(r.value, notes);
    }
    if (r.value === BLOCKED) return { kind: 'blocked', reason: `${running.next} of ${actor} waits for a lock` };
    running.next = r.value;
    this.running.set(actor, running);
    return this.took(notes?.note ?? { kind: 'none', uid: 0, index: -1, word1: 0, word2: 0, gen: 0 }, notes);
  }

  private took(o: Outcome, reader: Reader | null = null): StepResult {
    return { kind: 'took', observation: this.observation(o), evidence: this.evidence(o, reader) };
  }

  private observation(o: Outcome): Observation {
    const none = { owner: 'none', index: -1, word1: -1, word2: -1 };
    switch (o.kind) {
      case 'none':
      case 'disabled':
        return { kind: 'none', ...none };
      case 'value':
        return { kind: 'value', owner: this.nameOfUid(o.uid), index: -1, word1: wordValue(o.word1), word2: wordValue(o.word2) };
      case 'index':
      case 'gone':
      case 'not-visible':
      case 'fault':
        return { kind: o.kind, owner: this.nameOfUid(o.uid), index: o.index, word1: -1, word2: -1 };
      case 'busy':
      case 'retry':
        return { kind: o.kind, owner: this.nameOfUid(o.uid), index: -1, word1: -1, word2: -1 };
      default:
        return { kind: o.kind, ...none, index: o.index };
    }
  }

  private evidence(o: Outcome, reader: Reader | null): Evidence {
    if (o.kind !== 'value' || reader === null) return {};
    const forOf = (w: number): string => (w === 0 ? 'none' : this.nameOfUid(wordUid(w)));
    const index = reader.lastIndex;
    const ident = Atomics.load(this.map.memory.slots, index * SLOT_WORDS + IDENT);
    const slotOwner = this.map.v.byUid ? this.nameOfUid(ident) : this.nameOfTask(ident);
    return { word1For: forOf(o.word1), word2For: forOf(o.word2), index, slotOwner };
  }

  private nameOfTask(pid: number): string {
    const o = pid === 0 ? -1 : this.kernel.taskWithPid(pid);
    return o < 0 ? 'none' : ownerName(o);
  }

  visible(): VisibleState {
    const m = this.map.memory;
    const k = this.kernel;
    const slotWord = (i: number, f: number): number => (m.slots.length > i * SLOT_WORDS + f ? Atomics.load(m.slots, i * SLOT_WORDS + f) : 0);
    const forOf = (w: number): string => (w === 0 ? 'none' : this.nameOfUid(wordUid(w)));
    const allocator = Array.from({ length: m.shape.slots }, (_, i) => {
      const alloc = m.load(m.at.slotAlloc + i);
      return alloc === SLOT_FREE ? 'free' : alloc === SLOT_PENDING ? 'grace' : ownerName(alloc - 1);
    });
    const slots = Array.from({ length: m.shape.slots }, (_, i) => {
      const ident = slotWord(i, IDENT);
      const w1 = slotWord(i, WORD1);
      const w2 = slotWord(i, WORD2);
      return {
        seq: slotWord(i, SEQ),
        ident: this.map.v.byUid ? this.nameOfUid(ident) : ident - 1,
        gen: slotWord(i, GEN),
        word1: wordValue(w1),
        word2: wordValue(w2),
        word1For: forOf(w1),
        word2For: forOf(w2),
      };
    });
    const pages = Array.from({ length: m.shape.maxPages }, (_, p) => ({
      kernel: m.load(m.at.pageKernel + p) !== 0 ? 'present' : 'absent',
      view: VIEWS[m.load(m.at.pageView + p)] ?? 'unknown',
    }));
    const owners: Record<string, { phase: string; pid: number; link: number }> = {};
    const references: Record<string, { refs: number; creating: boolean }> = {};
    for (let o = 0; o < m.shape.owners; o++) {
      references[ownerName(o)] = { refs: k.owner(o, O_REFS), creating: k.owner(o, O_CREATING) !== 0 };
      owners[ownerName(o)] = {
        phase: PHASES[k.owner(o, O_PHASE)] ?? 'unknown',
        pid: k.owner(o, O_PID) - 1,
        link: k.owner(o, O_LINK) - 1,
      };
    }
    const freeList = Array.from({ length: this.map.v.policy === 'lifo' ? m.load(G_FREE_TOP) : 0 }, (_, t) => m.load(m.at.freeStack + t));
    const epochs = Array.from({ length: m.shape.slots }, (_, i) => m.load(m.at.slotEpoch + i));
    const cursors = { allocCursor: m.load(G_ALLOC_CURSOR), freeList, highWater: m.load(G_HIGH_WATER), epochs, pidCursor: m.load(G_PID_CURSOR) };
    const held: Record<string, { index: number; rcu: boolean }> = {};
    for (let c = 0; c < m.shape.kernels; c++) {
      const index = m.load(m.at.held + c) - 1;
      // Any marker up counts, looking an index up (RCU_LOOKING) included: it keeps grace periods off.
      held[`K${c + 1}`] = { index, rcu: m.load(m.at.rcu + c) !== RCU_IDLE };
    }
    for (let o = 0; o < m.shape.owners; o++) held[ownerName(o)] = { index: k.owner(o, O_HELD) - 1, rcu: false };
    const readers: Record<string, VisibleReader> = {};
    this.readers.forEach((r, i) => {
      const c = r.cache;
      readers[`R${i + 1}`] =
        c === null
          ? { cacheOwner: 'none', cacheIndex: -1, cacheIdent: -1, cacheGen: -1, retries: r.retries }
          : { cacheOwner: this.nameOfUid(c.uid), cacheIndex: c.index, cacheIdent: this.map.v.byUid ? this.nameOfUid(c.ident) : c.ident - 1, cacheGen: c.gen, retries: r.retries };
    });
    return { slots, allocator, pages, publishedSize: m.load(G_PUBLISHED_SIZE), owners, cursors, references, held, readers };
  }

  close(): void {
    this.running.clear();
  }
}

export const referenceAdapter: AdapterFactory = {
  name: 'reference',
  about: 'the reference implementation in shared memory (src/reference/), one atomic step at a time',
  capabilities: { drive: 'step', shows: EVERY_PART },
  unavailable: () => null,
  open: (config) => new ReferenceAdapter('reference', config, 'step'),
};

/**
 * The same implementation driven one whole operation at a time: what replay can check of an
 * implementation that cannot stop between the steps of an operation.
 */
export const referenceOperationAdapter: AdapterFactory = {
  name: 'reference-ops',
  about: 'the reference implementation, one whole operation at a time (no interleavings, no waits checked)',
  capabilities: { drive: 'operation', shows: EVERY_PART },
  unavailable: () => null,
  open: (config) => new ReferenceAdapter('reference-ops', config, 'operation'),
};
