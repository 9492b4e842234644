// SPDX-License-Identifier: GPL-2.0
/*
 * lsmc-soak: the prototype under real concurrency. Real child processes churn (forked, running a
 * few milliseconds, exiting, reaped); the BPF hooks run the step functions whole: a fork creates
 * the child's element, each switch into it updates it with its next update number, its free
 * destroys it; grace periods run at every switch and free. Reader threads look owners up and read
 * their elements through the read-only mapping, and every accepted read is judged as the
 * reference soak judges it (src/soak/judge.ts): no-foreign-read (a word written for another
 * owner), no-torn-read (two words from different updates), linearizable-read (an update number
 * that goes backwards for one owner and slot).
 *
 *   lsmc-soak SECONDS [key=value ...]   (keys: the helper's variant names, plus spin)
 *
 * Prints one JSON object. SIGINT or SIGTERM stops it early (the report says so); it leaves
 * nothing behind: children killed and reaped, threads joined, BPF objects closed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "lsmc.h"
#include "lsmc.skel.h"

#define READERS 3
#define CHILDREN 6
#define REMEMBERED 4096

static volatile sig_atomic_t stop;
static struct lsmc_bpf *skel;
static const struct lsmc_state *kst;
static volatile const unsigned char *pages;
static volatile const __u64 *published;
static int spp = 4, max_pages = 4, owners = MAX_OWNERS, retry_bound = 2;
static int checks_seq = 1, checks_uid = 1, checks_gen = 1, published_size = 1;

struct tally {
	unsigned long long reads, accepted, retries, busy, gone, not_visible, foreign, torn, backwards;
};

#define CACHED 8

struct reader {
	pthread_t thread;
	unsigned seed;
	struct tally t;
	/* answers of earlier lookups, kept and read again while their owners may go and their indices come back to others */
	struct lsmc_lookup_args cache[CACHED];
	/* the last update number accepted per (uid, index): linearizable-read */
	unsigned key[REMEMBERED];
	int counter[REMEMBERED];
};

static void on_signal(int sig)
{
	stop = 1;
}

static volatile const __u64 *field(int index, size_t off)
{
	return (volatile const __u64 *)(pages + (size_t)(index / spp) * LSMC_PAGE + (size_t)(index % spp) * SLOT_STRIDE(spp) + off);
}

/* no-foreign-read, no-torn-read, linearizable-read, for an accepted value asked of uid. */
static void judge(struct reader *r, int uid, int index, __u64 w1, __u64 w2)
{
	unsigned key = (unsigned)uid * MAX_SLOTS + index, h = key % REMEMBERED;
	int counter = (int)(w1 & 0xffff);

	r->t.accepted++;
	if ((w1 && (w1 >> 16) != (__u64)(uid & 0x7fff)) || (w2 && (w2 >> 16) != (__u64)(uid & 0x7fff))) {
		r->t.foreign++;
		return;
	}
	if (w1 != w2) {
		r->t.torn++;
		return;
	}
	if (r->key[h] == key && counter < r->counter[h]) {
		r->t.backwards++;
		return;
	}
	r->key[h] = key;
	r->counter[h] = counter;
}

/*
 * One read of a slot as the variant validates it; scan: the uid is learnt from the slot. Returns
 * 1 accepted (uid set), 0 gone or not visible, -1 busy.
 */
