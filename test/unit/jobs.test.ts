/**
 * What crosses the network is read through the job table: a worker's progress too. A progress that
 * is not one is dropped from the line (null), never cast into it.
 */
import { describe, expect, it } from 'vitest';
import { JOBS } from '../../src/queue/jobs.js';

describe('a running job\'s progress, as a worker published it', () => {
  it('is the explorer\'s progress for a review variant, and nothing else', () => {
    const p = { distinct: 1200, transitions: 3400, depth: 9, queued: 40, seconds: 0.5 };
    expect(JOBS.review.progress(p)).toEqual(p);
    expect(JOBS.review.progress({ ...p, distinct: -1 })).toBeNull();
    expect(JOBS.review.progress({ ...p, depth: 'nine' })).toBeNull();
    expect(JOBS.review.progress(null)).toBeNull();
  });

  it('is the search\'s progress for a simulation shard, shrinking included', () => {
    const p = { phase: 'shrink', runs: 10, steps: 500, seconds: 1, invariant: 'no-stale-read', shrinkTries: 3, shortest: 12 };
    expect(JOBS.simulate.progress(p)).toEqual(p);
    expect(JOBS.simulate.progress({ ...p, phase: 'walk' })).toBeNull();
    expect(JOBS.simulate.progress('50%')).toBeNull();
  });
});
