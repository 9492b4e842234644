/**
 * Whether the kernel prototype can run here, and if not the one thing that is missing, in the
 * order a user would fix them: Linux, root, BTF, the helper built by the set-up.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's root, from dist/src/kernel/ or src/kernel/. */
const ROOT = join(dirname(fileURLToPath(import.meta.url)), existsSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'package.json')) ? '../../..' : '../..');

export const KERNEL_DIR = join(ROOT, 'kernel');
export const HELPER = join(KERNEL_DIR, 'build', 'lsmc-helper');

export function kernelUnavailable(): string | null {
  if (process.platform !== 'linux') return 'the kernel prototype needs Linux';
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'the kernel prototype needs root (CAP_BPF and CAP_SYS_ADMIN to load BPF and make pid namespaces)';
  if (!existsSync('/sys/kernel/btf/vmlinux')) return 'the kernel has no BTF (/sys/kernel/btf/vmlinux is missing)';
  if (!existsSync(HELPER)) return `the kernel helper is not built (${HELPER}): run scripts/setup-kernel.sh, as the README's set-up does`;
  return null;
}
