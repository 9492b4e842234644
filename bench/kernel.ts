/**
 * `npm run bench -- --adapter kernel`: the kernel prototype measured on this machine's kernel.
 * - The proposal's point, in one run of kernel/build/lsmc-readbench: ns per read of an owner's
 *   element by a validated read through the mapping, by a bare load of the same word, and by the
 *   syscall user space must use today (bpf_map_lookup_elem on task storage keyed by a pidfd).
 * - Replay of every committed trace through the prototype on one shard, one per core and the
 *   default: steps per second, and how long the shards waited for RCU before real free hooks ran.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { kernelAdapter } from '../src/adapter/kernel.js';
import { KERNEL_DIR, kernelUnavailable } from '../src/kernel/available.js';
import { defaultJobs, replayInParallel } from '../src/replay/parallel.js';

export interface KernelReplayFigures {
  readonly jobs: number;
  readonly traces: number;
  readonly skipped: number;
  readonly steps: number;
  readonly seconds: number;
  readonly loadSeconds: number;
  readonly stepsPerSecond: number;
  readonly frees: number;
  /** Summed over shards: the time helpers spent waiting for RCU before real free hooks ran. */
  readonly freeWaitSeconds: number;
  /** Free hooks the kernel did not run, whose free step the helper took. */
  readonly freeHooksLost: number;
  /** BPF objects loaded (the verifier ran), summed over the helpers. */
  readonly loads: number;
}

export interface KernelFigures {
  readonly validatedNs: number;
  readonly bareNs: number;
  readonly syscallNs: number;
  readonly validatedOverBare: number;
  readonly syscallOverValidated: number;
  /** One replay of the committed traces per shard count: one shard, one per core, and the default. */
  readonly replay: readonly KernelReplayFigures[];
}

export async function measureKernel(traces: string, print: (line: string) => void): Promise<KernelFigures> {
  const why = kernelUnavailable();
  if (why !== null) throw new Error(`the kernel bench cannot run here: ${why}`);
  const read = JSON.parse(execFileSync(join(KERNEL_DIR, 'build', 'lsmc-readbench'), ['5000000'], { encoding: 'utf8' })) as { validatedNs: number; bareNs: number; syscallNs: number };
  const validatedOverBare = read.validatedNs / read.bareNs;
  const syscallOverValidated = read.syscallNs / read.validatedNs;
  print('read of an owner\'s element, in one run (5,000,000 loads, 100,000 syscalls):');
  print(`  validated read through the mapping  ${read.validatedNs.toFixed(2).padStart(8)} ns   ${validatedOverBare.toFixed(2)}x the bare load (goal: at most 2x)`);
  print(`  bare load of the same word          ${read.bareNs.toFixed(2).padStart(8)} ns`);
  print(`  bpf_map_lookup_elem by pidfd        ${read.syscallNs.toFixed(1).padStart(8)} ns   ${syscallOverValidated.toFixed(0)}x the validated read (goal: at least 100x)`);
  const n = (x: number): string => x.toLocaleString('en-US');
  const replay: KernelReplayFigures[] = [];
  for (const jobs of [...new Set([1, availableParallelism(), defaultJobs(kernelAdapter)])]) {
    const s = await replayInParallel({ paths: [traces], sets: [], jobs }, kernelAdapter, new SharedArrayBuffer(4));
    const figures: KernelReplayFigures = {
      jobs: s.jobs,
      traces: s.traces,
      skipped: s.skipped,
      steps: s.steps,
      seconds: s.seconds,
      loadSeconds: s.loadSeconds,
      stepsPerSecond: Math.round(s.steps / s.seconds),
      frees: s.costs?.waits ?? 0,
      freeWaitSeconds: (s.costs?.waitMs ?? 0) / 1000,
      freeHooksLost: s.costs?.hooksLost ?? 0,
      loads: s.costs?.loads ?? 0,
    };
    replay.push(figures);
    if (replay.length === 1) print(`replay of ${n(s.traces)} committed traces on the kernel (${n(s.skipped)} skipped: not expressible), after ${s.loadSeconds.toFixed(1)} s loading them:`);
    print(
      `  ${String(jobs).padStart(2)} shard(s) x ${kernelAdapter.lanes ?? 1} lanes: ${n(s.steps)} steps in ${s.seconds.toFixed(1)} s: ${n(figures.stepsPerSecond).padStart(6)} steps/s (goal: 10,000); ${figures.freeWaitSeconds.toFixed(1)} s of shard time waiting for RCU before ${n(figures.frees)} real free hooks (${n(figures.freeHooksLost)} the kernel did not run, taken by the helper); ${n(figures.loads)} BPF object loads`,
    );
  }
  return { ...read, validatedOverBare, syscallOverValidated, replay };
}
