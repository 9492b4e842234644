// SPDX-License-Identifier: GPL-2.0
/*
 * lsmc-altbench: what user space can use today instead of the proposal, measured in one run on this
 * machine's kernel, for the review's alternatives table. OWNERS child processes each get an element
 * (the prototype's 40-byte slot) in real task storage; then:
 *   syscall   bpf_map_lookup_elem keyed by one child's pidfd;
 *   iterator  a BPF task iterator dumping every task's element (the only way to enumerate);
 *   array     the design's validated read from a static BPF_F_MMAPABLE ARRAY, and the ARRAY's
 *             memory as the kernel charges it (fdinfo memlock) at several sizes, pid_max included;
 *   uptr      a __uptr task-storage value: a BPF program on our own syscalls writes our own memory
 *             under the seq protocol, which we read with the same validated read.
 * The task-storage elements' memory is measured once, at OWNERS, as what the kernel charges a
 * memory cgroup of our own for them: the map is made while we are in it, and the kernel charges a
 * map's elements to the cgroup the map was made in, whoever adds them; we leave it before forking,
 * so the children and their pidfds are charged elsewhere. Its kmem counter moves in whole pages, and
 * each CPU keeps up to a page of charged bytes in hand, so the figure is good to about a page per CPU.
 * The cgroup (cgroup v1's memory controller) is removed at the end and on SIGINT, SIGTERM, SIGHUP
 * and SIGPIPE; one a SIGKILL left is removed by the next run. Sizes of the kernel's
 * local-storage structures come from this kernel's BTF, for the memory the review computes where it
 * cannot measure. Prints one JSON object; nothing stays behind: the
 * children exit when our end of their pipe closes (or we die), every fd and object is released.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "lsmc.h"
#include "read.h"
#include "alt.skel.h"
#include "uptr.skel.h"

#define MAX_CHILDREN 4096
#define DUMPS 20

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* The memory the kernel charges a map, as /proc/self/fdinfo says (-1 if it does not). */
static long long memlock_of(int fd)
{
	char path[64], line[256];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %lld", &v) == 1)
			break;
	fclose(f);
	return v;
}

#define MEMCG_ROOT "/sys/fs/cgroup/memory"
#define MEMCG_PREFIX "lsmc.altbench-"

static int write_str(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (!f)
		return -1;
	ok = fputs(s, f) >= 0;
	return fclose(f) == 0 && ok ? 0 : -1;
}

/* The memory cgroup we were started in, as a directory under MEMCG_ROOT. */
static int memcg_home(char *home, size_t size)
{
	FILE *f = fopen("/proc/self/cgroup", "r");
	char line[512];
	int found = -1;

	if (!f)
		return -1;
	while (found < 0 && fgets(line, sizeof(line), f)) {
		char *ctl = strchr(line, ':'), *path = ctl ? strchr(ctl + 1, ':') : NULL;

		if (!path || strncmp(ctl + 1, "memory:", 7))
			continue;
		path[strcspn(path, "\n")] = 0;
		snprintf(home, size, "%s%s", MEMCG_ROOT, path + 1);
		found = 0;
	}
	fclose(f);
	return found;
}

/* The cgroup this run made, for the signal handler; empty when there is none to remove. */
static char memcg_dir[256];

/*
 * Ctrl-C reaches the bench with the review that ran it: the cgroup goes before we do (it holds no
 * task once we have left it, and a cgroup with only charges left may be removed; they go with the map).
 */
static void on_signal(int sig)
{
	if (memcg_dir[0])
		rmdir(memcg_dir);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Removes the cgroups of runs that were killed before they could (their pid is gone). */
static void memcg_sweep(void)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "for d in %s/%s*; do [ -d \"$d\" ] && ! kill -0 \"${d##*-}\" 2>/dev/null && rmdir \"$d\"; done 2>/dev/null", MEMCG_ROOT, MEMCG_PREFIX);
	if (system(cmd) < 0)
		return;
}

