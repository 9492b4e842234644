// SPDX-License-Identifier: GPL-2.0
/*
 * The driver of the kernel prototype: loads lsmc.bpf.c in a variant, empties the map between
 * traces, and takes one step of a trace: a step program run, a real process or cgroup event, or a
 * reader thread's load. The helper (helper.c) speaks it over NDJSON; a generated selftest calls it.
 *
 * What BPF cannot do, the driver does on the kernel's behalf: fork, exit and reap the owner tasks,
 * mkdir and rmdir the owner cgroups, and change the user mapping when a step says a page became
 * visible or was reclaimed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "helper.h"
#include "lsmc.skel.h"

/* Set by the front end's signal handler (Ctrl-C): waits give up. */
volatile sig_atomic_t stop_requested;

struct lsmc_bpf *skel;
struct variant cur;
bool loaded;
struct lsmc_state *kstate;          /* the kernel's records, read-only */
volatile __u64 *kheader;            /* the header page, read-only */
unsigned char *kpages;              /* every page as the kernel has it, read-only (a debugger's view) */
static unsigned char *reservation;         /* the readers' mapping: PROT_NONE, zero page, or a slot page */
int view[MAX_PAGES];
static int vpid[MAX_OWNERS];               /* each task owner's number in the namespace */
int pid_cursor;
static int nursery;

const char *why_text(int why)
{
	switch (why) {
	case WHY_NOT_NEXT: return "that is not the actor's next step in the prototype";
	case WHY_BUSY: return "the actor is in another operation";
	case WHY_IDLE: return "the actor has no operation under way";
	case WHY_DISABLED: return "the prototype cannot take that step in this state";
	case WHY_FREED: return "the owner's task or cgroup is freed, and a real kernel context can hold no freed object (it would need a reference, which would have kept the owner from being freed)";
	case WHY_NO_STORAGE: return "the kernel refuses to create local storage for this owner (a cgroup after rmdir, or a task past its free)";
	case WHY_BAD: return "a pick out of range";
	}
	return "refused";
}

static int set_view(int page, int v)
{
	void *at = reservation + (size_t)page * LSMC_PAGE, *got;

	if (page < 0 || page >= MAX_PAGES)
		return -EINVAL;
	if (v == VW_MAPPED)
		got = mmap(at, LSMC_PAGE, PROT_READ, MAP_SHARED | MAP_FIXED, bpf_map__fd(skel->maps.pages), (off_t)page * LSMC_PAGE);
	else
		got = mmap(at, LSMC_PAGE, v == VW_ZERO_PAGE ? PROT_READ : PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0);
	if (got == MAP_FAILED)
		return -errno;
	view[page] = v;
	return 0;
}

/* ---- loading a variant ---- */

/*
 * Every variant a run has loaded stays loaded (its hooks attached, on an empty state) while another is in use: the
 * verifier and libbpf's reading of the kernel's BTF take tens of milliseconds a load, and a replay
 * comes back to the same few dozen variants again and again.
 */
#define MAX_LOADED 48

struct loaded {
	struct variant v;
	struct lsmc_bpf *skel;
	struct lsmc_state *kstate;
	volatile __u64 *kheader;
	unsigned char *kpages;
};

static struct loaded loaded_variants[MAX_LOADED];
/* How many times a variant was loaded (the verifier ran): what a run's variety costs. */
long variant_loads;
static int nloaded;
static int active = -1;

/* Whether two variants need the same BPF object: the fields in its .rodata (the readers' checks, retry bound and counts are the helper's own). */
static bool same_object(const struct variant *a, const struct variant *b)
{
	return a->task == b->task && a->by_uid == b->by_uid && a->policy == b->policy && a->published_size == b->published_size &&
	       a->zero_page_growth == b->zero_page_growth && a->publish_after_page == b->publish_after_page &&
	       a->link_after_init == b->link_after_init && a->reuse_after_grace == b->reuse_after_grace && a->reclaim == b->reclaim &&
	       a->zero_on_recycle == b->zero_on_recycle && a->create_guard == b->create_guard && a->create_locked == b->create_locked &&
	       a->single_writer == b->single_writer && a->spp == b->spp && a->max_pages == b->max_pages && a->owners == b->owners &&
	       a->kernels == b->kernels;
}

