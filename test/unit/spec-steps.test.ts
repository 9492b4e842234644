/**
 * Single steps of the spec against each invariant of spec/invariants.ts: for each, a state in which
 * one step breaks it and a nearby state in which the same step keeps it. States are reached by
 * taking the spec's own actions from `init` (so that every ghost field is what the spec would make
 * it), and only where no knob can reach the breaking state (unique-slot, covered) by then setting a
 * field or two by hand. `step` returns a negative number for an action not taken, else the mask of
 * step invariants broken (bit i = INVARIANTS[i]); state invariants are asked of the successor.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kernelAt, ownerAt, readerAt, slotAt } from '../../spec/context.js';
import { buildSpec, type LsmcSpec } from '../../spec/index.js';
import { INVARIANTS } from '../../spec/invariants.js';
import { GLOBAL, KERNEL, OWNER, PAGE, PAGE_FIELDS, READER, SLOT } from '../../spec/layout.js';
import { applyOverrides, loadConfigFile } from '../../src/model/config.js';

const REFERENCE = resolve(import.meta.dirname, '../../model/reference.json');

/** reference.json (3 tasks, 2 pid numbers, 1 slot a page, 2 pages, 2 kernel contexts, 2 readers) with room for a few operations each. */
function specWith(sets: Record<string, string | number> = {}): LsmcSpec {
  const all = { kernelOps: 4, readerOps: 4, ...sets };
  return buildSpec(applyOverrides(loadConfigFile(REFERENCE).config, Object.entries(all).map(([k, v]) => `${k}=${v}`)));
}

const A = 0;
const B = 1;
const K1 = 0;
const K2 = 1;
const R1 = 0;

const bitOf = (name: string): number => {
  const i = INVARIANTS.findIndex((inv) => inv.name === name);
  expect(i, `invariant ${name} exists`).toBeGreaterThanOrEqual(0);
  return 1 << i;
};
const kindOf = (name: string): string => INVARIANTS.find((inv) => inv.name === name)?.kind ?? '?';

/**
 * What a step does, told from the states before and after it by layout offsets alone: the tests
 * say "up to the step that links B", not "up to pc create.link", so that renaming or reordering
 * the spec's program counters does not move them.
 */
type Change = (from: Uint8Array, to: Uint8Array) => boolean;

/** A state of a spec, driven by the spec's own actions (each must be taken). */
class World {
  readonly s: Uint8Array;

  constructor(
    readonly spec: LsmcSpec,
    from?: Uint8Array,
  ) {
    this.s = new Uint8Array(spec.stateBytes);
    if (from) this.s.set(from);
    else spec.init(this.s);
  }

  private actorOf(kind: 'kernel-step' | 'reader-step', n: number): number {
    const actors = this.spec.actions.filter((a) => a.kind === kind).map((a) => a.actor);
    expect(actors.length).toBeGreaterThan(n);
    return actors[n];
  }

  /** The action of that kind whose fields match `want`. */
  action(kind: string, want: { kernel?: number; reader?: number; owner?: number; answer?: number; index?: number; value?: number }): number {
    const actor = want.kernel !== undefined ? this.actorOf('kernel-step', want.kernel) : want.reader !== undefined ? this.actorOf('reader-step', want.reader) : undefined;
    const found = this.spec.actions.findIndex(
      (a) =>
        a.kind === kind &&
        (actor === undefined || a.actor === actor) &&
        (want.owner === undefined || a.owner === want.owner) &&
        (want.answer === undefined || a.answer === want.answer) &&
        (want.index === undefined || a.index === want.index) &&
        (want.value === undefined || a.value === want.value),
    );
    expect(found, `an action ${kind} ${JSON.stringify(want)}`).toBeGreaterThanOrEqual(0);
    return found;
  }

  /** The successor through `action` and its step mask; negative mask: not taken. */
  peek(action: number): { to: Uint8Array; bad: number } {
    const to = new Uint8Array(this.spec.stateBytes);
    return { to, bad: this.spec.step(action, this.s, to) };
  }

  taken(action: number): boolean {
    return this.peek(action).bad >= 0;
  }

  /** Takes `action`; returns its step-invariant mask. */
  do(action: number): number {
    const { to, bad } = this.peek(action);
    expect(bad, `${JSON.stringify(this.spec.actions[action])} is taken`).toBeGreaterThanOrEqual(0);
    this.s.set(to);
    return bad;
  }

