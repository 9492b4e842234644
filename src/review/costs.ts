/**
 * What a variant costs, as the model shows it: the memory it takes at the bounds (measured over
 * every reachable state the check explores), what a static mmapable ARRAY would take instead, and
 * what one read costs user space (walked through the spec itself, so that a knob that adds or drops
 * a load changes the figure without a second description of the protocol here).
 */
import type { ExploreOptions } from '../../checker/explore.js';
import { buildSpec } from '../../spec/index.js';
import type { Config } from '../../spec/knobs.js';
import { footprintOf } from '../../spec/footprint.js';

type OnStep = NonNullable<ExploreOptions['onStep']>;

/** A page of the mapping, and one element as user space sees it (kernel/lsmc.h: five u64 words). */
export const PAGE_BYTES = 4096;
export const ELEMENT_BYTES = 40;

export interface Costs {
  /** The most slot pages the kernel holds at once in any reachable state. */
  readonly peakPages: number;
  /** The most bytes of user address space the read-only mapping spans at once (zero-page growth maps its whole reserve). */
  readonly peakMappingBytes: number;
  /** Pages a static mmapable ARRAY indexed by the owner's key needs at these bounds: one slot per pid number for tasks, per cgroup ever made for cgroups (their ids are never reused). */
  readonly staticArrayPages: number;
  /** Loads a read of a live owner's element makes when nothing races it. */
  readonly loadsPerRead: number;
  /** Syscalls from nothing cached to a value: the lookup of the owner's index, made once per owner; later reads of the cached index make none. */
  readonly syscallsFirstRead: number;
  /**
   * The most retries any read made in any reachable state (readRetries bounds it). Null under
   * readRetry=unbounded: the spec keeps no count there (a count with no bound would make the space
   * infinite), so no figure can be read off the states; reader-progress says whether a read can
   * retry for ever.
   */
  readonly peakRetries: number | null;
}

/**
 * A hook for the explorer's onStep that keeps the peaks over every successor it generates. The
 * successor is looked at before canonicalisation, which only permutes owners, contexts and readers:
 * counts of pages and retries are the same in every member of a symmetry class.
 */
export function costMeter(config: Config): { readonly onStep: OnStep; peaks(): { peakPages: number; peakMappedPages: number; peakRetries: number } } {
  const f = footprintOf(config);
  const retryCap = config.knobs.readRetry === 'bounded' ? (config.bounds.readRetries as number) : 255;
  let pages = 0;
  let mapped = 0;
  let retries = 0;
  // Once every peak is at its ceiling nothing can raise it: the hook returns at once for the rest of the run.
  let full = false;
  const onStep: OnStep = (_action, _fromId, _from, to) => {
    if (full) return;
    pages = Math.max(pages, f.pages(to));
    mapped = Math.max(mapped, f.mappedPages(to));
    retries = Math.max(retries, f.retries(to));
    full = pages === f.maxPages && mapped === f.maxPages && retries >= retryCap;
  };
  return { onStep, peaks: () => ({ peakPages: pages, peakMappedPages: mapped, peakRetries: retries }) };
}

/**
 * One read with nothing racing it, taken step by step in the spec with the variant's knobs: an
 * owner is born, one kernel context creates its element, a reader looks its index up and reads it.
 * Each reader step is one load (spec/reader.ts), so the read's steps are its loads; the lookup is the
 * one syscall (the spec's only step that enters the kernel from user space).
 */
export function readPath(config: Config): { loads: number; syscalls: number } {
  let syscalls = 0;
  const knobs = { ...config.knobs, lifecycle: 'full' as const, readRetry: 'bounded' as const };
  const bounds = { owners: 1, pidNumbers: 1, slotsPerPage: 1, maxPages: 1, kernelContexts: 1, readers: 1, values: 1, kernelOps: 1, readerOps: 2, readRetries: 1 };
  const spec = buildSpec({ knobs, bounds });
  let state = new Uint8Array(spec.stateBytes);
  spec.init(state);
  let next = new Uint8Array(spec.stateBytes);
  const take = (kind: string, fits: (a: (typeof spec.actions)[number]) => boolean = () => true): boolean => {
    const i = spec.actions.findIndex((a) => a.kind === kind && fits(a));
    if (i < 0 || spec.take(i, state, next).kind !== 'taken') return false;
    [state, next] = [next, state];
    if (kind === 'lookup') syscalls++;
    return true;
  };
  const need = (ok: boolean, what: string): void => {
    if (!ok) throw new Error(`readPath: ${what} was not enabled in the spec`);
  };
  need(take('lifecycle'), 'the owner\'s birth');
  need(take('create', (a) => a.owner === 0), 'the create');
  while (take('kernel-step'));
  need(take('lookup', (a) => a.answer === 0), 'the lookup');
  need(take('read'), 'the read');
  let loads = 1;
  while (take('reader-step')) loads++;
  return { loads, syscalls };
}

export function costsOf(config: Config, peaks: ReturnType<ReturnType<typeof costMeter>['peaks']>): Costs {
  const b = config.bounds;
  const keys = config.knobs.ownerKind === 'task' ? (b.pidNumbers as number) : (b.owners as number);
  const read = readPath(config);
  return {
    peakPages: peaks.peakPages,
    peakMappingBytes: peaks.peakMappedPages * PAGE_BYTES,
    staticArrayPages: Math.ceil(keys / (b.slotsPerPage as number)),
    loadsPerRead: read.loads,
    syscallsFirstRead: read.syscalls,
    peakRetries: config.knobs.readRetry === 'bounded' ? peaks.peakRetries : null,
  };
}
