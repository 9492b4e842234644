/**
 * What user space can do today instead of the proposal, measured on this machine's kernel beside
 * the prototype (kernel/altbench.c and kernel/readbench.c): ns per read, and memory at several
 * owner counts, measured where the kernel shows it (an ARRAY's memlock in fdinfo; task storage's
 * elements, which fdinfo leaves out, by what the kernel charges the memory cgroup the map was made
 * in when the bench's children get theirs) and computed elsewhere (this kernel's BTF sizes rounded
 * up to kmalloc's size classes), each marked which; and what each mechanism cannot do.
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
  /** `bytes` null: could not be measured here, and `why` says why. */
  readonly memory: readonly { readonly owners: number; readonly bytes: number | null; readonly measured: boolean; readonly why?: string }[];
  readonly cannot: string;
}

export type Alternatives =
  | { readonly kind: 'measured'; readonly owners: readonly number[]; readonly rows: readonly Alternative[]; readonly machine: string }
  | { readonly kind: 'unavailable'; readonly why: string };

/** One memory figure as every report shows it: the bytes and how they were got, or why there are none. */
export function memoryWords(m: Alternative['memory'][number]): { readonly figure: string; readonly how: string } {
  if (m.bytes === null) return { figure: 'not measured', how: m.why ?? 'the bench gave no figure' };
  return { figure: `${m.bytes.toLocaleString('en-US')} B`, how: m.measured ? 'measured' : 'computed' };
}

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
  localStorage: z.object({ elemBytes: z.number().int(), storageBytes: z.number().int(), chargedBytes: z.number().int().optional(), notCharged: z.string().optional() }),
  array: z.object({ memlock: z.array(z.tuple([z.number().int(), z.number().int()])), validatedNs: z.number() }),
  uptr: z.object({ ns: z.number().optional(), kernelWrites: z.number().optional(), seen: z.number().optional(), checksum: z.number().optional(), error: z.string().optional() }),
});
const readSchema = z.object({ validatedNs: z.number(), bareNs: z.number(), syscallNs: z.number() }).loose();

/**
 * The bytes kmalloc hands out for a request: its size classes (SLUB's kmalloc-8 to kmalloc-8k, 96
 * and 192 included). A computed figure so rounded is what the objects take, not counting the slab's
 * own slack or the per-CPU caches.
 */
export function kmallocBytes(n: number): number {
  const classes = [8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192];
  return classes.find((c) => c >= n) ?? Math.ceil(n / PAGE_BYTES) * PAGE_BYTES;
}

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
  const perOwner = (value: number): number => kmallocBytes(elemBytes + value) + kmallocBytes(storageBytes);
  const computed = (bytes: (n: number) => number) => OWNER_COUNTS.map((owners) => ({ owners, bytes: bytes(owners), measured: false }));
  // The bench's own children, each with a 40-byte element: measured at that count, computed at the others.
  const charged = alt.localStorage.chargedBytes;
  const taskStorage = computed((n) => n * perOwner(ELEMENT_BYTES)).map((m) => (m.owners === alt.owners && charged !== undefined && charged > 0 ? { owners: m.owners, bytes: charged, measured: true } : m));
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
      memory: OWNER_COUNTS.map((owners) => {
        const bytes = memlock.get(owners) ?? -1;
        return bytes >= 0 ? { owners, bytes, measured: true } : { owners, bytes: null, measured: false, why: 'the kernel would not make the ARRAY or fdinfo showed no memlock' };
      }),
      cannot: `grow past its size; be keyed by pid without an index map (pid_max ${alt.pidMax.toLocaleString('en-US')} entries: ${pidMaxBytes < 0 ? 'not measured' : `${pidMaxBytes.toLocaleString('en-US')} bytes, measured`}); free a task's slot when it exits without a hook`,
    },
    {
      name: 'task storage with a __uptr to the task\'s own memory',
      ...uptr,
      per: 'one validated read of the process\'s own memory',
      // Each value pins the page of user memory it points into: a page an owner at the least.
      memory: computed((n) => n * perOwner(8) + n * PAGE_BYTES),
      cannot: "cgroups; other processes' tasks (each process registers its own memory through the syscall); enumeration",
    },
  ];
  return { kind: 'measured', owners: OWNER_COUNTS, rows, machine: machineNote(alt, elemBytes, storageBytes, perOwner(ELEMENT_BYTES)) };
}

function machineNote(alt: z.infer<typeof altSchema>, elemBytes: number, storageBytes: number, perOwner: number): string {
  const n = alt.owners.toLocaleString('en-US');
  const charged = alt.localStorage.chargedBytes;
  const task =
    charged !== undefined && charged > 0
      ? `Task storage at ${n} owners is measured: what the kernel charged the memory cgroup the map was made in while the elements were made (its kmem counter), against ${(alt.owners * perOwner).toLocaleString('en-US')} bytes computed; the kernel charges less than two kmalloc objects an owner, so the computed figures at other counts are an upper estimate.`
      : `Task storage is computed at every count: ${alt.localStorage.notCharged ?? 'the kernel charged the map\'s memory cgroup nothing for the elements'}.`;
  return [
    `Measured on this machine's kernel with ${n} child processes each holding a 40-byte element; ns are one run's mean (5,000,000 reads, 100,000 syscalls, 20 dumps), every read the same seq-validated read but the syscall's and the dump's.`,
    task,
    `Computed memory uses this kernel's BTF sizes (bpf_local_storage_elem ${elemBytes} bytes, bpf_local_storage ${storageBytes} bytes) rounded up to kmalloc's size classes; __uptr adds the page of the process's own memory each value pins (memory the process has anyway, made unswappable, not new kernel memory).`,
  ].join(' ');
}
