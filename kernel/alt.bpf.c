// SPDX-License-Identifier: GPL-2.0
/*
 * What user space can use today instead of the proposal, for lsmc-altbench: task storage read by
 * the syscall (a pidfd as the key), and the same elements dumped by a BPF task iterator. The
 * element is the prototype's (kernel/lsmc.h: struct lsmc_slot), so that every mechanism reads the
 * same 40 bytes.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "lsmc.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct lsmc_slot);
} values SEC(".maps");

/* Tasks the last dump visited. */
__u64 visited;

SEC("iter/task")
int dump(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	struct lsmc_slot *v;

	if (!task)
		return 0;
	visited++;
	v = bpf_task_storage_get(&values, task, NULL, 0);
	if (!v)
		return 0;
	bpf_seq_write(ctx->meta->seq, v, sizeof(*v));
	return 0;
}