static void destroy(struct loaded *l)
{
	size_t state_bytes = (sizeof(struct lsmc_state) + LSMC_PAGE - 1) / LSMC_PAGE * LSMC_PAGE;

	if (l->kstate)
		munmap(l->kstate, state_bytes);
	if (l->kheader)
		munmap((void *)l->kheader, LSMC_PAGE);
	if (l->kpages)
		munmap(l->kpages, (size_t)MAX_PAGES * LSMC_PAGE);
	lsmc_bpf__destroy(l->skel);
	memset(l, 0, sizeof(*l));
}

static void use(int i)
{
	active = i;
	skel = i < 0 ? NULL : loaded_variants[i].skel;
	kstate = i < 0 ? NULL : loaded_variants[i].kstate;
	kheader = i < 0 ? NULL : loaded_variants[i].kheader;
	kpages = i < 0 ? NULL : loaded_variants[i].kpages;
	loaded = i >= 0;
}

/*
 * Leaves the variant in use: its owners gone, its holds dropped (reset). Its hooks stay attached:
 * on an empty state they match nothing (a fork hook acts only on the spawn its own object was told
 * of), and attaching and detaching programs on a tracepoint while it fires now and then lost a
 * free hook on this kernel (about one in 5,000 frees, with many helpers side by side).
 */
static void put_away(void)
{
	if (active < 0)
		return;
	nursery_kill_all();
	cgroups_remove_all();
	run(bpf_program__fd(skel->progs.reset), NULL, 0);
	use(-1);
}

static void unload(void)
{
	put_away();
	for (int i = 0; i < nloaded; i++)
		destroy(&loaded_variants[i]);
	nloaded = 0;
}

static int load_new(struct loaded *l, const struct variant *v, char *err, size_t n)
{
	size_t state_bytes = (sizeof(struct lsmc_state) + LSMC_PAGE - 1) / LSMC_PAGE * LSMC_PAGE;
	struct lsmc_bpf *sk;
	int e;

	memset(l, 0, sizeof(*l));
	l->v = *v;
	sk = l->skel = lsmc_bpf__open();
	if (!sk) {
		snprintf(err, n, "cannot open the BPF object: %s", strerror(errno));
		return -1;
	}
	sk->rodata->cfg_task = v->task;
	sk->rodata->cfg_by_uid = v->by_uid;
	sk->rodata->cfg_policy = v->policy;
	sk->rodata->cfg_published_size = v->published_size;
	sk->rodata->cfg_zero_page_growth = v->zero_page_growth;
	sk->rodata->cfg_publish_after_page = v->publish_after_page;
	sk->rodata->cfg_link_after_init = v->link_after_init;
	sk->rodata->cfg_reuse_after_grace = v->reuse_after_grace;
	sk->rodata->cfg_reclaim = v->reclaim;
	sk->rodata->cfg_zero_on_recycle = v->zero_on_recycle;
	sk->rodata->cfg_create_guard = v->create_guard;
	sk->rodata->cfg_create_locked = v->create_locked;
	sk->rodata->cfg_single_writer = v->single_writer;
	sk->rodata->cfg_spp = v->spp;
	sk->rodata->cfg_max_pages = v->max_pages;
	sk->rodata->cfg_owners = v->owners;
	sk->rodata->cfg_kernels = v->kernels;
	/* The soak's hooks (kernel/soak.c) have nothing to do in a replay: not loaded, not run at every switch. */
	bpf_program__set_autoload(sk->progs.on_switch, false);
	bpf_program__set_autoload(sk->progs.on_exit, false);
	bpf_program__set_autoload(sk->progs.on_mkdir, false);
	bpf_program__set_autoload(sk->progs.on_rmdir, false);
	e = lsmc_bpf__load(sk);
	if (e) {
		snprintf(err, n, "cannot load the BPF object (verifier or kernel refused it): %s", strerror(-e));
		return -1;
	}
	l->kstate = mmap(NULL, state_bytes, PROT_READ, MAP_SHARED, bpf_map__fd(sk->maps.state), 0);
	l->kheader = mmap(NULL, LSMC_PAGE, PROT_READ, MAP_SHARED, bpf_map__fd(sk->maps.header), 0);
	l->kpages = mmap(NULL, (size_t)MAX_PAGES * LSMC_PAGE, PROT_READ, MAP_SHARED, bpf_map__fd(sk->maps.pages), 0);
	if (l->kstate == MAP_FAILED || l->kheader == MAP_FAILED || l->kpages == MAP_FAILED) {
		snprintf(err, n, "cannot map the prototype's maps: %s", strerror(errno));
		l->kstate = l->kstate == MAP_FAILED ? NULL : l->kstate;
		l->kheader = l->kheader == MAP_FAILED ? NULL : l->kheader;
		l->kpages = l->kpages == MAP_FAILED ? NULL : l->kpages;
		return -1;
	}
	sk->bss->nursery_tgid = nursery;
	return 0;
}

