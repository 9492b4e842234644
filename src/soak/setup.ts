/**
 * The soak's configuration: the knobs of a model file (model/reference.json by default) and --set,
 * and bounds of the soak's own, wider than a model checker can afford, so that owners churn through
 * slots and the mapping grows. The model file's bounds are replaced; --set may override the bounds
 * the soak uses, up to SOAK_BOUNDS.
 */
import { applyOverrides, type BoundCeilings, InputError, loadConfigFile, type NamedConfig } from '../model/config.js';
import type { BoundName, Bounds, Config } from '../../spec/knobs.js';
import type { Shape } from '../reference/memory.js';

/** Owner records, slots per page and pages as a churn needs them; pidNumbers is a quarter of owners unless set. */
export const SOAK_DEFAULTS = { owners: 16, slotsPerPage: 4, maxPages: 8, readRetries: 4 } as const;

export const MAX_THREADS = 16;

export const SOAK_BOUNDS: BoundCeilings = {
  owners: { min: 1, max: 64 },
  pidNumbers: { min: 1, max: 64 },
  slotsPerPage: { min: 1, max: 64 },
  maxPages: { min: 1, max: 64 },
  kernelContexts: { min: 1, max: MAX_THREADS },
  readers: { min: 1, max: MAX_THREADS },
  values: { min: 1, max: 3 },
  kernelOps: { min: 1, max: 8 },
  readerOps: { min: 1, max: 8 },
  readRetries: { min: 1, max: 64 },
};

/** Bounds a --set may change; the others the soak sets from its flags or has no use for. */
const SETTABLE: readonly BoundName[] = ['owners', 'pidNumbers', 'slotsPerPage', 'maxPages', 'readRetries'];
const FROM_FLAGS: Partial<Record<BoundName, string>> = { kernelContexts: '--writers', readers: '--readers' };

export interface SoakSetup {
  readonly model: NamedConfig;
  readonly config: Config;
  readonly shape: Shape;
}

const scarcePids = (owners: number): number => Math.max(1, Math.floor(owners / 4));

export function soakSetup(modelPath: string, sets: readonly string[], writers: number, readers: number): SoakSetup {
  const named = loadConfigFile(modelPath);
  const setNames = sets.map((s) => s.slice(0, Math.max(0, s.indexOf('='))));
  sets.forEach((set, i) => {
    const name = setNames[i];
    const flag = FROM_FLAGS[name as BoundName];
    if (flag !== undefined) throw new InputError(`--set ${set}`, name, `${flag} instead (the soak sets ${name} from that flag)`);
    if (name in SOAK_BOUNDS && !SETTABLE.includes(name as BoundName))
      throw new InputError(`--set ${set}`, name, `a knob or one of the bounds the soak uses (${SETTABLE.join(', ')}); it runs by time, not by operation budgets`);
  });
  const bounds: Bounds = { ...named.config.bounds, ...SOAK_DEFAULTS, pidNumbers: scarcePids(SOAK_DEFAULTS.owners), kernelContexts: writers, readers };
  let config = applyOverrides({ knobs: named.config.knobs, bounds }, sets, SOAK_BOUNDS);
  // Fewer pid numbers than records, so that the pid cursor wraps on nearly every spawn and spawns on
  // two threads meet on the last free number, as on a machine near pid_max.
  if (!setNames.includes('pidNumbers')) config = { knobs: config.knobs, bounds: { ...config.bounds, pidNumbers: scarcePids(config.bounds.owners as number) } };
  const b = config.bounds;
  const num = (x: number | string): number => (typeof x === 'number' ? x : 0);
  const shape: Shape = {
    slotsPerPage: num(b.slotsPerPage),
    maxPages: num(b.maxPages),
    slots: num(b.slotsPerPage) * num(b.maxPages),
    owners: num(b.owners),
    kernels: writers,
  };
  return { model: named, config, shape };
}
