/**
 * What user space can do today instead of the proposal, measured on this machine's kernel beside
 * the prototype (kernel/altbench.c and kernel/readbench.c): ns per read, and memory at several
 * owner counts, measured where the kernel shows it (an ARRAY's memlock in fdinfo; task storage's
 * elements, which fdinfo leaves out, by what the accounted kmalloc caches grow when the bench's
 * children get theirs) and computed elsewhere (the element and storage sizes from this kernel's
 * BTF), each marked which; and what each mechanism cannot do.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { z } from 'zod';
import { KERNEL_DIR, kernelUnavailable } from '../kernel/available.js';
import { ELEMENT_BYTES, PAGE_BYTES } from './costs.js';

export interface Alternative {
  readonly name: string;
  /** Null when it could not be measured here; `why` says why. */
  readonly nsPerRead: number | null;
  readonly why?: string;
  /** What one read is, for the ns: `one validated read`, `one dump of every task`. */
  readonly per: string;
  readonly memory: readonly { readonly owners: number; readonly bytes: number; readonly measured: boolean }[];
  readonly cannot: string;
}

export type Alternatives =
  | { readonly kind: 'measured'; readonly owners: readonly number[]; readonly rows: readonly Alternative[]; readonly machine: string }
  | { readonly kind: 'unavailable'; readonly why: string };

/** The owner counts the table gives memory at. */
export const OWNER_COUNTS = [10, 1_000, 100_000] as const;
/** Children given an element for the syscall and the iterator: the iterator's dump grows with them. */
const BENCH_OWNERS = 1_000;

const altSchema = z.object({
  pidMax: z.number().int(),
  elementBytes: z.number().int(),
  owners: z.number().int(),
  syscallNs: z.number(),
  iterator: z.object({ dumpNs: z.number(), tasks: z.number().int(), elements: z.number().int() }),
  localStorage: z.object({ elemBytes: z.number().int(), storageBytes: z.number().int(), slabBytes: z.number().int() }),
  array: z.object({ memlock: z.array(z.tuple([z.number().int(), z.number().int()])), validatedNs: z.number() }),
  uptr: z.object({ ns: z.number().optional(), kernelWrites: z.number().optional(), seen: z.number().optional(), checksum: z.number().optional(), error: z.string().optional() }),
});
const readSchema = z.object({ validatedNs: z.number(), bareNs: z.number(), syscallNs: z.number() }).loose();

const round8 = (n: number): number => Math.ceil(n / 8) * 8;

export function measureAlternatives(): Alternatives {
  const why = kernelUnavailable();
  if (why !== null) return { kind: 'unavailable', why };
  const run = (name: string, args: string[]): unknown => JSON.parse(execFileSync(join(KERNEL_DIR, 'build', name), args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
  let alt: z.infer<typeof altSchema>;
  let read: z.infer<typeof readSchema>;
  try {
    alt = altSchema.parse(run('lsmc-altbench', [String(BENCH_OWNERS), '5000000']));
    read = readSchema.parse(run('lsmc-readbench', ['5000000']));
  } catch (e) {
    const stderr = String((e as { stderr?: unknown }).stderr ?? '').trim().split('\n')[0];
    return { kind: 'unavailable', why: `the kernel benches did not run (${stderr !== '' ? stderr : (e as Error).message})` };
  }
  const { elemBytes, storageBytes } = alt.localStorage;
  // A task-storage element is its header and the value in one allocation; a task's first element
  // also allocates the task's bpf_local_storage.
  const perOwner = (value: number): number => round8(elemBytes + value) + storageBytes;
  const computed = (bytes: (n: number) => number) => OWNER_COUNTS.map((owners) => ({ owners, bytes: bytes(owners), measured: false }));
  // The bench's own children, each with a 40-byte element: measured at that count (a negative
  // growth means the count failed), computed at the others.
  const slab = alt.localStorage.slabBytes;
  const taskStorage = computed((n) => n * perOwner(ELEMENT_BYTES)).map((m) => (m.owners === alt.owners && slab > 0 ? { owners: m.owners, bytes: slab, measured: true } : m));
  const slotsPerPage = Math.floor(PAGE_BYTES / ELEMENT_BYTES);
  const memlock = new Map(alt.array.memlock);
  const pidMaxBytes = memlock.get(alt.pidMax) ?? -1;
  // The uptr row counts only if the kernel's writes through the pointer were seen by our loads.
  const u = alt.uptr;
  const uptr =
    u.ns !== undefined && u.seen !== undefined && u.seen > 0 && u.seen === u.kernelWrites
      ? { nsPerRead: u.ns }
      : { nsPerRead: null, why: u.error ?? `the BPF program's ${u.kernelWrites ?? 0} writes were not seen by user space (saw ${u.seen ?? 0})` };
  const rows: Alternative[] = [
    {
      name: 'the proposal (lsmc prototype): validated read through the read-only mapping',
      nsPerRead: read.validatedNs,
      per: 'one validated read',
      memory: computed((n) => Math.ceil(n / slotsPerPage) * PAGE_BYTES + n * perOwner(8)),
      cannot: 'nothing the others can (tasks and cgroups of any process; enumeration by scanning slots below the published size)',
    },
    {
      name: 'bpf_map_lookup_elem on task storage, keyed by a pidfd',
      nsPerRead: alt.syscallNs,
      per: 'one syscall',
      memory: taskStorage,
      cannot: 'enumerate (get_next_key is not supported); read without a syscall; read an owner without a pidfd or cgroup fd for it',
    },
    {
      name: `BPF task iterator dumping every element (${alt.iterator.tasks.toLocaleString('en-US')} tasks, ${alt.iterator.elements.toLocaleString('en-US')} elements here)`,
      nsPerRead: alt.iterator.dumpNs,
      per: 'one dump of every task',
      memory: taskStorage,
      cannot: 'read one owner without walking every task (cgroups: a cgroup iterator, the same walk); stay current between dumps',
    },
    {
      name: 'static BPF_F_MMAPABLE ARRAY sized for the most owners',
      nsPerRead: alt.array.validatedNs,
      per: 'one validated read',
      memory: OWNER_COUNTS.map((owners) => ({ owners, bytes: memlock.get(owners) ?? -1, measured: memlock.has(owners) })),
      cannot: `grow past its size; be keyed by pid without an index map (pid_max ${alt.pidMax.toLocaleString('en-US')} entries: ${pidMaxBytes.toLocaleString('en-US')} bytes, measured); free a task's slot when it exits without a hook`,
    },
    {
      name: 'task storage with a __uptr to the task\'s own memory',
      ...uptr,
      per: 'one plain load of the process\'s own memory',
      memory: computed((n) => n * perOwner(8) + n * ELEMENT_BYTES),
      cannot: "cgroups; other processes' tasks (each process registers its own memory through the syscall); enumeration",
    },
  ];
  return { kind: 'measured', owners: OWNER_COUNTS, rows, machine: `Measured on this machine's kernel with ${BENCH_OWNERS.toLocaleString('en-US')} child processes each holding a 40-byte element; ns are one run's mean (5,000,000 reads, 100,000 syscalls, 20 dumps). Task storage at ${alt.owners.toLocaleString('en-US')} owners is measured as what the memcg-accounted kmalloc caches grew by while the elements were made (/proc/slabinfo; good to about a slab per cache and CPU). Computed memory uses this kernel's BTF sizes: bpf_local_storage_elem ${elemBytes} bytes, bpf_local_storage ${storageBytes} bytes.` };
}
