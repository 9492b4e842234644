/**
 * What the kernel prototype could leave behind, counted: its processes (helper, soak, their owner
 * tasks), its cgroups, BPF programs and maps (ours by name, and all), and mounts. Used by the
 * kernel tests around each other, and by the global set-up around the whole run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

export interface Residue {
  readonly processes: number;
  readonly cgroups: number;
  readonly programs: number;
  readonly maps: number;
  readonly ours: number;
  readonly mounts: number;
}

const OUR_PROGRAMS = ['step', 'lookup', 'show', 'reset', 'on_fork', 'on_task_free', 'on_cgroup_free', 'on_exit', 'on_switch', 'on_mkdir', 'on_rmdir', 'inspect'];
const OUR_MAPS = ['state', 'pages', 'header', 'refs', 'task_links', 'cgrp_links'];
/**
 * The owner cgroups the prototype makes (cgroup v2). lsmc-altbench's memory cgroup (v1) is not
 * counted here: the kernel tests compare counts around themselves while the review's browser test
 * may be measuring in parallel; that test checks the bench left none.
 */
const CGROUP_ROOTS = ['/sys/fs/cgroup/unified'];

function bpftool(what: 'prog' | 'map'): { name?: string }[] {
  const tool = existsSync('/usr/sbin/bpftool') ? '/usr/sbin/bpftool' : 'bpftool';
  try {
    return JSON.parse(execFileSync(tool, [what, 'show', '-j'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as { name?: string }[];
  } catch {
    return [];
  }
}

/** The prototype's processes, or only those whose parent is `parent`. */
export function prototypeProcesses(parent?: number): number {
  return readdirSync('/proc').filter((p) => {
    if (!/^[0-9]+$/.test(p)) return false;
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return comm.startsWith('lsmc-') && (parent === undefined || Number(rest[1]) === parent);
    } catch {
      return false;
    }
  }).length;
}

export function residue(): Residue {
  const programs = bpftool('prog');
  const maps = bpftool('map');
  return {
    processes: prototypeProcesses(),
    cgroups: CGROUP_ROOTS.filter((root) => existsSync(root)).reduce((n, root) => n + readdirSync(root).filter((d) => d.startsWith('lsmc.')).length, 0),
    programs: programs.length,
    maps: maps.length,
    ours: programs.filter((p) => OUR_PROGRAMS.includes(p.name ?? '')).length + maps.filter((m) => OUR_MAPS.includes(m.name ?? '')).length,
    mounts: readFileSync('/proc/self/mounts', 'utf8').split('\n').length,
  };
}

/** Zombies are reaped when an event loop turns; BPF objects go once their last fd closes. */
export async function settledResidue(): Promise<Residue> {
  for (let i = 0; i < 50; i++) {
    const r = residue();
    if (r.processes === 0 && r.ours === 0) return r;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return residue();
}