  /** Takes `action` again and again until the next one would do `next`; leaves that one untaken. */
  before(action: number, next: Change): this {
    for (let n = 0; ; n++) {
      expect(n, `${JSON.stringify(this.spec.actions[action])} gets there`).toBeLessThan(40);
      const { to, bad } = this.peek(action);
      expect(bad, `${JSON.stringify(this.spec.actions[action])} is taken on the way`).toBeGreaterThanOrEqual(0);
      if (next(this.s, to)) return this;
      this.s.set(to);
    }
  }

  /** Takes `action` again and again up to and including the first one that does `done`. */
  through(action: number, done: Change): this {
    this.before(action, done);
    this.do(action);
    return this;
  }

  life(o: number): this {
    this.do(this.action('lifecycle', { owner: o }));
    return this;
  }
  kernelStep(k: number): number {
    return this.action('kernel-step', { kernel: k });
  }
  readerStep(r: number): number {
    return this.action('reader-step', { reader: r });
  }
  /** Kernel context k's program counter; 0 is idle, as in the initial state. */
  kpc(k: number): number {
    return this.s[kernelAt(this.spec.ctx, k) + KERNEL.pc];
  }
  /** Kernel context k's steps until its operation is over. */
  kernelDone(k: number): this {
    for (let n = 0; this.kpc(k) !== 0; n++) {
      expect(n, `kernel ${k} finishes`).toBeLessThan(40);
      this.do(this.kernelStep(k));
    }
    return this;
  }
  create(k: number, o: number): this {
    this.do(this.action('create', { kernel: k, owner: o }));
    return this;
  }
  /** A whole create: the element is linked when it returns. */
  created(k: number, o: number): this {
    this.create(k, o).kernelDone(k);
    expect(this.linkOf(o)).not.toBe(0);
    return this;
  }
  /** Owner o's life from where it is until no lifecycle step is left: freed, its free path's destroy done. */
  freed(o: number): this {
    const life = this.action('lifecycle', { owner: o });
    for (let n = 0; this.taken(life); n++) {
      expect(n, `owner ${o} is freed`).toBeLessThan(40);
      this.do(life);
    }
    expect(this.linkOf(o)).toBe(0);
    expect(this.s[ownerAt(this.spec.ctx, o) + OWNER.pc]).toBe(0);
    return this;
  }
  rpc(r: number): number {
    return this.s[readerAt(this.spec.ctx, r) + READER.pc];
  }
  linkOf(o: number): number {
    return this.s[ownerAt(this.spec.ctx, o) + OWNER.link];
  }
  slotField(index: number, field: number): number {
    return slotAt(this.spec.ctx, index) + field;
  }
}

// What individual steps do, by the fields they change.
const linksOwner = (w: World, o: number): Change => {
  const at = ownerAt(w.spec.ctx, o) + OWNER.link;
  return (f, t) => f[at] === 0 && t[at] !== 0;
};
const writes = (w: World, index: number, field: number): Change => {
  const at = w.slotField(index, field);
  return (f, t) => f[at] !== t[at];
};
const clearsUid = (w: World, index: number): Change => {
  const at = w.slotField(index, SLOT.ident);
  return (f, t) => f[at] !== 0 && t[at] === 0;
};
const endsRead = (w: World, r: number): Change => {
  const at = readerAt(w.spec.ctx, r) + READER.pc;
  return (f, t) => f[at] !== 0 && t[at] === 0;
};
const endsFreePath = (w: World, o: number): Change => {
  const at = ownerAt(w.spec.ctx, o) + OWNER.pc;
  return (f, t) => f[at] !== 0 && t[at] === 0;
};

/** One step, taken from a state that breaks the invariant through it and from one that keeps it. */
interface Case {
  readonly invariant: string;
  readonly why: string;
  readonly breaks: () => At;
  readonly keeps: () => At;
}
interface At {
  readonly world: World;
  readonly action: number;
}

/** validation=none (the read loads only the two words): A's element is live and R1 has looked it up. */
function readerOnA(): World {
  const w = new World(specWith({ validation: 'none' })).life(A).life(B).created(K1, A);
  w.do(w.action('lookup', { reader: R1, owner: A, answer: A }));
  return w;
}
const startRead = (w: World): World => {
  w.do(w.action('read', { reader: R1 }));
  return w;
};
/** R1's last load (word 2 under validation=none), which ends the read: where a read's step invariants are judged. */
const lastLoad = (w: World): At => {
  const step = w.readerStep(R1);
  return { world: w.before(step, endsRead(w, R1)), action: step };
};
/** R1 has loaded word 1: its next load is its last. */
const wordOneLoaded = (w: World): World => w.before(w.readerStep(R1), endsRead(w, R1));