static int read_slot(struct reader *r, int index, int *uid, __u64 ident, __u64 gen, bool scan, __u64 *w1, __u64 *w2)
{
	for (int attempt = 0;; attempt++) {
		__u64 s1 = 0, id = 0, g, s2;
		bool mismatch = false;

		if (attempt > (retry_bound >= 0 ? retry_bound : 1000)) {
			r->t.busy++;
			return -1;
		}
		if (attempt > 0)
			r->t.retries++;
		if (!scan && published_size && (__u64)index >= *published) {
			r->t.not_visible++;
			return 0;
		}
		if (checks_seq) {
			s1 = *field(index, offsetof(struct lsmc_slot, seq));
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			if (s1 & 1)
				continue;
		}
		if (scan || checks_uid) {
			id = *field(index, offsetof(struct lsmc_slot, ident));
			if (scan) {
				mismatch = id == 0;
				*uid = (int)id;
			} else if (id != ident) {
				mismatch = true;
			}
		}
		if (checks_gen) {
			g = *field(index, offsetof(struct lsmc_slot, gen));
			if (!scan && g != gen)
				mismatch = true;
		}
		*w1 = *field(index, offsetof(struct lsmc_slot, word1));
		*w2 = *field(index, offsetof(struct lsmc_slot, word2));
		if (checks_seq) {
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			s2 = *field(index, offsetof(struct lsmc_slot, seq));
			if ((s2 & 1) || s2 != s1)
				continue;
		}
		if (mismatch) {
			r->t.gone++;
			return 0;
		}
		return 1;
	}
}

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	sigset_t all;
	unsigned long long n = 0;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	while (!stop) {
		struct lsmc_lookup_args *c = &r->cache[rand_r(&r->seed) % CACHED];
		__u64 w1, w2;
		int uid;

		/* Now and then a fresh lookup of an owner alive now replaces one cached answer. */
		if (n++ % 256 == 0 || c->outcome != OC_INDEX) {
			struct lsmc_lookup_args look = { .owner = rand_r(&r->seed) % owners, .answer = -2 };
			LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &look, .ctx_size_in = sizeof(look));

			if (kst->o[look.owner].phase == PH_ALIVE && !bpf_prog_test_run_opts(bpf_program__fd(skel->progs.lookup), &opts) &&
			    look.result == R_TOOK && look.outcome == OC_INDEX)
				*c = look;
			if (c->outcome != OC_INDEX)
				continue;
		}
		uid = c->uid;
		r->t.reads++;
		if (read_slot(r, c->index, &uid, c->ident, c->gen, false, &w1, &w2) == 1)
			judge(r, c->uid, c->index, w1, w2);
		/* And now and then a scan of some index below the published size. */
		if (n % 64 == 0 && *published > 0) {
			int index = rand_r(&r->seed) % (int)*published;

			r->t.reads++;
			if (read_slot(r, index, &uid, 0, 0, true, &w1, &w2) == 1)
				judge(r, uid, index, w1, w2);
		}
	}
	return NULL;
}

