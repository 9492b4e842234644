/**
 * The one table of the spec's atomic steps. Every step a trace can name (`mbt::actionTaken` after
 * the actor) is an entry here or is made from one by the rules below, with the operation it belongs
 * to, whether it runs inside an odd-seq window, and the gloss the text report prints. The kernel's
 * and readers' program counters, the coverage goals, the report, the reference implementation's
 * `yield`s and every adapter take their names from this module, so that a misspelt or forgotten
 * step is a compile error (`StepName`), and a new entry without a gloss is one too (`satisfies`).
 *
 * Rules that make names from entries, each because the design runs one code path two ways:
 * - the destroy steps run as `destroy.*` after a delete and as `free.*` on an owner's free path;
 * - under writers=plain-seq a seq step is a plain load and then a plain store, two steps, and the
 *   load half is named `<step>.load`;
 * - a reader's loads are steps of a read of its cached index (`read.*`) or of a scan (`scan.*`).
 */

export type Operation = 'lifecycle' | 'create' | 'update' | 'destroy' | 'lookup' | 'read' | 'scan' | 'grace';

export interface StepEntry {
  readonly op: Operation;
  /** Inside an odd-seq window: after its seq-begin, up to and including its seq-end. */
  readonly window: boolean;
  /** 'begin' or 'end' for the steps that bump seq (the report glosses them by what they did to it). */
  readonly seq?: 'begin' | 'end';
  readonly gloss: string;
}

/** Steps that start an operation or move an owner through its life. */
const STARTS = {
  spawn: { op: 'lifecycle', window: false, gloss: 'is spawned and gets a pid number' },
  exit: { op: 'lifecycle', window: false, gloss: 'exits (a zombie until reaped)' },
  reap: { op: 'lifecycle', window: false, gloss: 'is reaped: its pid number is released' },
  mkdir: { op: 'lifecycle', window: false, gloss: 'is created (mkdir)' },
  rmdir: { op: 'lifecycle', window: false, gloss: 'is removed (rmdir)' },
  free: { op: 'lifecycle', window: false, gloss: 'is freed: its element, if any, is unlinked' },
  create: { op: 'create', window: false, gloss: 'starts create: guard check, reference taken' },
  update: { op: 'update', window: false, gloss: 'starts update: gets the element' },
  delete: { op: 'destroy', window: false, gloss: 'starts delete: unlinks owner -> index' },
  lookup: { op: 'lookup', window: false, gloss: 'asks the kernel for the owner index (syscall)' },
  read: { op: 'read', window: false, gloss: 'starts a read of its cached index' },
  scan: { op: 'scan', window: false, gloss: 'starts a scan of that index' },
  'grace-period': { op: 'grace', window: false, gloss: 'ends: indices no kernel context holds return to the allocator' },
} as const satisfies Record<string, StepEntry>;

/**
 * The kernel program counters after `idle`, in the order their numbers are stored in a state (the
 * order fixes the packed encoding, and with it symmetry's canonical choice and every trace).
 */
