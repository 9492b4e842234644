/**
 * A kernel-side writer thread (kernel context `id`). Owner records are split between writers: each
 * record has a home writer, which spawns it, creates its element and updates it over and over with
 * words that carry the owner's uid and an update counter; and a killer, the next writer round the
 * ring, which deletes the element or lets the owner exit, be reaped and be freed (free destroys
 * the element). So an owner's element is destroyed by another thread than the one updating it, as
 * a BPF program on one CPU may update a task's storage while the task dies on another; and the
 * home of a dying owner may delete the element while its killer frees the owner. Once the
 * record is freed its home recycles it for a new owner. Every writer runs grace periods.
 *
 * Only the home updates an owner, one update after another, so an owner's counter only grows:
 * what the linearizability check of judge.ts relies on.
 */
import type { Kernel } from '../reference/kernel.js';
import { ALIVE, FREED, UNBORN } from '../../spec/vocabulary.js';
import type { ReferenceMap } from '../reference/map.js';
import { O_LINK, O_PHASE, O_UID } from '../reference/memory.js';
import { runWhole } from '../reference/op.js';
import type { WriterCounts } from './counts.js';
import { drive } from './drive.js';
import { pidShared } from './consistency.js';
import { recycle } from './recycle.js';
import { soakWord, MAX_COUNTER } from './words.js';

export interface WriterPlan {
  readonly id: number;
  readonly writers: number;
  /** Sleep between the steps of a paused update, in ms; 0 never pauses. */
  readonly pauseMs: number;
  /** One update in this many is paused. */
  readonly pauseOneIn: number;
}

/** Chance per round that a killer starts to end a live owner with an element: about 48 updates a life. */
const KILL_CHANCE = 1 / 48;
/** Chance per round of the next step of a dying owner (exit -> reap -> free): zombies keep elements a while. */
const STAGE_CHANCE = 1 / 4;
/** Chance that a killer deletes the element before the owner exits, rather than leaving it to free. */
const DELETE_FIRST = 1 / 2;
const GRACE_EVERY_ROUNDS = 2;
/** Chance per round that a killer creates its target's missing element itself (see killStep). */
const RACE_CREATE_CHANCE = 1 / 2;
/** Chance that the home of a freed owner tries to create its element before it recycles the record. */
const LATE_CREATE_CHANCE = 1 / 4;
/** Chance per round that the home of a dying owner deletes its element (see homeStep). */
const SELF_DELETE_CHANCE = 1 / 8;

interface HomeLife {
  uid: number;
  created: boolean;
  done: boolean;
  counter: number;
}

interface KillLife {
  uid: number;
  stage: 'watch' | 'exited' | 'reaped' | 'freed';
}

export class ChurnWriter {
  private readonly kernel: Kernel;
  private readonly home: number[] = [];
  private readonly targets: number[] = [];
  private readonly homeLives = new Map<number, HomeLife>();
  private readonly killLives = new Map<number, KillLife>();
  private readonly stayAlive: boolean;
  private rounds = 0;

  constructor(
    map: ReferenceMap,
    private readonly plan: WriterPlan,
    private readonly counts: WriterCounts,
  ) {
    this.kernel = map.kernel;
    this.stayAlive = map.config.knobs.lifecycle === 'stay-alive';
    const victimsOf = (plan.id + plan.writers - 1) % plan.writers;
    for (let o = 0; o < map.memory.shape.owners; o++) {
      if (o % plan.writers === plan.id) this.home.push(o);
      if (o % plan.writers === victimsOf) this.targets.push(o);
    }
  }

  /** One round: one step for each home record and each target, and now and then a grace period. */
  round(): void {
    for (const o of this.home) this.homeStep(o);
    for (const o of this.targets) this.killStep(o);
    if (++this.rounds % GRACE_EVERY_ROUNDS === 0) {
      for (let i = 0; i < this.kernel.m.shape.slots; i++) if (runWhole(this.kernel.gracePeriod(i)).kind !== 'disabled') this.counts.gracePeriods++;
    }
  }

