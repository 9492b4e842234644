/**
 * A configuration and a trace step in the kernel driver's terms (kernel/helper.h: struct variant,
 * struct drv_request): the helper's NDJSON requests and the generated selftests' calls both come
 * from here, so that the adapter and a selftest drive a step the same way.
 */
import type { Config } from '../../spec/knobs.js';
import { ownerIndex } from '../../spec/names.js';
import { kpc, partsOf, rpc, START_STEPS, type StepName } from '../../spec/steps.js';
import { behaviourOf } from '../../spec/variant.js';
import type { TraceStep } from '../adapter/adapter.js';

/** The request's names for struct variant's fields, in its order (kernel/helper.h). */
export const VARIANT_FIELDS = {
  task: 'task',
  byUid: 'by_uid',
  policy: 'policy',
  checksSeq: 'checks_seq',
  checksUid: 'checks_uid',
  checksGen: 'checks_gen',
  publishedSize: 'published_size',
  zeroPageGrowth: 'zero_page_growth',
  publishAfterPage: 'publish_after_page',
  linkAfterInit: 'link_after_init',
  reuseAfterGrace: 'reuse_after_grace',
  reclaim: 'reclaim',
  zeroOnRecycle: 'zero_on_recycle',
  createGuard: 'create_guard',
  createLocked: 'create_locked',
  singleWriter: 'single_writer',
  retryBound: 'retry_bound',
  pidNumbers: 'pid_numbers',
  spp: 'spp',
  maxPages: 'max_pages',
  owners: 'owners',
  kernels: 'kernels',
  readers: 'readers',
} as const;

/** The variant as the driver's `struct variant` has it (kernel/helper.h), by the helper's request names. */
export function variantRequest(config: Config): Record<keyof typeof VARIANT_FIELDS, number> {
  const v = behaviourOf(config);
  const b = config.bounds;
  const n = (x: number | string): number => (typeof x === 'number' ? x : 0);
  const flag = (x: boolean): number => (x ? 1 : 0);
  return {
    task: flag(v.task),
    byUid: flag(v.byUid),
    policy: ['lowest', 'cyclic', 'lifo'].indexOf(v.policy),
    checksSeq: flag(v.checksSeq),
    checksUid: flag(v.checksUid),
    checksGen: flag(v.checksGen),
    publishedSize: flag(v.publishedSize),
    zeroPageGrowth: flag(v.zeroPageGrowth),
    publishAfterPage: flag(v.publishAfterPage),
    linkAfterInit: flag(v.linkAfterInit),
    reuseAfterGrace: flag(v.reuseAfterGrace),
    reclaim: ['never', 'zero-page', 'unmap'].indexOf(v.reclaim),
    zeroOnRecycle: flag(v.zeroOnRecycle),
    createGuard: flag(v.createGuard),
    createLocked: flag(v.createLocked),
    singleWriter: flag(v.singleWriter),
    retryBound: v.retryBound,
    pidNumbers: v.pidNumbers,
    spp: n(b.slotsPerPage),
    maxPages: n(b.maxPages),
    owners: n(b.owners),
    kernels: n(b.kernelContexts),
    readers: n(b.readers),
  };
}

/** A trace step as the helper's request (the driver's `struct drv_request`): the actor, the step's code in the spec's tables, and the picks. */
export function stepRequest(op: 'step' | 'probe', actor: string, action: StepName | null, picks: TraceStep['picks']): Record<string, string | number> | string {
  const who = actorOf(actor);
  if (typeof who === 'string') return who;
  const req: Record<string, string | number> = { op, ak: who.kind, an: who.n, kind: 0, code: -1 };
  if (action !== null) {
    const p = partsOf(action);
    if (p.kind === 'start') Object.assign(req, { kind: 0, code: START_STEPS.indexOf(p.step) });
    else if (p.kind === 'kernel') Object.assign(req, { kind: 1, code: kpc(p.pc), free: p.onFreePath ? 1 : 0, half: p.loadHalf ? 1 : 0 });
    else Object.assign(req, { kind: 2, code: rpc(p.load), free: p.of === 'scan' ? 1 : 0 });
  }
  if (picks.owner !== undefined) req.owner = ownerIndex(picks.owner);
  if (picks.value !== undefined) req.value = picks.value;
  if (picks.index !== undefined) req.index = picks.index;
  req.answer = picks.answer === undefined ? -2 : picks.answer === 'none' ? -1 : ownerIndex(picks.answer);
  return req;
}

function actorOf(actor: string): { kind: 'o' | 'k' | 'r' | 'g'; n: number } | string {
  if (actor === 'RCU') return { kind: 'g', n: 0 };
  const kr = /^([KR])([0-9]+)$/.exec(actor);
  if (kr !== null) return { kind: kr[1] === 'K' ? 'k' : 'r', n: Number(kr[2]) - 1 };
  const o = ownerIndex(actor);
  return o < 0 ? `unknown actor ${actor}` : { kind: 'o', n: o };
}