const KERNEL_STEPS = {
  'create.alloc': { op: 'create', window: false, gloss: 'takes the allocator lock and picks an index' },
  'create.map': { op: 'create', window: false, gloss: 'maps the page into user space' },
  'create.publish': { op: 'create', window: false, gloss: 'publishes the new size' },
  'create.link-early': { op: 'create', window: false, gloss: 'links owner -> index before initialising' },
  'create.seq-begin': { op: 'create', window: false, seq: 'begin', gloss: 'bumps seq: initialisation begins' },
  'create.uid': { op: 'create', window: true, gloss: 'writes the owner identity' },
  'create.gen': { op: 'create', window: true, gloss: 'bumps gen' },
  'create.zero-word1': { op: 'create', window: true, gloss: 'zeroes word 1' },
  'create.zero-word2': { op: 'create', window: true, gloss: 'zeroes word 2' },
  'create.seq-end': { op: 'create', window: true, seq: 'end', gloss: 'bumps seq: initialisation done, releases the allocator lock' },
  'create.link': { op: 'create', window: false, gloss: 'links owner -> index' },
  'update.seq-begin': { op: 'update', window: false, seq: 'begin', gloss: 'bumps seq: the update begins' },
  'update.word1': { op: 'update', window: true, gloss: 'writes word 1' },
  'update.word2': { op: 'update', window: true, gloss: 'writes word 2' },
  'update.seq-end': { op: 'update', window: true, seq: 'end', gloss: 'bumps seq: the update is done' },
  'destroy.seq-begin': { op: 'destroy', window: false, seq: 'begin', gloss: 'bumps seq: the clear begins' },
  'destroy.uid': { op: 'destroy', window: true, gloss: 'clears the owner identity' },
  'destroy.gen': { op: 'destroy', window: true, gloss: 'bumps gen' },
  'destroy.zero-word1': { op: 'destroy', window: true, gloss: 'zeroes word 1' },
  'destroy.zero-word2': { op: 'destroy', window: true, gloss: 'zeroes word 2' },
  'destroy.seq-end': { op: 'destroy', window: true, seq: 'end', gloss: 'bumps seq: the clear is done' },
  'destroy.retire': { op: 'destroy', window: false, gloss: 'returns the index to the allocator' },
  // The literal twin's unfolded allocator work (spec/kernel.ts); the fast spec folds them into the step before.
  'create.choose': { op: 'create', window: false, gloss: 'picks an index under the allocator lock' },
  'create.page': { op: 'create', window: false, gloss: 'allocates and zeroes the page under the allocator lock' },
  'create.unlock': { op: 'create', window: false, gloss: 'releases the allocator lock' },
  'destroy.release': { op: 'destroy', window: false, gloss: 'gives the index back under the allocator lock' },
} as const satisfies Record<string, StepEntry>;

/** A reader's loads after `idle`, in protocol order (and the order of its program counter). */
const LOADS = {
  size: { gloss: 'loads the published size' },
  'seq-begin': { gloss: 'loads seq' },
  uid: { gloss: 'loads the owner identity' },
  gen: { gloss: 'loads gen' },
  word1: { gloss: 'loads word 1' },
  word2: { gloss: 'loads word 2' },
  'seq-end': { gloss: 'loads seq again' },
} as const satisfies Record<string, { readonly gloss: string }>;

export type StartStep = keyof typeof STARTS;
/** The start steps in table order (their positions are the codes the kernel prototype's vocab.h gives them). */
export const START_STEPS = Object.keys(STARTS) as StartStep[];
export type KernelStep = keyof typeof KERNEL_STEPS;
export type Load = keyof typeof LOADS;
type Destroy<S> = S extends `destroy.${infer D}` ? D : never;
export type DestroyPart = Destroy<KernelStep>;
type SeqStep = { [K in KernelStep]: (typeof KERNEL_STEPS)[K] extends { readonly seq: string } ? K : never }[KernelStep];
type FreeStep = `free.${DestroyPart}`;
type FreeSeqStep = Extract<FreeStep, `free.${Destroy<SeqStep>}`>;

export type StepName = StartStep | KernelStep | `${SeqStep | FreeSeqStep}.load` | FreeStep | `read.${Load}` | `scan.${Load}`;

export type KernelPc = 'idle' | KernelStep;
export type ReaderPc = 'idle' | Load;
const KERNEL_STEP_LIST = Object.keys(KERNEL_STEPS) as KernelStep[];
const LOAD_LIST = Object.keys(LOADS) as Load[];
export const KERNEL_PCS: readonly KernelPc[] = ['idle', ...KERNEL_STEP_LIST];
export const READER_PCS: readonly ReaderPc[] = ['idle', ...LOAD_LIST];
export const kpc = (name: KernelPc): number => KERNEL_PCS.indexOf(name);
export const rpc = (name: ReaderPc): number => READER_PCS.indexOf(name);
export const isKernelPc = (name: unknown): name is KernelPc => typeof name === 'string' && (KERNEL_PCS as readonly string[]).includes(name);

const isSeq = (pc: KernelStep): boolean => 'seq' in KERNEL_STEPS[pc];

