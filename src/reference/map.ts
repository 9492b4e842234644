/**
 * A BPF local-storage map mapped read-only into user space, as the reference implementation builds
 * it: the shared memory, the kernel side and reader threads, in one configuration of the design.
 * `ReferenceMap.create` allocates the memory; `ReferenceMap.attach` joins it from a worker thread.
 */
import type { Config } from '../../spec/knobs.js';
import { Kernel } from './kernel.js';
import { type SharedMapHandle, type Shape, SharedMemory } from './memory.js';
import { VIEW_UNMAPPED, VIEW_ZERO } from '../../spec/vocabulary.js';
import { Reader } from './reader.js';
import { type Behaviour, behaviourOf } from '../../spec/variant.js';

export class ReferenceMap {
  readonly v: Behaviour;
  readonly kernel: Kernel;

  private constructor(
    readonly config: Config,
    readonly memory: SharedMemory,
  ) {
    this.v = behaviourOf(config);
    this.kernel = new Kernel(this.v, memory);
  }

  /** A new, empty map: no page present; the reserved range reads as the zero page under growth=zero-page. */
  static create(config: Config, shape: Shape): ReferenceMap {
    const map = new ReferenceMap(config, new SharedMemory(shape));
    const view = config.knobs.growth === 'zero-page' ? VIEW_ZERO : VIEW_UNMAPPED;
    for (let p = 0; p < shape.maxPages; p++) map.memory.store(map.memory.at.pageView + p, view);
    return map;
  }

  static attach(handle: SharedMapHandle): ReferenceMap {
    return new ReferenceMap(handle.config, new SharedMemory(handle.shape, handle));
  }

  handle(): SharedMapHandle {
    return { config: this.config, shape: this.memory.shape, mapping: this.memory.mapping, control: this.memory.control };
  }

  /** A user-space reader thread's view: its own cache, the mapping, and the syscalls. */
  reader(): Reader {
    return new Reader(this.v, this.memory, this.kernel);
  }
}

/** The shape of a model configuration: one owner record per owner, one RCU marker per kernel context. */
export function shapeOf(config: Config): Shape {
  const b = config.bounds;
  const num = (x: number | string): number => (typeof x === 'number' ? x : 0);
  return {
    slotsPerPage: num(b.slotsPerPage),
    maxPages: num(b.maxPages),
    slots: num(b.slotsPerPage) * num(b.maxPages),
    owners: num(b.owners),
    kernels: num(b.kernelContexts),
  };
}
