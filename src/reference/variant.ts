/**
 * The knobs of design.md section 5 as the reference implementation reads them: each is a branch
 * in real code, so that any variant can be run for real.
 */
import type { Config } from '../../spec/knobs.js';

export interface Variant {
  readonly byUid: boolean;
  readonly task: boolean;
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
  /** Retries before a reader reports busy; -1 for readRetry=unbounded. */
  readonly retryBound: number;
  readonly pidNumbers: number;
}

export function variantOf(config: Config): Variant {
  const k = config.knobs;
  const b = config.bounds;
  return {
    byUid: k.ownerIdentity === 'uid',
    task: k.ownerKind === 'task',
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
    retryBound: k.readRetry === 'bounded' ? (b.readRetries as number) : -1,
    pidNumbers: b.pidNumbers as number,
  };
}
