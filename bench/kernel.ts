/**
 * `npm run bench -- --adapter kernel`: the kernel prototype measured on this machine's kernel.
 * - The proposal's point, in one run of kernel/build/lsmc-readbench: ns per read of an owner's
 *   element by a validated read through the mapping, by a bare load of the same word, and by the
 *   syscall user space must use today (bpf_map_lookup_elem on task storage keyed by a pidfd).
 * - Replay of every committed trace through the prototype: steps per second, and how much of the
 *   time was the kernel's RCU grace periods before each real free hook ran.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { closeKernelHelper, kernelAdapter, kernelFreeWaits } from '../src/adapter/kernel.js';
import { KERNEL_DIR, kernelUnavailable } from '../src/kernel/available.js';
import { runReplay } from '../src/replay/run.js';

export interface KernelFigures {
  readonly validatedNs: number;
  readonly bareNs: number;
  readonly syscallNs: number;
  readonly validatedOverBare: number;
  readonly syscallOverValidated: number;
  readonly replay: {
    readonly traces: number;
    readonly skipped: number;
    readonly steps: number;
    readonly seconds: number;
    readonly stepsPerSecond: number;
    readonly frees: number;
    readonly freeWaitSeconds: number;
    readonly stepsPerSecondBesidesFreeWaits: number;
  };
}

export function measureKernel(traces: string, print: (line: string) => void): KernelFigures {
  const why = kernelUnavailable();
  if (why !== null) throw new Error(`the kernel bench cannot run here: ${why}`);
  const read = JSON.parse(execFileSync(join(KERNEL_DIR, 'build', 'lsmc-readbench'), ['5000000'], { encoding: 'utf8' })) as { validatedNs: number; bareNs: number; syscallNs: number };
  const validatedOverBare = read.validatedNs / read.bareNs;
  const syscallOverValidated = read.syscallNs / read.validatedNs;
  print('read of an owner\'s element, in one run (5,000,000 loads, 100,000 syscalls):');
  print(`  validated read through the mapping  ${read.validatedNs.toFixed(2).padStart(8)} ns   ${validatedOverBare.toFixed(2)}x the bare load (goal: at most 2x)`);
  print(`  bare load of the same word          ${read.bareNs.toFixed(2).padStart(8)} ns`);
  print(`  bpf_map_lookup_elem by pidfd        ${read.syscallNs.toFixed(1).padStart(8)} ns   ${syscallOverValidated.toFixed(0)}x the validated read (goal: at least 100x)`);
  // The factory without its shutdown: the helper must live on to say how long it waited.
  const summary = runReplay([traces], { ...kernelAdapter, shutdown: undefined }, []);
  const waits = kernelFreeWaits() ?? { freeWaits: 0, freeWaitMs: 0 };
  closeKernelHelper();
  const freeWaitSeconds = waits.freeWaitMs / 1000;
  const replay = {
    traces: summary.traces,
    skipped: summary.skipped,
    steps: summary.steps,
    seconds: summary.seconds,
    stepsPerSecond: Math.round(summary.steps / summary.seconds),
    frees: waits.freeWaits,
    freeWaitSeconds,
    stepsPerSecondBesidesFreeWaits: Math.round(summary.steps / (summary.seconds - freeWaitSeconds)),
  };
  const n = (x: number): string => x.toLocaleString('en-US');
  print(`replay of ${n(replay.traces)} committed traces on the kernel (${n(replay.skipped)} skipped: not expressible):`);
  print(`  ${n(replay.steps)} steps in ${replay.seconds.toFixed(1)} s: ${n(replay.stepsPerSecond)} steps/s`);
  print(`  of which ${freeWaitSeconds.toFixed(1)} s waiting for RCU before ${n(replay.frees)} real free hooks ran: ${n(replay.stepsPerSecondBesidesFreeWaits)} steps/s besides those waits`);
  return { ...read, validatedOverBare, syscallOverValidated, replay };
}