/* Makes v the variant in use, loading it the first time; 0, or -1 with err set. */
static int load(const struct variant *v, char *err, size_t n)
{
	int i, e;

	put_away();
	for (i = 0; i < nloaded && !same_object(&loaded_variants[i].v, v); i++)
		;
	if (i == nloaded) {
		if (nloaded == MAX_LOADED) {
			/* Full: the oldest goes (a run with this many variants loads some twice). */
			destroy(&loaded_variants[0]);
			memmove(&loaded_variants[0], &loaded_variants[1], sizeof(loaded_variants[0]) * (MAX_LOADED - 1));
			i = --nloaded;
		}
		variant_loads++;
		e = load_new(&loaded_variants[i], v, err, n);
		if (!e && lsmc_bpf__attach(loaded_variants[i].skel)) {
			snprintf(err, n, "cannot attach the fork and free hooks: %s", strerror(errno));
			e = -1;
		}
		if (e) {
			destroy(&loaded_variants[i]);
			return -1;
		}
		nloaded++;
	}
	use(i);
	return 0;
}

int run(int fd, void *ctx, size_t size)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = ctx, .ctx_size_in = size);

	return bpf_prog_test_run_opts(fd, &opts) ? -errno : 0;
}

/* Every owner gone, every reference dropped, every page zeroed and unmapped: an empty map. */
static int empty_map(char *err, size_t n)
{
	struct mapping m;
	int e;

	nursery_kill_all();
	cgroups_remove_all();
	e = run(bpf_program__fd(skel->progs.reset), NULL, 0);
	if (e) {
		snprintf(err, n, "the reset program failed: %s", strerror(-e));
		return -1;
	}
	for (int p = 0; p < MAX_PAGES; p++) {
		int initial = cur.zero_page_growth && p < cur.max_pages ? VW_ZERO_PAGE : VW_UNMAPPED;

		/* A page still as it starts keeps its mapping (nothing writes a zero page: it is still zero). */
		e = view[p] == initial ? 0 : set_view(p, initial);
		if (e) {
			snprintf(err, n, "cannot reset the mapping: %s", strerror(-e));
			return -1;
		}
	}
	memset(vpid, 0, sizeof(vpid));
	pid_cursor = 0;
	m = (struct mapping){ .slots = reservation, .published_size = kheader, .state = kstate,
			      .lookup_fd = bpf_program__fd(skel->progs.lookup) };
	e = readers_start(cur.readers, &cur, &m);
	if (e) {
		snprintf(err, n, "cannot start the reader threads: %s", strerror(-e));
		return -1;
	}
	readers_reset();
	return 0;
}