static int memcg_join(const char *dir)
{
	char path[600], pid[32];

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	snprintf(pid, sizeof(pid), "%d", getpid());
	return write_str(path, pid);
}

/* What the kernel has charged the cgroup for kernel objects, or -1. */
static long long memcg_kmem(const char *dir)
{
	char path[600];
	FILE *f;
	long long v = -1;

	snprintf(path, sizeof(path), "%s/memory.kmem.usage_in_bytes", dir);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%lld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static long struct_size(const struct btf *btf, const char *name)
{
	int id = btf ? btf__find_by_name_kind(btf, name, BTF_KIND_STRUCT) : -1;

	return id < 0 ? -1 : btf__resolve_size(btf, id);
}

/* A static mmapable ARRAY of `entries` slots: its memlock, and (when `ns` is given) the validated read of slot 0. */
static long long array_bytes(long entries, double *ns, long reads)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_MMAPABLE);
	struct lsmc_slot v = { .seq = 2, .ident = 1, .gen = 1, .word1 = 7, .word2 = 7 };
	int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "lsmc_alt_array", 4, sizeof(v), entries, &opts);
	long long bytes;
	__u32 key = 0;

	if (fd < 0)
		return -1;
	bytes = memlock_of(fd);
	if (ns && bpf_map_update_elem(fd, &key, &v, 0) == 0) {
		size_t len = ((size_t)entries * sizeof(v) + LSMC_PAGE - 1) / LSMC_PAGE * LSMC_PAGE;
		volatile const struct lsmc_slot *s = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
		__u64 sum = 0;

		if (s != MAP_FAILED) {
			if (lsmc_time_reads(s, 1, 1, reads, ns, &sum) != (__u64)reads)
				*ns = -1;
			munmap((void *)s, len);
		}
	}
	close(fd);
	return bytes;
}

/* The __uptr row: ns per plain load of our own memory that a BPF program writes, or why not. */
static void uptr_row(long reads)
{
	static struct lsmc_slot slot __attribute__((aligned(64))) = { .ident = 1, .gen = 1 };
	struct uptr_bpf *skel = uptr_bpf__open();
	struct { struct lsmc_slot *slot; } value = { &slot };
	int pidfd = -1;
	__u64 sum = 0, seen;
	double ns;

	if (!skel) {
		printf("\"uptr\":{\"error\":\"cannot open the __uptr object\"}");
		return;
	}
	skel->rodata->target_tgid = getpid();
	if (uptr_bpf__load(skel) || uptr_bpf__attach(skel)) {
		printf("\"uptr\":{\"error\":\"this kernel will not load a task-storage value with a __uptr (%s)\"}", strerror(errno));
		goto out;
	}
	pidfd = syscall(SYS_pidfd_open, getpid(), 0);
	if (pidfd < 0 || bpf_map_update_elem(bpf_map__fd(skel->maps.uptrs), &pidfd, &value, BPF_NOEXIST)) {
		printf("\"uptr\":{\"error\":\"cannot register our memory as a __uptr (%s)\"}", strerror(errno));
		goto out;
	}
	syscall(SYS_getppid);
	syscall(SYS_getppid);
	seen = __atomic_load_n(&slot.word1, __ATOMIC_ACQUIRE);
	/* No syscall in the timed loop, so the program does not write while we read: every read is accepted. */
	if (lsmc_time_reads(&slot, 1, 1, reads, &ns, &sum) != (__u64)reads) {
		printf("\"uptr\":{\"error\":\"a validated read of our own __uptr memory was refused\"}");
		goto out;
	}
	printf("\"uptr\":{\"ns\":%.3f,\"kernelWrites\":%llu,\"seen\":%llu,\"checksum\":%llu}", ns,
	       (unsigned long long)skel->bss->writes, (unsigned long long)seen, (unsigned long long)sum);
out:
	if (pidfd >= 0)
		close(pidfd);
	uptr_bpf__destroy(skel);
}

