import { describe, expect, it } from 'vitest';
import { VIEW_MAPPED, VIEW_UNMAPPED, FREED } from '../spec/vocabulary.js';
import { ownerAt, slotAt } from '../spec/context.js';
import { buildSpec } from '../spec/index.js';
import { COVERED, INVARIANTS, NO_LEAK, UNIQUE_SLOT } from '../spec/invariants.js';
import { GLOBAL, OWNER, PAGE, PAGE_FIELDS, SLOT } from '../spec/layout.js';
import { check, configOf } from './support/models.js';
import { checkExplanation } from './support/explanation-check.js';
import type { Trace } from '../src/trace/replay.js';

/** A variant that breaks each step invariant (and no-leak), found by the checker. */
const BROKEN_BY: [string, string, Record<string, string>][] = [
  ['no-stale-read', 'hazard-11-zero-on-recycle.json', { zeroOnRecycle: 'no' }],
  ['no-foreign-read', 'hazard-11-zero-on-recycle.json', { zeroOnRecycle: 'no' }],
  ['no-torn-read', 'hazard-11-zero-on-recycle.json', { validation: 'uid-gen' }],
  ['linearizable-read', 'hazard-11-zero-on-recycle.json', { validation: 'none' }],
  ['no-fault', 'hazard-11-zero-on-recycle.json', { growth: 'unchecked' }],
  ['zero-is-empty', 'hazard-03-link-then-init.json', { linkOrder: 'link-then-init' }],
  ['no-leak', 'hazard-12-create-race.json', { createRace: 'unlocked' }],
  ['no-create-after-free', 'hazard-12-create-race.json', { createGuard: 'no' }],
  ['no-write-after-reuse', 'hazard-08-index-reuse.json', { indexReuse: 'immediate' }],
  ['reader-progress', 'livelock.json', { readRetry: 'unbounded' }],
];

describe('each invariant fails on a variant built to break it', () => {
  for (const [invariant, model, sets] of BROKEN_BY) {
    it(`${invariant} breaks under ${Object.entries(sets).map(([k, v]) => `${k}=${v}`).join(' ')} and holds in the reference design`, () => {
      const broken = check(configOf(model, sets), [invariant]);
      expect(broken.result).toBe('violation');
      expect(broken.invariant).toBe(invariant);
      expect(broken.explanation).toMatch(/\.$/);
      expect(checkExplanation(broken.trace as Trace, broken.explanation ?? ''), broken.explanation ?? '').toEqual([]);
      const reference = check(configOf(model, invariant === 'reader-progress' ? { readRetry: 'bounded' } : {}), [invariant]);
      expect(reference.result).toBe('ok');
    });
  }

  // No knob value breaks these two in the model (the design guards them structurally), so the
  // predicates are checked on states built by hand.
  const spec = buildSpec(configOf('reference.json'));
  const c = spec.ctx;
  const base = (): Uint8Array => {
    const s = new Uint8Array(spec.stateBytes);
    spec.init(s);
    return s;
  };

  it('unique-slot: two owners linked to one index', () => {
    const s = base();
    s[ownerAt(c, 0) + OWNER.link] = 1;
    expect(spec.violations(s, UNIQUE_SLOT)).toBe(0);
    s[ownerAt(c, 1) + OWNER.link] = 1;
    expect(spec.violations(s, UNIQUE_SLOT)).toBe(UNIQUE_SLOT);
  });

  it('covered: a linked index on an unmapped page, or beyond the published size', () => {
    const s = base();
    s[ownerAt(c, 0) + OWNER.link] = 2; // index 1, page 1
    s[c.L.page + 1 * PAGE_FIELDS + PAGE.view] = VIEW_UNMAPPED;
    s[c.L.global + GLOBAL.publishedSize] = 2;
    expect(spec.violations(s, COVERED)).toBe(COVERED);
    s[c.L.page + 1 * PAGE_FIELDS + PAGE.view] = VIEW_MAPPED;
    expect(spec.violations(s, COVERED)).toBe(0);
    s[c.L.global + GLOBAL.publishedSize] = 1;
    expect(spec.violations(s, COVERED)).toBe(COVERED);
  });

  it('no-leak: judged only once every owner is freed and every actor idle', () => {
    const s = base();
    s[slotAt(c, 0) + SLOT.alloc] = 1;
    expect(spec.violations(s, NO_LEAK)).toBe(0);
    for (let o = 0; o < c.L.owners; o++) s[ownerAt(c, o) + OWNER.phase] = FREED;
    expect(spec.violations(s, NO_LEAK)).toBe(NO_LEAK);
  });

  it('every invariant of design.md section 6 is known by its stable name, and no-foreign-read beside no-stale-read', () => {
    expect(INVARIANTS.map((i) => i.name)).toEqual([
      'unique-slot',
      'no-stale-read',
      'no-foreign-read',
      'no-torn-read',
      'linearizable-read',
      'no-fault',
      'covered',
      'zero-is-empty',
      'no-leak',
      'no-create-after-free',
      'no-write-after-reuse',
    ]);
  });
});