static int set_knob(const char *kv)
{
	const char *eq = strchr(kv, '=');
	int v;

	if (!eq)
		return -1;
	v = atoi(eq + 1);
#define KNOB(name, field) if (!strncmp(kv, name "=", eq - kv + 1)) { skel->rodata->field = v; return 0; }
	KNOB("task", cfg_task) KNOB("byUid", cfg_by_uid) KNOB("policy", cfg_policy)
	KNOB("zeroPageGrowth", cfg_zero_page_growth) KNOB("publishAfterPage", cfg_publish_after_page)
	KNOB("linkAfterInit", cfg_link_after_init) KNOB("reuseAfterGrace", cfg_reuse_after_grace)
	KNOB("reclaim", cfg_reclaim) KNOB("zeroOnRecycle", cfg_zero_on_recycle) KNOB("createGuard", cfg_create_guard)
	KNOB("createLocked", cfg_create_locked) KNOB("singleWriter", cfg_single_writer) KNOB("spin", cfg_soak_spin) KNOB("stall", cfg_soak_stall) KNOB("stallMs", cfg_soak_stall_ms)
#undef KNOB
	if (!strncmp(kv, "checksSeq=", 10)) return checks_seq = v, 0;
	if (!strncmp(kv, "checksUid=", 10)) return checks_uid = v, 0;
	if (!strncmp(kv, "checksGen=", 10)) return checks_gen = v, 0;
	if (!strncmp(kv, "publishedSize=", 14)) return published_size = v, skel->rodata->cfg_published_size = v, 0;
	if (!strncmp(kv, "retryBound=", 11)) return retry_bound = v, 0;
	return strncmp(kv, "readers=", 8) && strncmp(kv, "kernels=", 8) && strncmp(kv, "owners=", 7) && strncmp(kv, "spp=", 4) &&
			       strncmp(kv, "maxPages=", 9) && strncmp(kv, "pidNumbers=", 11)
		       ? -1
		       : 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * ownerKind=cgroup: owners are cgroups made in a folder of our own under the cgroup v2 mount (named
 * like the helper's, so that a helper cleans up after a soak killed outright); each has a churning
 * process in it, and goes (rmdir) once that process is reaped.
 */
#define CGROUP_ROOT "/sys/fs/cgroup/unified"
static char cg_base[128];
static char cg_dir[CHILDREN][192];
static unsigned long long cg_serial;

static void cgroup_gone(int i)
{
	if (!cg_dir[i][0])
		return;
	/* A cgroup whose last task has just been reaped may still be busy for a moment. */
	for (int tries = 0; rmdir(cg_dir[i]) && errno == EBUSY && tries < 1000; tries++)
		usleep(100);
	cg_dir[i][0] = 0;
}

/* A churning owner: runs, yielding, for a few milliseconds, then exits; in its cgroup if it has one. */
static void child_main(unsigned seed, const char *cgroup)
{
	double until = now_s() + (1 + rand_r(&seed) % 20) / 1000.0;

	if (cgroup) {
		char procs[256];
		FILE *f;

		snprintf(procs, sizeof(procs), "%s/cgroup.procs", cgroup);
		f = fopen(procs, "w");
		if (!f || fprintf(f, "0\n") < 0 || fclose(f))
			_exit(1);
	}

	while (now_s() < until)
		sched_yield();
	_exit(0);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	double seconds = argc > 1 ? atof(argv[1]) : 10, started = 0, elapsed;
	struct reader readers[READERS];
	pid_t children[CHILDREN] = { 0 };
	unsigned long long spawned = 0;
	size_t state_bytes = (sizeof(struct lsmc_state) + LSMC_PAGE - 1) / LSMC_PAGE * LSMC_PAGE;
	int err = 1, started_readers = 0;
	struct tally t = { 0 };
	unsigned seed = 1;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (!getenv("LSMC_HELPER_DEBUG"))
		libbpf_set_print(NULL);
	memset(readers, 0, sizeof(readers));
	skel = lsmc_bpf__open();
	if (!skel) {
		fprintf(stderr, "lsmc-soak: cannot open the BPF object\n");
		return 1;
	}
	skel->rodata->cfg_soak = 1;
	skel->rodata->cfg_soak_spin = 200;
	skel->rodata->cfg_soak_stall = 64;
	skel->rodata->cfg_spp = spp;
	skel->rodata->cfg_max_pages = max_pages;
	skel->rodata->cfg_owners = owners;
	skel->rodata->cfg_kernels = MAX_KERNELS;
	for (int i = 2; i < argc; i++)
		if (set_knob(argv[i])) {
			fprintf(stderr, "lsmc-soak: %s: expected key=value with a key the soak knows\n", argv[i]);
			goto cleanup;
		}
	if (lsmc_bpf__load(skel) || lsmc_bpf__attach(skel)) {
		fprintf(stderr, "lsmc-soak: cannot load the prototype: %s\n", strerror(errno));
		goto cleanup;
	}
	kst = mmap(NULL, state_bytes, PROT_READ, MAP_SHARED, bpf_map__fd(skel->maps.state), 0);
	/* Every page mapped from the start: BPF cannot change a mapping, and the soak's hooks cannot wait for the helper to. */
	pages = mmap(NULL, (size_t)MAX_PAGES * LSMC_PAGE, PROT_READ, MAP_SHARED, bpf_map__fd(skel->maps.pages), 0);
	published = mmap(NULL, LSMC_PAGE, PROT_READ, MAP_SHARED, bpf_map__fd(skel->maps.header), 0);
	if (kst == MAP_FAILED || pages == MAP_FAILED || published == MAP_FAILED) {
		fprintf(stderr, "lsmc-soak: cannot map the prototype's maps: %s\n", strerror(errno));
		goto cleanup;
	}
	{
		LIBBPF_OPTS(bpf_test_run_opts, opts);

		bpf_prog_test_run_opts(bpf_program__fd(skel->progs.reset), &opts);
	}
	skel->bss->soak_parent = getpid();
	if (!skel->rodata->cfg_task) {
		struct stat st;

		snprintf(cg_base, sizeof(cg_base), "%s/lsmc.%d", CGROUP_ROOT, getpid());
		if (mkdir(cg_base, 0755) || stat(cg_base, &st)) {
			fprintf(stderr, "lsmc-soak: cannot make %s: %s\n", cg_base, strerror(errno));
			cg_base[0] = 0;
			goto cleanup;
		}
		/* A cgroup's id is its kernfs inode number. */
		skel->bss->soak_cgroup_base = st.st_ino;
	}
	for (int i = 0; i < READERS; i++) {
		readers[i].seed = 17 + i;
		if (pthread_create(&readers[i].thread, NULL, reader_main, &readers[i]))
			goto cleanup;
		started_readers++;
	}
	started = now_s();
	while (!stop && now_s() - started < seconds) {
		for (int i = 0; i < CHILDREN; i++) {
			if (children[i] > 0 && waitpid(children[i], NULL, WNOHANG) == children[i]) {
				children[i] = 0;
				cgroup_gone(i);
			}
			if (children[i] == 0) {
				pid_t c;

				if (cg_base[0]) {
					snprintf(cg_dir[i], sizeof(cg_dir[i]), "%s/o%llu", cg_base, cg_serial++);
					if (mkdir(cg_dir[i], 0755)) {
						cg_dir[i][0] = 0;
						continue;
					}
				}
				c = fork();
				if (c == 0)
					child_main(seed + i, cg_base[0] ? cg_dir[i] : NULL);
				if (c > 0) {
					children[i] = c;
					spawned++;
				} else {
					cgroup_gone(i);
				}
				seed = seed * 1103515245 + 12345;
			}
		}
		usleep(200);
	}
	err = 0;
cleanup:
	elapsed = started_readers ? now_s() - started : 0;
	stop = 1;
	for (int i = 0; i < started_readers; i++)
		pthread_join(readers[i].thread, NULL);
	for (int i = 0; i < CHILDREN; i++) {
		if (children[i] > 0) {
			kill(children[i], SIGKILL);
			waitpid(children[i], NULL, 0);
		}
		cgroup_gone(i);
	}
	if (cg_base[0])
		rmdir(cg_base);
	for (int i = 0; i < READERS; i++) {
		t.reads += readers[i].t.reads;
		t.accepted += readers[i].t.accepted;
		t.retries += readers[i].t.retries;
		t.busy += readers[i].t.busy;
		t.gone += readers[i].t.gone;
		t.not_visible += readers[i].t.not_visible;
		t.foreign += readers[i].t.foreign;
		t.torn += readers[i].t.torn;
		t.backwards += readers[i].t.backwards;
	}
	if (!err)
		printf("{\"seconds\":%.2f,\"interrupted\":%d,\"owners\":%llu,\"events\":%d,\"skipped\":%d,\"reads\":%llu,\"accepted\":%llu,\"retries\":%llu,"
		       "\"busy\":%llu,\"gone\":%llu,\"notVisible\":%llu,\"violations\":{\"no-foreign-read\":%llu,\"no-torn-read\":%llu,\"linearizable-read\":%llu}}\n",
		       elapsed, elapsed < seconds, spawned, kst->soak_events, kst->soak_skipped, t.reads, t.accepted, t.retries, t.busy, t.gone,
		       t.not_visible, t.foreign, t.torn, t.backwards);
	if (kst && kst != MAP_FAILED)
		munmap((void *)kst, state_bytes);
	if (pages && pages != MAP_FAILED)
		munmap((void *)pages, (size_t)MAX_PAGES * LSMC_PAGE);
	if (published && published != MAP_FAILED)
		munmap((void *)published, LSMC_PAGE);
	lsmc_bpf__destroy(skel);
	return err;
}