int main(int argc, char **argv)
{
	long owners = argc > 1 ? atol(argv[1]) : 1000, reads = argc > 2 ? atol(argv[2]) : 5000000, calls = reads / 50;
	long pid_max = read_long("/proc/sys/kernel/pid_max");
	static pid_t child[MAX_CHILDREN];
	static int pidfds[MAX_CHILDREN];
	struct rlimit nofile = { MAX_CHILDREN + 64, MAX_CHILDREN + 64 };
	long long charged_before = -1, charged_after = -1;
	char memcg[256] = "", home[300];
	const char *no_memcg = NULL;
	struct alt_bpf *skel = NULL;
	struct bpf_link *link = NULL;
	struct btf *btf = NULL;
	int made = 0, opened = 0, pidfd = -1, err = 1, p[2] = { -1, -1 };
	double t0, syscall_ns, dump_ns, array_ns = -1;
	long long bytes = 0;
	__u64 sum = 0;
	static char buf[1 << 16];

	if (owners < 1 || owners > MAX_CHILDREN) {
		fprintf(stderr, "lsmc-altbench: OWNERS: expected 1 to %d\n", MAX_CHILDREN);
		return 2;
	}
	libbpf_set_print(NULL);
	/* The map is made inside a memory cgroup of our own, which then holds exactly its charges. */
	memcg_sweep();
	snprintf(memcg, sizeof(memcg), "%s/%s%d", MEMCG_ROOT, MEMCG_PREFIX, getpid());
	if (memcg_home(home, sizeof(home)))
		no_memcg = "this process is in no cgroup v1 memory controller (/proc/self/cgroup)";
	else if (mkdir(memcg, 0755))
		no_memcg = "cannot make a memory cgroup under " MEMCG_ROOT;
	else if (snprintf(memcg_dir, sizeof(memcg_dir), "%s", memcg) < 0 || signal(SIGINT, on_signal) == SIG_ERR || signal(SIGTERM, on_signal) == SIG_ERR ||
		 signal(SIGHUP, on_signal) == SIG_ERR || signal(SIGPIPE, on_signal) == SIG_ERR)
		no_memcg = "cannot catch the signals that would leave the memory cgroup behind";
	else if (memcg_kmem(memcg) < 0 || memcg_join(memcg))
		no_memcg = "the memory cgroup has no kmem counter or cannot be joined";
	skel = alt_bpf__open_and_load();
	/* Still inside, every child would be charged there and the cgroup could not be removed: stop. */
	if (!no_memcg && memcg_join(home)) {
		fprintf(stderr, "lsmc-altbench: cannot leave the memory cgroup %s: %s\n", memcg, strerror(errno));
		goto cleanup;
	}
	if (!skel) {
		fprintf(stderr, "lsmc-altbench: cannot load the task-storage object: %s\n", strerror(errno));
		goto cleanup;
	}
	/* A pidfd per child, open at once; if the limit cannot be raised, pidfd_open says so below. */
	setrlimit(RLIMIT_NOFILE, &nofile);
	if (pipe(p))
		goto cleanup;
	for (; made < owners; made++) {
		pid_t c = fork();
		char ch;

		if (c == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			close(p[1]);
			while (read(p[0], &ch, 1) < 0 && errno == EINTR)
				;
			_exit(0);
		}
		if (c < 0)
			goto cleanup;
		child[made] = c;
	}
	for (; opened < owners; opened++) {
		pidfds[opened] = syscall(SYS_pidfd_open, child[opened], 0);
		if (pidfds[opened] < 0) {
			fprintf(stderr, "lsmc-altbench: cannot open a pidfd for child %d: %s\n", child[opened], strerror(errno));
			goto cleanup;
		}
	}
	/* Every child and pidfd exists already, charged elsewhere: what the cgroup gains now is the elements'. */
	if (!no_memcg)
		charged_before = memcg_kmem(memcg);
	for (int i = 0; i < owners; i++) {
		struct lsmc_slot v = { .seq = 2, .ident = i + 1, .gen = 1, .word1 = 7, .word2 = 7 };

		if (bpf_map_update_elem(bpf_map__fd(skel->maps.values), &pidfds[i], &v, BPF_NOEXIST)) {
			fprintf(stderr, "lsmc-altbench: cannot give child %d an element: %s\n", child[i], strerror(errno));
			goto cleanup;
		}
	}
	if (!no_memcg)
		charged_after = memcg_kmem(memcg);
	pidfd = pidfds[0];
	for (int i = 1; i < opened; i++)
		close(pidfds[i]);
	opened = 0;

	t0 = now_ns();
	for (long i = 0; i < calls; i++) {
		struct lsmc_slot v;

		if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.values), &pidfd, &v)) {
			fprintf(stderr, "lsmc-altbench: the syscall lookup failed: %s\n", strerror(errno));
			goto cleanup;
		}
		sum += v.word1;
	}
	syscall_ns = (now_ns() - t0) / calls;

	link = bpf_program__attach_iter(skel->progs.dump, NULL);
	if (!link) {
		fprintf(stderr, "lsmc-altbench: cannot attach the task iterator: %s\n", strerror(errno));
		goto cleanup;
	}
	t0 = now_ns();
	for (int d = 0; d < DUMPS; d++) {
		int fd = bpf_iter_create(bpf_link__fd(link));
		ssize_t n;

		if (fd < 0)
			goto cleanup;
		skel->bss->visited = 0;
		bytes = 0;
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			bytes += n;
		close(fd);
		if (n < 0)
			goto cleanup;
	}
	dump_ns = (now_ns() - t0) / DUMPS;

	btf = btf__load_vmlinux_btf();
	printf("{\"pidMax\":%ld,\"elementBytes\":%zu,\"owners\":%ld,\"syscallNs\":%.1f,", pid_max, sizeof(struct lsmc_slot), owners, syscall_ns);
	/* The program runs again for an element whose write did not fit the read's buffer, so what it counts is not what was dumped: the bytes are. */
	printf("\"iterator\":{\"dumpNs\":%.0f,\"tasks\":%llu,\"elements\":%lld},", dump_ns, (unsigned long long)skel->bss->visited, bytes / (long long)sizeof(struct lsmc_slot));
	printf("\"localStorage\":{\"elemBytes\":%ld,\"storageBytes\":%ld,", struct_size(btf, "bpf_local_storage_elem"), struct_size(btf, "bpf_local_storage"));
	if (charged_before >= 0 && charged_after >= 0)
		printf("\"chargedBytes\":%lld},", charged_after - charged_before);
	else
		printf("\"notCharged\":\"%s\"},", no_memcg ? no_memcg : "the memory cgroup's kmem counter could not be read");
	printf("\"array\":{\"memlock\":[");
	long sizes[] = { 10, 1000, 100000, pid_max };
	for (int i = 0; i < 4; i++)
		printf("%s[%ld,%lld]", i ? "," : "", sizes[i], array_bytes(sizes[i], i == 1 ? &array_ns : NULL, reads));
	printf("],\"validatedNs\":%.3f},", array_ns);
	uptr_row(reads);
	printf(",\"checksum\":%llu}\n", (unsigned long long)sum);
	err = 0;
cleanup:
	btf__free(btf);
	bpf_link__destroy(link);
	if (pidfd >= 0)
		close(pidfd);
	for (int i = 0; i < opened; i++)
		close(pidfds[i]);
	if (p[1] >= 0)
		close(p[1]);
	if (p[0] >= 0)
		close(p[0]);
	for (int i = 0; i < made; i++)
		waitpid(child[i], NULL, 0);
	alt_bpf__destroy(skel);
	/* The map's charges go with it; a cgroup still holding some (freed after an RCU grace period) is retried. */
	for (int i = 0; memcg[0] && i < 50 && rmdir(memcg) && errno == EBUSY; i++)
		usleep(20000);
	return err;
}