/** A freed, its index back with the allocator: A's destroy zeroed the words, for nobody. */
const aCleared = (): World => {
  const w = readerOnA().freed(A);
  w.do(w.action('grace', { index: 0 }));
  return w;
};
/** ... and the index handed to B, whose create zeroed the words for B. */
const bReused = (): World => {
  const w = aCleared().created(K2, B);
  expect(w.linkOf(B), "B got A's old index 0").toBe(1);
  return w;
};

/** K2's next step links B's new element (index 1); A is linked to index 0. */
function linkingB(): World {
  const w = new World(specWith()).life(A).life(B).created(K1, A).create(K2, B);
  w.before(w.kernelStep(K2), linksOwner(w, B));
  expect(w.s[kernelAt(w.spec.ctx, K2) + KERNEL.index]).toBe(1);
  return w;
}
const linkStep = (w: World): At => ({ world: w, action: w.kernelStep(K2) });

/** createRace=unlocked, one owner: two creates both allocate and link; A's free destroys only the element linked last. */
function leakedBeforeLastFreeStep(): At {
  const w = new World(specWith({ createRace: 'unlocked', owners: 1, pidNumbers: 1 })).life(A).create(K1, A).create(K2, A).kernelDone(K1).kernelDone(K2);
  expect(w.linkOf(A), 'the second create overwrote the link').toBe(2);
  const life = w.action('lifecycle', { owner: A });
  return { world: w.before(life, endsFreePath(w, A)), action: life };
}

/** K2 has begun an update of A's element and not yet made its first store (indexReuse=immediate). */
function lateUpdater(): World {
  const w = new World(specWith({ indexReuse: 'immediate' })).life(A).life(B).created(K1, A);
  w.do(w.action('update', { kernel: K2, owner: A, value: 1 }));
  return w;
}

