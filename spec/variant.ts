/**
 * The knobs of design.md section 5 as the behaviour they select: one flag or value per decision a
 * step makes. The spec and every implementation branch on these, and only these, so that adding a
 * knob value is one entry in spec/knobs.ts, one here, and its behaviour in each of them.
 */
import type { Config } from './knobs.js';

export interface Behaviour {
  readonly task: boolean;
  readonly byUid: boolean;
  readonly policy: 'lowest' | 'cyclic' | 'lifo';
  readonly checksSeq: boolean;
  readonly checksUid: boolean;
  readonly checksGen: boolean;
  readonly publishedSize: boolean;
  readonly zeroPageGrowth: boolean;
  readonly publishAfterPage: boolean;
  readonly linkAfterInit: boolean;
  readonly reuseAfterGrace: boolean;
  readonly reclaim: 'never' | 'zero-page' | 'unmap';
  readonly zeroOnRecycle: boolean;
  readonly createGuard: boolean;
  readonly createLocked: boolean;
  readonly singleWriter: boolean;
  readonly stayAlive: boolean;
  /** Retries before a reader reports busy; -1 for readRetry=unbounded (retries are then not counted). */
  readonly retryBound: number;
  readonly pidNumbers: number;
}

export function behaviourOf(config: Config): Behaviour {
  const k = config.knobs;
  const b = config.bounds;
  return {
    task: k.ownerKind === 'task',
    byUid: k.ownerIdentity === 'uid',
    policy: k.indexPolicy,
    checksSeq: k.validation === 'seq-uid-gen',
    checksUid: k.validation !== 'none',
    checksGen: k.validation === 'seq-uid-gen' || k.validation === 'uid-gen',
    publishedSize: k.growth === 'published-size',
    zeroPageGrowth: k.growth === 'zero-page',
    publishAfterPage: k.publishOrder === 'after-page',
    linkAfterInit: k.linkOrder === 'init-then-link',
    reuseAfterGrace: k.indexReuse === 'after-grace',
    reclaim: k.pageReclaim,
    zeroOnRecycle: k.zeroOnRecycle === 'yes',
    createGuard: k.createGuard === 'yes',
    createLocked: k.createRace === 'locked',
    singleWriter: k.writers === 'single',
    stayAlive: k.lifecycle === 'stay-alive',
    retryBound: k.readRetry === 'bounded' ? (b.readRetries as number) : -1,
    pidNumbers: b.pidNumbers as number,
  };
}
