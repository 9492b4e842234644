// SPDX-License-Identifier: GPL-2.0
/*
 * Upstream's nearest mechanism, for lsmc-altbench: a task-storage value holding a __uptr, a pointer
 * to the calling process's own memory that the kernel pins; a BPF program on the process's syscall
 * entry writes through it, under the design's seq protocol, and the process reads it with the same
 * validated read as the other rows. A separate object, so that a
 * kernel without __uptr costs only this row of the table.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "lsmc.h"

#ifndef __uptr
#define __uptr __attribute__((btf_type_tag("uptr")))
#endif

char LICENSE[] SEC("license") = "GPL";

/* The kernel sizes a __uptr by its target type: a global of it keeps BTF from emitting only a forward declaration. */
struct lsmc_slot uptr_target_type;

struct uptr_value {
	struct lsmc_slot __uptr *slot;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct uptr_value);
} uptrs SEC(".maps");

const volatile __s32 target_tgid;
__u64 writes;

SEC("tp_btf/sys_enter")
int BPF_PROG(on_enter, struct pt_regs *regs, long id)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct uptr_value *v;
	struct lsmc_slot *slot;

	if (task->tgid != target_tgid)
		return 0;
	v = bpf_task_storage_get(&uptrs, task, NULL, 0);
	if (!v)
		return 0;
	slot = v->slot;
	if (!slot)
		return 0;
	/*
	 * The design's write protocol, so that user space times the same validated read as the others.
	 * Volatile stores in program order: x86 keeps stores in order; the benchmark reads only while
	 * the program is not running (no syscall in its timed loop), so no fence is needed for it.
	 */
	*(volatile __u64 *)&slot->seq = slot->seq + 1;
	*(volatile __u64 *)&slot->word1 = ++writes;
	*(volatile __u64 *)&slot->word2 = writes;
	*(volatile __u64 *)&slot->seq = slot->seq + 1;
	return 0;
}