/** The name of kernel step `pc` as a trace carries it: on an owner's free path, or the load half of a plain-seq bump. */
export function kernelStepName(pc: KernelStep, onFreePath: boolean, loadHalf: boolean): StepName {
  const base = onFreePath ? `free.${pc.slice('destroy.'.length)}` : pc;
  return (loadHalf && isSeq(pc) ? `${base}.load` : base) as StepName;
}

export const readerStepName = (kind: 'read' | 'scan', load: Load): StepName => `${kind}.${load}`;

/** Every step name a trace can carry, in a fixed order (coverage goals are numbered by it). */
export const STEP_NAMES: readonly StepName[] = [
  'spawn',
  'exit',
  'reap',
  'mkdir',
  'rmdir',
  'free',
  ...KERNEL_STEP_LIST.filter((p) => p.startsWith('destroy.'))
    .flatMap((p) => (isSeq(p) ? [kernelStepName(p, true, true), kernelStepName(p, true, false)] : [kernelStepName(p, true, false)])),
  'create',
  'update',
  'delete',
  ...KERNEL_STEP_LIST.flatMap((p) => (isSeq(p) ? [kernelStepName(p, false, true), p] : [p])),
  'lookup',
  'read',
  'scan',
  ...LOAD_LIST.flatMap((p) => [readerStepName('read', p), readerStepName('scan', p)]),
  'grace-period',
];
const KNOWN: ReadonlySet<string> = new Set(STEP_NAMES);

export const isStepName = (name: string): name is StepName => KNOWN.has(name);

/** What a step name stands for: the kernel program counter, the reader's load, or the start step. */
export type StepParts =
  | { readonly kind: 'start'; readonly step: StartStep }
  | { readonly kind: 'kernel'; readonly pc: KernelStep; readonly onFreePath: boolean; readonly loadHalf: boolean }
  | { readonly kind: 'load'; readonly of: 'read' | 'scan'; readonly load: Load };

function parse(name: StepName): StepParts {
  if (name in STARTS) return { kind: 'start', step: name as StartStep };
  const loadHalf = name.endsWith('.load');
  const bare = loadHalf ? name.slice(0, -'.load'.length) : name;
  const [head, rest] = [bare.slice(0, bare.indexOf('.')), bare.slice(bare.indexOf('.') + 1)];
  if (head === 'read' || head === 'scan') return { kind: 'load', of: head, load: rest as Load };
  if (head === 'free') return { kind: 'kernel', pc: `destroy.${rest}` as KernelStep, onFreePath: true, loadHalf };
  return { kind: 'kernel', pc: bare as KernelStep, onFreePath: false, loadHalf };
}

/** Every name parsed once: coverage asks it of every transition a review row explores. */
const PARTS: ReadonlyMap<StepName, StepParts> = new Map(STEP_NAMES.map((n) => [n, parse(n)]));

export function partsOf(name: StepName): StepParts {
  return PARTS.get(name) ?? parse(name);
}

export interface StepFacts {
  readonly op: Operation;
  readonly window: boolean;
  readonly seq: 'begin' | 'end' | null;
  readonly gloss: string;
}

/** The table's entry for a step name. */
export function stepFacts(name: StepName): StepFacts {
  const p = partsOf(name);
  if (p.kind === 'start') {
    const e: StepEntry = STARTS[p.step];
    return { op: e.op, window: e.window, seq: null, gloss: e.gloss };
  }
  if (p.kind === 'load') return { op: p.of, window: false, seq: null, gloss: LOADS[p.load].gloss };
  const e: StepEntry = KERNEL_STEPS[p.pc];
  return { op: e.op, window: e.window, seq: e.seq ?? null, gloss: e.gloss };
}

/** Whether kernel program counter `pc` lies inside an odd-seq window (writer exclusion, explanations). */
export const inSeqWindow = (pc: KernelPc): boolean => pc !== 'idle' && (KERNEL_STEPS[pc] as StepEntry).window;
export const bumpsSeq = (pc: KernelPc): boolean => pc !== 'idle' && isSeq(pc);
export const loadGloss = (load: Load): string => LOADS[load].gloss;