const CASES: readonly Case[] = [
  {
    invariant: 'unique-slot',
    why: 'linking B to the index A is linked to (no knob picks a taken index, so K2 is pointed there by hand)',
    breaks: () => {
      const w = linkingB();
      w.s[kernelAt(w.spec.ctx, K2) + KERNEL.index] = 0;
      return linkStep(w);
    },
    keeps: () => linkStep(linkingB()),
  },
  {
    invariant: 'no-stale-read',
    why: "A's cached index read after A's destroy zeroed the words (for nobody), accepted as A's",
    breaks: () => lastLoad(startRead(aCleared())),
    keeps: () => lastLoad(startRead(readerOnA())),
  },
  {
    invariant: 'no-foreign-read',
    why: "A's cached index read after B's create wrote the words for B, accepted as A's",
    breaks: () => lastLoad(startRead(bReused())),
    // Words zeroed for nobody are stale but not foreign.
    keeps: () => lastLoad(startRead(aCleared())),
  },
  {
    invariant: 'no-torn-read',
    why: 'word 1 loaded before an update, word 2 after the update wrote it',
    breaks: () => {
      const w = wordOneLoaded(startRead(readerOnA()));
      w.do(w.action('update', { kernel: K2, owner: A, value: 1 }));
      return lastLoad(w.through(w.kernelStep(K2), writes(w, 0, SLOT.w2)));
    },
    // The update has written word 1 only: both words the reader loads are the old zero.
    keeps: () => {
      const w = wordOneLoaded(startRead(readerOnA()));
      w.do(w.action('update', { kernel: K2, owner: A, value: 1 }));
      return lastLoad(w.through(w.kernelStep(K2), writes(w, 0, SLOT.w1)));
    },
  },
  {
    invariant: 'linearizable-read',
    why: 'both words of an update that has not completed: value 1 was never current during the read',
    breaks: () => {
      const w = startRead(readerOnA());
      w.do(w.action('update', { kernel: K2, owner: A, value: 1 }));
      w.through(w.kernelStep(K2), writes(w, 0, SLOT.w2));
      return lastLoad(wordOneLoaded(w));
    },
    // The update completes before the last load: its value became current during the read.
    keeps: () => {
      const w = startRead(readerOnA());
      w.do(w.action('update', { kernel: K2, owner: A, value: 1 }));
      w.through(w.kernelStep(K2), writes(w, 0, SLOT.w2));
      return lastLoad(wordOneLoaded(w).kernelDone(K2));
    },
  },
  {
    invariant: 'no-fault',
    why: 'growth=unchecked: a scan of index 1, whose page no create has mapped',
    breaks: () => {
      const w = new World(specWith({ growth: 'unchecked' })).life(A).life(B).created(K1, A);
      return { world: w, action: w.action('scan', { reader: R1, index: 1 }) };
    },
    keeps: () => {
      const w = new World(specWith({ growth: 'unchecked' })).life(A).life(B).created(K1, A).created(K2, B);
      return { world: w, action: w.action('scan', { reader: R1, index: 1 }) };
    },
  },
  {
    invariant: 'covered',
    why: 'linking B to an index whose page user space no longer sees (set back to its initial view by hand)',
    breaks: () => {
      const w = linkingB();
      const view = w.spec.ctx.L.page + 1 * PAGE_FIELDS + PAGE.view;
      const initial = new Uint8Array(w.spec.stateBytes);
      w.spec.init(initial);
      expect(w.s[view]).not.toBe(initial[view]); // K2's create mapped it
      w.s[view] = initial[view];
      return linkStep(w);
    },
    keeps: () => linkStep(linkingB()),
  },
  {
    invariant: 'zero-is-empty',
    why: "validation=none: the read's last load after a delete cleared the slot's uid",
    breaks: () => {
      const w = wordOneLoaded(startRead(readerOnA()));
      w.do(w.action('delete', { kernel: K2, owner: A }));
      return lastLoad(w.through(w.kernelStep(K2), clearsUid(w, 0)));
    },
    // The delete has unlinked A but not begun the clear: the slot still holds A's element.
    keeps: () => {
      const w = wordOneLoaded(startRead(readerOnA()));
      w.do(w.action('delete', { kernel: K2, owner: A }));
      return lastLoad(w);
    },
  },
  {
    invariant: 'no-leak',
    why: "createRace=unlocked: the last step of the only owner's free leaves the other create's slot allocated",
    breaks: leakedBeforeLastFreeStep,
    // The same step with that slot free (by hand): nothing leaks.
    keeps: () => {
      const at = leakedBeforeLastFreeStep();
      at.world.s[at.world.slotField(0, SLOT.alloc)] = 0;
      return at;
    },
  },
  {
    invariant: 'no-create-after-free',
    why: 'createGuard=no: a create started on a freed owner links',
    breaks: () => {
      const w = new World(specWith({ createGuard: 'no' })).life(A).freed(A).create(K1, A);
      return { world: w.before(w.kernelStep(K1), linksOwner(w, A)), action: w.kernelStep(K1) };
    },
    // A create that started while A lived holds a reference, so A, reaped, cannot be freed before it links.
    keeps: () => {
      const w = new World(specWith({ createGuard: 'no' })).life(A).create(K1, A).life(A).life(A);
      return { world: w.before(w.kernelStep(K1), linksOwner(w, A)), action: w.kernelStep(K1) };
    },
  },
  {
    invariant: 'no-write-after-reuse',
    why: "indexReuse=immediate: K2 still holds A's element when its index goes to B",
    breaks: () => {
      const w = lateUpdater().freed(A).created(K1, B);
      expect(w.linkOf(B), 'B got index 0').toBe(1);
      return { world: w, action: w.kernelStep(K2) };
    },
    // The index is back with the allocator but not handed out again: a late store into a free slot is allowed.
    keeps: () => {
      const w = lateUpdater().freed(A);
      return { world: w, action: w.kernelStep(K2) };
    },
  },
];

describe('one step of the spec breaks each invariant, and the same step from a nearby state keeps it', () => {
  it('every invariant has a case', () => {
    expect(CASES.map((c) => c.invariant).sort()).toEqual(INVARIANTS.map((i) => i.name).sort());
  });

  for (const c of CASES) {
    const bit = bitOf(c.invariant);
    it(`${c.invariant} (${kindOf(c.invariant)}): ${c.why}`, () => {
      for (const [label, make, broken] of [
        ['breaks', c.breaks, true],
        ['keeps', c.keeps, false],
      ] as const) {
        const { world, action } = make();
        const spec = world.spec;
        const to = new Uint8Array(spec.stateBytes);
        const bad = spec.step(action, world.s, to);
        expect(bad, `${label}: the step is taken`).toBeGreaterThanOrEqual(0);
        if (kindOf(c.invariant) === 'step') {
          expect(bad & bit, `${label}: step mask ${bad}`).toBe(broken ? bit : 0);
        } else {
          // The state before the step is fine: it is the step that breaks it.
          expect(spec.violations(world.s, bit), `${label}: before the step`).toBe(0);
          expect(spec.violations(to, bit), `${label}: after the step`).toBe(broken ? bit : 0);
          // A step never reports a state invariant in its step mask.
          expect(bad & bit).toBe(0);
        }
      }
    });
  }
});