/* Loads the variant (once per variant) and empties the map; 0, or -1 with err set. */
int drv_configure(const struct variant *vp, char *err, size_t n)
{
	struct variant v = *vp;

	if (v.spp < 1 || LSMC_PAGE / v.spp < (int)sizeof(struct lsmc_slot) || v.max_pages < 1 || v.max_pages > MAX_PAGES ||
	    v.spp * v.max_pages > MAX_SLOTS || v.owners < 1 || v.owners > MAX_OWNERS || v.kernels < 0 ||
	    v.kernels > MAX_KERNELS || v.readers < 0 || v.readers > MAX_READERS || v.pid_numbers < 1 ||
	    v.pid_numbers > 1000) {
		snprintf(err, n, "bounds beyond the prototype's: at most %d owners, %d kernel contexts, %d readers, %d pages, %d slots",
			 MAX_OWNERS, MAX_KERNELS, MAX_READERS, MAX_PAGES, MAX_SLOTS);
		return -1;
	}
	if (!v.task && cgroups_start(err, n))
		return -1;
	if ((!loaded || !same_object(&v, &cur)) && load(&v, err, n)) {
		unload();
		return -1;
	}
	cur = v;
	return empty_map(err, n);
}

/* The nursery (before any thread) and the readers' reservation; 0, or -1 with err set. */
int drv_start(char *err, size_t n)
{
	nursery = nursery_start();
	if (nursery < 0) {
		snprintf(err, n, "cannot make a pid namespace for the owner tasks: %s", strerror(-nursery));
		return -1;
	}
	reservation = mmap(NULL, (size_t)MAX_PAGES * LSMC_PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (reservation == MAP_FAILED) {
		reservation = NULL;
		snprintf(err, n, "cannot reserve the readers' mapping: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Leaves nothing behind: reader threads, owner tasks, cgroups, BPF objects, mappings. */
void drv_stop(void)
{
	readers_stop();
	nursery_stop();
	cgroups_stop();
	unload();
	if (reservation)
		munmap(reservation, (size_t)MAX_PAGES * LSMC_PAGE);
	reservation = NULL;
}


struct result refuse(const char *why)
{
	return (struct result){ .result = R_REFUSED, .why = why, .index = -1, .ev_index = -1 };
}

static struct result disabled(const char *why)
{
	struct result r = refuse(why);

	r.disabled = true;
	return r;
}

/* idr_alloc_cyclic over pid numbers 1..pidNumbers, as the spec hands them out: the first free at or after the cursor. */
static int alloc_pid(void)
{
	int n = cur.pid_numbers;

	for (int d = 0; d < n; d++) {
		int p = (pid_cursor + d) % n, held = 0;

		for (int o = 0; o < cur.owners; o++) {
			const struct lsmc_owner *ow = &kstate->o[o];

			if ((ow->phase == PH_ALIVE || ow->phase == PH_EXITED) && ow->pid == p + 1)
				held = 1;
		}
		if (held)
			continue;
		pid_cursor = (p + 1) % n;
		return p + 1;
	}
	return -1;
}

static struct result bpf_step(struct lsmc_step_args *a)
{
	struct result r = { .index = -1, .ev_index = -1 };
	int e = run(bpf_program__fd(skel->progs.step), a, sizeof(*a));

	if (e)
		return refuse("the step program failed to run");
	if (a->remap_page >= 0 && set_view(a->remap_page, a->remap_view))
		return refuse("the helper could not change the user mapping");
	r.result = a->result;
	r.why = a->result == R_REFUSED || a->result == R_INEXPRESSIBLE ? why_text(a->why) : a->result == R_BLOCKED ? "it must wait for a lock" : NULL;
	r.disabled = a->result == R_REFUSED && a->why == WHY_DISABLED;
	r.outcome = a->outcome;
	r.index = a->out_index;
	return r;
}

/* Polled every half millisecond: a grace period takes ten or more, and finer polls only burn the CPU other shards need. */
static bool frees_moved(int before, int ms)
{
	struct timespec ts = { 0, 500 * 1000 }, t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (__atomic_load_n(&kstate->frees, __ATOMIC_ACQUIRE) != before)
			return true;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (stop_requested || (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 > ms)
			return false;
		nanosleep(&ts, NULL);
	}
}

/*
 * The free hook runs once RCU has passed a grace period after the last reference went (10 to 20
 * milliseconds here, a few hundred under heavy load). If it has not run after FREE_WAIT_MS, an
 * rcu_barrier() flushes callbacks that wait lazily; if it still has not run FREE_WAIT_MS later,
 * something holds the owner.
 */
#define FREE_WAIT_MS 1500
/* How long the driver has waited for free hooks: what RCU, not the prototype, costs a replay. */
double free_wait_ms;
long free_waits;
/* Free hooks the kernel did not run, whose free step the helper took (free_lost). */
long free_hooks_lost;

static double ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1e3 + (t.tv_nsec - t0->tv_nsec) / 1e6;
}

static bool wait_frees_timed(int before);

static bool wait_frees(int before)
{
	struct timespec t0;
	bool ok;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ok = wait_frees_timed(before);
	free_wait_ms += ms_since(&t0);
	free_waits++;
	return ok;
}

static bool wait_frees_timed(int before)
{
	int fd;

	if (frees_moved(before, FREE_WAIT_MS))
		return true;
	fd = open("/sys/module/rcutree/parameters/do_rcu_barrier", O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "1", 1) != 1)
			fprintf(stderr, "lsmc-helper: rcu_barrier: %s\n", strerror(errno));
		close(fd);
	}
	if (frees_moved(before, FREE_WAIT_MS)) {
		fprintf(stderr, "lsmc-helper: an owner's free came only after an rcu_barrier\n");
		return true;
	}
	return false;
}

static struct result owner_step(int o, int code, struct lsmc_step_args *a)
{
	const struct lsmc_owner *ow = &kstate->o[o];
	unsigned long long id;
	int e, before;

	switch (code) {
	case ST_SPAWN:
	case ST_MKDIR:
		if (ow->phase != PH_UNBORN)
			return disabled("the owner exists already");
		if (!cur.task) {
			e = cgroup_make(o, &id);
			if (e)
				return refuse("mkdir of the owner's cgroup failed");
			a->code = ST_MKDIR;
			a->cgid = id;
			return bpf_step(a);
		}
		e = alloc_pid();
		if (e < 0)
			return disabled("no pid number is free");
		skel->data->spawning = o;
		e = nursery_spawn(PID_BASE + e);
		skel->data->spawning = -1;
		if (e)
			return refuse(e == -EADDRINUSE ? "the kernel handed out another pid number than the trace's" : "fork failed");
		if (ow->phase != PH_ALIVE)
			return refuse("the fork hook did not see the spawn");
		vpid[o] = PID_BASE + ow->pid;
		return (struct result){ .result = R_TOOK, .outcome = OC_NONE, .index = -1, .ev_index = -1 };
	case ST_EXIT:
	case ST_RMDIR:
		if (ow->phase != PH_ALIVE)
			return disabled("the owner is not alive");
		e = cur.task ? nursery_exit(vpid[o]) : cgroup_remove(o);
		if (e)
			return refuse(cur.task ? "the owner task did not exit" : "rmdir of the owner's cgroup failed");
		a->code = ST_EXIT;
		return bpf_step(a);
	case ST_REAP:
		if (!cur.task || ow->phase != PH_EXITED)
			return disabled("the owner is not a zombie task");
		e = nursery_reap(vpid[o]);
		if (e)
			return refuse("waitpid failed");
		return bpf_step(a);
	case ST_FREE: {
		struct result r;

		before = kstate->frees;
		r = bpf_step(a);
		if (r.result != R_TOOK)
			return r;
		if (!wait_frees(before)) {
			/*
			 * About once in several thousand frees (seen only with other processes freeing
			 * tasks side by side) the kernel drops the adapter's hold, the task's last
			 * rcu_users reference, and frees the task, yet our sched_process_free program never
			 * runs. What the design specifies here is code in the kernel's own free path, which
			 * nothing skips, so the helper takes the free step itself once the task's last
			 * reference is seen gone, and says so on stderr. Anything else is reported, not hidden.
			 */
			static char why[384];
			struct lsmc_inspect_args in = { .owner = o };
			struct bpf_prog_info info = {};
			__u32 len = sizeof(info);

			run(bpf_program__fd(skel->progs.inspect), &in, sizeof(in));
			bpf_obj_get_info_by_fd(bpf_program__fd(skel->progs.on_task_free), &info, &len);
			if (in.rcu_users == 0) {
				struct lsmc_inspect_args lost = { .owner = o };

				run(bpf_program__fd(skel->progs.free_lost), &lost, sizeof(lost));
				if (lost.pad || ow->phase == PH_FREED) {
					free_hooks_lost++;
					fprintf(stderr,
						"lsmc-helper: owner %d's task was freed but its sched_process_free hook did not run "
						"(%d other runs of it meanwhile, %llu recursion misses); the helper took the free step\n",
						o, kstate->free_hooks, (unsigned long long)info.recursion_misses);
					return r;
				}
			}
			snprintf(why, sizeof(why),
				 "the kernel did not run the task's free hook (sched_process_free) within 3 s of its last reference going "
				 "(rcu_users %d at the drop; %d other free hooks ran meanwhile; our hook %s; the task now: rcu_users %d, "
				 "usage %d, state %#x, exit_state %#x, flags %#x)",
				 ow->rcu_users, kstate->free_hooks, ow->hook_saw ? "saw it" : "never saw it", in.rcu_users, in.usage, in.state,
				 in.exit_state, in.flags);
			r.result = R_INEXPRESSIBLE;
			r.why = why;
			return r;
		}
		return r;
	}
	}
	return refuse("not an owner's step");
}

/*
 * One step of actor (kind 'o' owner, 'k' kernel context, 'r' reader, 'g' grace period; n its
 * number) named by (kind, code, on_free, half) in the spec's tables, with its picks. A probe with
 * code -1 takes the actor's next step, whatever it is.
 */
struct result drv_step(const struct drv_request *q)
{
	char ak[2] = { q->actor, 0 };
	int an = q->n, kind = q->kind, code = q->code;
	bool probe = q->probe;
	struct lsmc_step_args a = {
		.actor = an, .kind = kind, .code = code, .on_free = q->on_free, .half = q->half,
		.owner = q->owner, .value = q->value, .index = q->index,
		.probe = probe && code < 0,
	};

	if (!loaded)
		return refuse("no variant loaded");
	if (!strcmp(ak, "r")) {
		struct reader_reply rr;
		struct result r;

		if (probe && code < 0 && !reader_busy(an))
			return refuse("idle");
		if (probe && code < 0) {
			kind = 2;
			code = reader_next_load(an);
		}
		rr = reader_step(an, kind, code, q->on_free, a.owner, q->answer, a.index);
		r = (struct result){ .result = rr.result, .why = rr.why, .disabled = rr.disabled, .outcome = rr.outcome, .uid = rr.uid, .index = rr.index,
				     .w1 = rr.word1, .w2 = rr.word2, .ev_index = reader_view(an).last_index };
		return r;
	}
	if (!strcmp(ak, "o")) {
		if (an < 0 || an >= cur.owners)
			return refuse("no such owner");
		a.actor_kind = 'o';
		if (kind == 0 && !(probe && code < 0))
			return owner_step(an, code, &a);
		a.kind = 1;
		return bpf_step(&a);
	}
	if (!strcmp(ak, "k") || !strcmp(ak, "g")) {
		a.actor_kind = ak[0];
		if (a.actor_kind == 'k' && (an < 0 || an >= cur.kernels))
			return refuse("no such kernel context");
		return bpf_step(&a);
	}
	return refuse("unknown actor");
}

