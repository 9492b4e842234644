/**
 * The design's choices (design.md section 5) and the bounds of a configuration. Names and values
 * are the design's own: the review matrix, the tests and the documentation all speak them.
 * The reference design is the first value of each knob.
 */

export const KNOBS = {
  indexPolicy: {
    values: ['lowest', 'cyclic', 'lifo'],
    about: 'which free index a create takes (idr_alloc, idr_alloc_cyclic, a free list)',
  },
  ownerIdentity: {
    values: ['uid', 'pid'],
    about: 'what a slot records and a lookup is keyed by: a never-reused uid, or the reusable pid number',
  },
  validation: {
    values: ['seq-uid-gen', 'uid-gen', 'uid', 'none'],
    about: 'what a reader checks before it accepts a value',
  },
  growth: {
    values: ['published-size', 'zero-page', 'unchecked'],
    about: 'unmapped pages with a size readers check; a reserved range backed by the zero page; unmapped pages and no check',
  },
  publishOrder: {
    values: ['after-page', 'before-page'],
    about: 'whether the size is published after or before the new page is visible',
  },
  linkOrder: {
    values: ['init-then-link', 'link-then-init'],
    about: 'whether the owner->index link is made after or before the slot is initialised',
  },
  indexReuse: {
    values: ['after-grace', 'immediate'],
    about: 'whether a freed index waits until no kernel context can still hold the element',
  },
  pageReclaim: {
    values: ['never', 'zero-page', 'unmap'],
    about: 'what happens to a page whose slots are all free',
  },
  zeroOnRecycle: {
    values: ['yes', 'no'],
    about: "whether a freed slot's value is cleared before the index is reused",
  },
  createGuard: {
    values: ['yes', 'no'],
    about: 'whether create refuses an owner that is dying or freed',
  },
  createRace: {
    values: ['locked', 'unlocked'],
    about: 'whether two concurrent creates for one owner are serialised',
  },
  writers: {
    values: ['single', 'plain-seq'],
    about: 'one writer per element at a time, or several writers bumping seq with plain stores',
  },
  readRetry: {
    values: ['bounded', 'unbounded'],
    about: 'a reader gives up after readRetries retries and reports busy, or retries for ever',
  },
  memoryModel: {
    values: ['sc'],
    about: 'sequential consistency (weaker models later)',
  },
  ownerKind: {
    values: ['task', 'cgroup'],
    about: 'task owners (spawn, exit, reap, free; pid numbers reused) or cgroup owners (mkdir, rmdir, free)',
  },
  lifecycle: {
    values: ['full', 'stay-alive'],
    about: 'owners go through their whole life, or are created and stay alive (the liveness scenario)',
  },
} as const satisfies Record<string, { values: readonly [string, ...string[]]; about: string }>;

export type KnobName = keyof typeof KNOBS;
export type KnobValue<K extends KnobName> = (typeof KNOBS)[K]['values'][number];
export type Knobs = { readonly [K in KnobName]: KnobValue<K> };

/** `max` keeps every field of the packed state within a byte and every actor within a bit mask. */
export const BOUNDS = {
  owners: { min: 1, max: 6, about: 'owner objects (tasks or cgroups), each living once' },
  pidNumbers: { min: 1, max: 6, about: 'pid numbers to share among task owners (fewer than owners forces reuse)' },
  slotsPerPage: { min: 1, max: 8, about: 'slots in one page' },
  maxPages: { min: 1, max: 8, about: 'pages the mapping may grow to' },
  kernelContexts: { min: 1, max: 4, about: 'kernel contexts (BPF programs on CPUs) creating, updating and deleting elements' },
  readers: { min: 1, max: 4, about: 'user-space reader threads' },
  values: { min: 1, max: 3, about: 'distinct nonzero values an update may write' },
  kernelOps: { min: 1, max: 8, about: 'operations each kernel context may start ("unbounded" for ever)' },
  readerOps: { min: 1, max: 8, about: 'operations (lookup, read, scan) each reader may start ("unbounded" for ever)' },
  readRetries: { min: 1, max: 8, about: 'retries a bounded reader makes before it reports busy' },
} as const satisfies Record<string, { min: number; max: number; about: string }>;

export type BoundName = keyof typeof BOUNDS;
/** Budgets that may be "unbounded", which makes infinite behaviours (and liveness) possible. */
export const UNBOUNDABLE: readonly BoundName[] = ['kernelOps', 'readerOps'];
export const UNBOUNDED = 'unbounded';
export type BoundValue = number | typeof UNBOUNDED;
export type Bounds = { readonly [B in BoundName]: BoundValue };

export interface Config {
  readonly knobs: Knobs;
  readonly bounds: Bounds;
}

export const REFERENCE_KNOBS: Knobs = Object.fromEntries(
  Object.entries(KNOBS).map(([name, knob]) => [name, knob.values[0]]),
) as unknown as Knobs;

export function isKnob(name: string): name is KnobName {
  return Object.hasOwn(KNOBS, name);
}

export function isBound(name: string): name is BoundName {
  return Object.hasOwn(BOUNDS, name);
}

/** The config in one flat record, knobs then bounds, as `#meta` and `--json` carry it. */
export function flatConfig(config: Config): Record<string, string | number> {
  return { ...config.knobs, ...config.bounds };
}