describe('the read invariants tell their causes apart', () => {
  const maskOf = (at: At): number => {
    const bad = at.world.spec.step(at.action, at.world.s, new Uint8Array(at.world.spec.stateBytes));
    expect(bad).toBeGreaterThanOrEqual(0);
    return bad;
  };
  const stale = bitOf('no-stale-read');
  const foreign = bitOf('no-foreign-read');

  it("words nobody wrote are stale but not foreign; words written for B are both, read as A's", () => {
    expect(maskOf(lastLoad(startRead(aCleared()))) & (stale | foreign)).toBe(stale);
    expect(maskOf(lastLoad(startRead(bReused()))) & (stale | foreign)).toBe(stale | foreign);
  });

  it('the value of an update not yet complete is neither torn nor stale: only linearizable-read sees it', () => {
    const w = startRead(readerOnA());
    w.do(w.action('update', { kernel: K2, owner: A, value: 1 }));
    w.through(w.kernelStep(K2), writes(w, 0, SLOT.w2));
    const bad = maskOf(lastLoad(wordOneLoaded(w)));
    expect(bad & (bitOf('no-torn-read') | stale | foreign)).toBe(0);
    expect(bad & bitOf('linearizable-read')).not.toBe(0);
  });
});

describe('what the reference design does at the same points', () => {
  it('a scan beyond the published size is not taken (growth=published-size)', () => {
    const w = new World(specWith()).life(A).life(B).created(K1, A);
    expect(w.s[w.spec.ctx.L.global + GLOBAL.publishedSize]).toBe(1);
    expect(w.taken(w.action('scan', { reader: R1, index: 1 }))).toBe(false);
    expect(w.taken(w.action('scan', { reader: R1, index: 0 }))).toBe(true);
  });

  it('after-grace: the grace period of an element waits while a kernel context still updates it', () => {
    const w = new World(specWith()).life(A).life(B).created(K1, A);
    w.do(w.action('update', { kernel: K2, owner: A, value: 1 }));
    w.freed(A);
    const grace = w.action('grace', { index: 0 });
    expect(w.taken(grace)).toBe(false);
    // So B's create cannot take index 0, and K2's late stores land in a slot no one else owns.
    w.created(K1, B);
    expect(w.linkOf(B)).toBe(2);
    const k2 = w.kernelStep(K2);
    for (let n = 0; w.kpc(K2) !== 0; n++) {
      expect(n).toBeLessThan(10);
      expect(w.do(k2) & bitOf('no-write-after-reuse')).toBe(0);
    }
    expect(w.taken(grace)).toBe(true);
  });

  it("an owner's free waits for the reference a create in flight holds", () => {
    const w = new World(specWith()).life(A).create(K1, A).life(A).life(A);
    expect(w.taken(w.action('lifecycle', { owner: A }))).toBe(false);
    w.kernelDone(K1);
    expect(w.linkOf(A)).not.toBe(0);
    w.freed(A);
  });

  it('createGuard=yes: a create for a freed owner is refused without starting', () => {
    const w = new World(specWith()).life(A).freed(A).create(K1, A);
    expect(w.kpc(K1)).toBe(0);
    expect(w.linkOf(A)).toBe(0);
  });

  it('validation=seq-uid-gen: the read of a reused index that validation=none accepts stale is not accepted', () => {
    const stale = bitOf('no-stale-read') | bitOf('no-foreign-read');
    const w = new World(specWith()).life(A).life(B).created(K1, A);
    w.do(w.action('lookup', { reader: R1, owner: A, answer: A }));
    w.freed(A);
    w.do(w.action('grace', { index: 0 }));
    w.created(K2, B);
    expect(w.linkOf(B)).toBe(1);
    w.do(w.action('read', { reader: R1 }));
    const step = w.readerStep(R1);
    for (let n = 0; w.rpc(R1) !== 0; n++) {
      expect(n).toBeLessThan(20);
      expect(w.do(step) & stale).toBe(0);
    }
  });
});