  private homeStep(o: number): void {
    const k = this.kernel;
    const c = this.counts;
    const phase = k.owner(o, O_PHASE);
    if (phase === UNBORN) {
      if (runWhole(k.spawn(o)).kind === 'disabled') return;
      c.spawns++;
      if (k.v.task && runWhole(pidShared(k, o)).kind === 'exists') c.pidClashes++;
      return;
    }
    const uid = k.owner(o, O_UID);
    let life = this.homeLives.get(o);
    if (life === undefined || life.uid !== uid) {
      life = { uid, created: false, done: false, counter: 0 };
      this.homeLives.set(o, life);
    }
    if (phase === FREED) {
      // Now and then a program still asks to create the freed owner's storage, which the guard must
      // refuse: an element made now would outlive its owner (no-create-after-free).
      if (Math.random() < LATE_CREATE_CHANCE) {
        const late = runWhole(k.create(this.plan.id, o)).kind;
        if (late === 'created') c.creates++;
        else if (late === 'refused') c.refused++;
      }
      if (runWhole(recycle(k, o)).kind !== 'disabled') c.recycles++;
      return;
    }
    if (life.done) return;
    if (!life.created) {
      const r = runWhole(k.create(this.plan.id, o));
      if (r.kind === 'created' || r.kind === 'exists') {
        life.created = true;
        if (r.kind === 'created') c.creates++;
      } else if (r.kind === 'nomem') c.nomem++;
      else if (r.kind === 'refused') {
        c.refused++;
        life.done = true;
      }
      return;
    }
    if (life.counter >= MAX_COUNTER) return;
    // A dying owner's home now and then deletes the element itself, racing the killer's free of the
    // same owner: one of them unlinks it, and only that one may destroy it. It is not re-created
    // (a new element would restart at zero, which the judge takes for a step back).
    if (phase !== ALIVE && Math.random() < SELF_DELETE_CHANCE) {
      if (runWhole(k.delete(this.plan.id, o)).kind === 'deleted') c.deletes++;
      life.done = true;
      return;
    }
    const paused = this.plan.pauseMs > 0 && Math.random() * this.plan.pauseOneIn < 1;
    const r = drive(k.update(this.plan.id, o, soakWord(uid, life.counter + 1)), paused ? this.plan.pauseMs : 0);
    if (r.kind === 'updated') {
      life.counter++;
      c.updates++;
      if (paused) c.pausedUpdates++;
    } else if (r.kind === 'enoent') {
      c.enoent++;
      // The element is gone. An owner that stays alive gets a new one, and its counter goes on.
      if (this.stayAlive) life.created = false;
      else life.done = true;
    }
  }

  private killStep(o: number): void {
    const k = this.kernel;
    const c = this.counts;
    const uid = k.owner(o, O_UID);
    let life = this.killLives.get(o);
    if (life === undefined || life.uid !== uid) {
      life = { uid, stage: 'watch' };
      this.killLives.set(o, life);
    }
    if (uid === 0) return;
    switch (life.stage) {
      case 'watch': {
        // A program on the killer's CPU asks for a new owner's storage too, racing its home's create:
        // one of the two creates it, the other finds it (no second element, no reference left).
        if (k.owner(o, O_PHASE) === ALIVE && k.owner(o, O_LINK) === 0 && Math.random() < RACE_CREATE_CHANCE) {
          if (runWhole(k.create(this.plan.id, o)).kind === 'created') c.creates++;
          return;
        }
        if (k.owner(o, O_PHASE) !== ALIVE || k.owner(o, O_LINK) === 0 || Math.random() >= KILL_CHANCE) return;
        if (this.stayAlive || Math.random() < DELETE_FIRST) {
          if (runWhole(k.delete(this.plan.id, o)).kind === 'deleted') c.deletes++;
        }
        if (this.stayAlive) return;
        if (runWhole(k.exit(o)).kind !== 'disabled') c.exits++;
        life.stage = 'exited';
        return;
      }
      case 'exited':
        if (Math.random() >= STAGE_CHANCE) return;
        if (k.v.task) {
          if (runWhole(k.reap(o)).kind !== 'disabled') c.reaps++;
          life.stage = 'reaped';
        } else {
          if (runWhole(k.free(o)).kind !== 'disabled') c.frees++;
          life.stage = 'freed';
        }
        return;
      case 'reaped':
        if (Math.random() >= STAGE_CHANCE) return;
        if (runWhole(k.free(o)).kind !== 'disabled') c.frees++;
        life.stage = 'freed';
        return;
      case 'freed':
        return;
    }
  }
}
