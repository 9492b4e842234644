// SPDX-License-Identifier: GPL-2.0
/*
 * lsmc-readbench: the proposal's point, measured in one run on this machine. One real task owns
 * one element of the prototype (created and updated by the step program, as a trace would); then,
 * for the same element:
 *   validated  a reader's read through the read-only mapping: seq, uid, gen, word 1, word 2, seq
 *              again, checked against the cached uid and gen (what the design asks of a reader);
 *   bare       one plain load of word 1 from the same mapping (the floor);
 *   syscall    bpf_map_lookup_elem on the task-storage map keyed by the task's pidfd (what user
 *              space must do today).
 * Prints one JSON object: ns per read of each, and how many reads each timing took.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "lsmc.h"
#include "read.h"
#include "lsmc.skel.h"

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int run_step(struct lsmc_bpf *skel, int kind, int code, int owner, int value)
{
	struct lsmc_step_args a = { .actor_kind = 'k', .actor = 0, .kind = kind, .code = code, .owner = owner, .value = value, .index = -1 };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &a, .ctx_size_in = sizeof(a));

	if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.step), &opts) || a.result != R_TOOK)
		return -1;
	return a.outcome;
}

/* A kernel context's whole operation, one step program run after another. */
static int whole(struct lsmc_bpf *skel, const struct lsmc_state *st, int start, int owner, int value)
{
	int out = run_step(skel, 0, start, owner, value);

	for (int i = 0; i < 64 && out == OC_NONE && st->k[0].pc != KPC_IDLE; i++)
		out = run_step(skel, 1, st->k[0].pc, owner, value);
	return out;
}

int main(int argc, char **argv)
{
	long reads = argc > 1 ? atol(argv[1]) : 5000000, calls = reads / 50;
	struct lsmc_bpf *skel = NULL;
	const struct lsmc_state *st = MAP_FAILED;
	volatile const unsigned char *page = MAP_FAILED;
	struct lsmc_lookup_args look = { .owner = 0, .answer = -2 };
	LIBBPF_OPTS(bpf_test_run_opts, lopts, .ctx_in = &look, .ctx_size_in = sizeof(look));
	int pidfd = -1, err = 1, p[2] = { -1, -1 };
	pid_t child = -1;
	double t0, validated, bare, syscall_ns;
	__u64 sum = 0, accepted = 0;
	char c;

	libbpf_set_print(NULL);
	skel = lsmc_bpf__open();
	if (!skel) {
		fprintf(stderr, "lsmc-readbench: cannot open the BPF object\n");
		goto cleanup;
	}
	skel->rodata->cfg_owners = 1;
	skel->rodata->cfg_kernels = 1;
	if (lsmc_bpf__load(skel) || lsmc_bpf__attach(skel)) {
		fprintf(stderr, "lsmc-readbench: cannot load the prototype: %s\n", strerror(errno));
		goto cleanup;
	}
	st = mmap(NULL, (sizeof(*st) + LSMC_PAGE - 1) / LSMC_PAGE * LSMC_PAGE, PROT_READ, MAP_SHARED, bpf_map__fd(skel->maps.state), 0);
	if (st == MAP_FAILED)
		goto cleanup;
	/* The owner: a child of ours, which the fork hook takes for owner A. */
	skel->bss->nursery_tgid = getpid();
	skel->data->spawning = 0;
	if (pipe(p))
		goto cleanup;
	child = fork();
	if (child == 0) {
		close(p[1]);
		while (read(p[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	skel->data->spawning = -1;
	if (child < 0 || st->o[0].phase != PH_ALIVE) {
		fprintf(stderr, "lsmc-readbench: the fork hook did not take the child for an owner\n");
		goto cleanup;
	}
	if (whole(skel, st, ST_CREATE, 0, 0) != OC_CREATED || whole(skel, st, ST_UPDATE, 0, 7) != OC_UPDATED) {
		fprintf(stderr, "lsmc-readbench: cannot create and update the owner's element\n");
		goto cleanup;
	}
	if (bpf_prog_test_run_opts(bpf_program__fd(skel->progs.lookup), &lopts) || look.outcome != OC_INDEX)
		goto cleanup;
	page = mmap(NULL, LSMC_PAGE, PROT_READ, MAP_SHARED, bpf_map__fd(skel->maps.pages), 0);
	if (page == MAP_FAILED)
		goto cleanup;
	pidfd = syscall(SYS_pidfd_open, child, 0);
	if (pidfd < 0)
		goto cleanup;

	size_t at = (size_t)look.index * SLOT_STRIDE(1);
	volatile const struct lsmc_slot *slot = (volatile const struct lsmc_slot *)(page + at);

	accepted = lsmc_time_reads(slot, look.ident, look.gen, reads, &validated, &sum);
	bare = lsmc_time_loads(&slot->word1, reads, &sum);

	t0 = now_ns();
	for (long i = 0; i < calls; i++) {
		struct { __s32 index1, owner; } v;

		if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.task_links), &pidfd, &v)) {
			fprintf(stderr, "lsmc-readbench: the syscall lookup failed: %s\n", strerror(errno));
			goto cleanup;
		}
		sum += v.index1;
	}
	syscall_ns = (now_ns() - t0) / calls;

	printf("{\"validatedNs\":%.3f,\"bareNs\":%.3f,\"syscallNs\":%.1f,\"reads\":%ld,\"calls\":%ld,\"accepted\":%llu,\"checksum\":%llu}\n",
	       validated, bare, syscall_ns, reads, calls, (unsigned long long)accepted, (unsigned long long)sum);
	err = 0;
cleanup:
	if (pidfd >= 0)
		close(pidfd);
	if (p[1] >= 0)
		close(p[1]);
	if (p[0] >= 0)
		close(p[0]);
	if (child > 0)
		waitpid(child, NULL, 0);
	if (page != MAP_FAILED)
		munmap((void *)page, LSMC_PAGE);
	if (st != MAP_FAILED)
		munmap((void *)st, (sizeof(*st) + LSMC_PAGE - 1) / LSMC_PAGE * LSMC_PAGE);
	lsmc_bpf__destroy(skel);
	return err;
}
