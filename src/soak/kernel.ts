/**
 * The soak on the real kernel: kernel/build/lsmc-soak churns real processes (and, with
 * ownerKind=cgroup, a real cgroup for each) while the prototype's hooks run the step functions whole and reader threads read through the mapping, judging every
 * accepted read as the reference soak does (src/soak/judge.ts). This runs it in a variant and reads
 * its one-line JSON report.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Config } from '../../spec/knobs.js';
import { KERNEL_DIR } from '../kernel/available.js';
import { variantRequest } from '../kernel/request.js';

export interface KernelSoakResult {
  readonly seconds: number;
  readonly interrupted: number;
  /** Real processes forked and made owners. */
  readonly owners: number;
  /** Operations the hooks started; events that found no kernel context free or no owner record. */
  readonly events: number;
  readonly skipped: number;
  readonly reads: number;
  readonly accepted: number;
  readonly retries: number;
  readonly busy: number;
  readonly gone: number;
  readonly notVisible: number;
  readonly violations: Readonly<Record<'no-foreign-read' | 'no-torn-read' | 'linearizable-read', number>>;
}

export function runKernelSoak(config: Config, seconds: number): Promise<KernelSoakResult> {
  const variant = variantRequest(config);
  const args = [String(seconds), ...Object.entries(variant).map(([k, v]) => `${k}=${v}`)];
  return new Promise((resolve, reject) => {
    // Same process group: Ctrl-C reaches it too, and it ends early with its report.
    const child = spawn(join(KERNEL_DIR, 'build', 'lsmc-soak'), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(err.trim() || `lsmc-soak exited with ${code}`));
      else resolve(JSON.parse(out) as KernelSoakResult);
    });
  });
}
