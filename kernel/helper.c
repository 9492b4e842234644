// SPDX-License-Identifier: GPL-2.0
/*
 * lsmc-helper: loads the prototype (lsmc.bpf.c) and drives it one trace step per request. It reads
 * newline-delimited JSON requests on stdin and answers each with one line on stdout:
 *
 *   {"op":"config", ...knobs and bounds}  load the variant (once per variant) and empty the map
 *   {"op":"step", "ak":"k", "an":0, ...}  one atomic step of an actor (owner, kernel context,
 *                                         reader, grace period); the reply carries what it
 *                                         observed and the state after it
 *   {"op":"probe", ...}                   whether the actor's next step (or start) must wait now
 *   {"op":"close"}                        clean up and exit
 *
 * What BPF cannot do, the helper does on the kernel's behalf: fork, exit and reap the owner tasks,
 * mkdir and rmdir the owner cgroups, and change the user mapping when a step says a page became
 * visible or was reclaimed. It leaves nothing behind on any path: signals only set a flag, and
 * every exit goes through one cleanup.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "helper.h"
#include "lsmc.skel.h"

volatile sig_atomic_t stop_requested;

static struct lsmc_bpf *skel;
static struct variant cur;
static bool loaded;
static struct lsmc_state *kstate;          /* the kernel's records, read-only */
static volatile __u64 *kheader;            /* the header page, read-only */
static unsigned char *kpages;              /* every page as the kernel has it, read-only (a debugger's view) */
static unsigned char *reservation;         /* the readers' mapping: PROT_NONE, zero page, or a slot page */
static int view[MAX_PAGES];
static int vpid[MAX_OWNERS];               /* each task owner's number in the namespace */
static int pid_cursor;
static int nursery;
static struct out reply;

static const char *why_text(int why)
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

static void on_signal(int sig)
{
	stop_requested = 1;
}

/* ---- the readers' mapping ---- */

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

static void unload(void)
{
	if (kstate)
		munmap(kstate, sizeof(*kstate));
	if (kheader)
		munmap((void *)kheader, LSMC_PAGE);
	if (kpages)
		munmap(kpages, (size_t)MAX_PAGES * LSMC_PAGE);
	kstate = NULL;
	kheader = NULL;
	kpages = NULL;
	lsmc_bpf__destroy(skel);
	skel = NULL;
	loaded = false;
}

static int load(const struct variant *v, char *err, size_t n)
{
	size_t state_bytes = (sizeof(struct lsmc_state) + LSMC_PAGE - 1) / LSMC_PAGE * LSMC_PAGE;
	int e;

	unload();
	skel = lsmc_bpf__open();
	if (!skel) {
		snprintf(err, n, "cannot open the BPF object: %s", strerror(errno));
		return -1;
	}
	skel->rodata->cfg_task = v->task;
	skel->rodata->cfg_by_uid = v->by_uid;
	skel->rodata->cfg_policy = v->policy;
	skel->rodata->cfg_published_size = v->published_size;
	skel->rodata->cfg_zero_page_growth = v->zero_page_growth;
	skel->rodata->cfg_publish_after_page = v->publish_after_page;
	skel->rodata->cfg_link_after_init = v->link_after_init;
	skel->rodata->cfg_reuse_after_grace = v->reuse_after_grace;
	skel->rodata->cfg_reclaim = v->reclaim;
	skel->rodata->cfg_zero_on_recycle = v->zero_on_recycle;
	skel->rodata->cfg_create_guard = v->create_guard;
	skel->rodata->cfg_create_locked = v->create_locked;
	skel->rodata->cfg_single_writer = v->single_writer;
	skel->rodata->cfg_spp = v->spp;
	skel->rodata->cfg_max_pages = v->max_pages;
	skel->rodata->cfg_owners = v->owners;
	skel->rodata->cfg_kernels = v->kernels;
	e = lsmc_bpf__load(skel);
	if (e) {
		snprintf(err, n, "cannot load the BPF object (verifier or kernel refused it): %s", strerror(-e));
		return -1;
	}
	e = lsmc_bpf__attach(skel);
	if (e) {
		snprintf(err, n, "cannot attach the fork and free hooks: %s", strerror(-e));
		return -1;
	}
	kstate = mmap(NULL, state_bytes, PROT_READ, MAP_SHARED, bpf_map__fd(skel->maps.state), 0);
	kheader = mmap(NULL, LSMC_PAGE, PROT_READ, MAP_SHARED, bpf_map__fd(skel->maps.header), 0);
	kpages = mmap(NULL, (size_t)MAX_PAGES * LSMC_PAGE, PROT_READ, MAP_SHARED, bpf_map__fd(skel->maps.pages), 0);
	if (kstate == MAP_FAILED || kheader == MAP_FAILED || kpages == MAP_FAILED) {
		snprintf(err, n, "cannot map the prototype's maps: %s", strerror(errno));
		kstate = kstate == MAP_FAILED ? NULL : kstate;
		kheader = kheader == MAP_FAILED ? NULL : kheader;
		kpages = kpages == MAP_FAILED ? NULL : kpages;
		return -1;
	}
	skel->bss->nursery_tgid = nursery;
	loaded = true;
	return 0;
}

static int run(int fd, void *ctx, size_t size)
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
		e = set_view(p, cur.zero_page_growth && p < cur.max_pages ? VW_ZERO_PAGE : VW_UNMAPPED);
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

static void configure(const struct request *req)
{
	struct variant v = {
		.task = req_num(req, "task", 1), .by_uid = req_num(req, "byUid", 1), .policy = req_num(req, "policy", 0),
		.checks_seq = req_num(req, "checksSeq", 1), .checks_uid = req_num(req, "checksUid", 1),
		.checks_gen = req_num(req, "checksGen", 1), .published_size = req_num(req, "publishedSize", 1),
		.zero_page_growth = req_num(req, "zeroPageGrowth", 0), .publish_after_page = req_num(req, "publishAfterPage", 1),
		.link_after_init = req_num(req, "linkAfterInit", 1), .reuse_after_grace = req_num(req, "reuseAfterGrace", 1),
		.reclaim = req_num(req, "reclaim", 0), .zero_on_recycle = req_num(req, "zeroOnRecycle", 1),
		.create_guard = req_num(req, "createGuard", 1), .create_locked = req_num(req, "createLocked", 1),
		.single_writer = req_num(req, "singleWriter", 1), .retry_bound = req_num(req, "retryBound", 2),
		.pid_numbers = req_num(req, "pidNumbers", 2), .spp = req_num(req, "spp", 1),
		.max_pages = req_num(req, "maxPages", 1), .owners = req_num(req, "owners", 1),
		.kernels = req_num(req, "kernels", 1), .readers = req_num(req, "readers", 1),
	};
	char err[256] = "";

	if (v.spp < 1 || LSMC_PAGE / v.spp < (int)sizeof(struct lsmc_slot) || v.max_pages < 1 || v.max_pages > MAX_PAGES ||
	    v.spp * v.max_pages > MAX_SLOTS || v.owners < 1 || v.owners > MAX_OWNERS || v.kernels < 0 ||
	    v.kernels > MAX_KERNELS || v.readers < 0 || v.readers > MAX_READERS || v.pid_numbers < 1 ||
	    v.pid_numbers > 1000) {
		out_printf(&reply, "{\"error\":\"bounds beyond the prototype's: at most %d owners, %d kernel contexts, %d readers, %d pages, %d slots\"}",
			   MAX_OWNERS, MAX_KERNELS, MAX_READERS, MAX_PAGES, MAX_SLOTS);
		return;
	}
	if (!v.task && cgroups_start(err, sizeof(err))) {
		out_printf(&reply, "{\"error\":");
		out_str(&reply, err);
		out_printf(&reply, "}");
		return;
	}
	if ((!loaded || memcmp(&v, &cur, sizeof(v))) && load(&v, err, sizeof(err))) {
		out_printf(&reply, "{\"error\":");
		out_str(&reply, err);
		out_printf(&reply, "}");
		unload();
		return;
	}
	cur = v;
	if (empty_map(err, sizeof(err))) {
		out_printf(&reply, "{\"error\":");
		out_str(&reply, err);
		out_printf(&reply, "}");
		return;
	}
	out_printf(&reply, "{\"ok\":1}");
}

/* ---- the state as replay compares it ---- */

static const struct lsmc_slot *kslot(int i)
{
	return (const struct lsmc_slot *)(kpages + (size_t)(i / cur.spp) * LSMC_PAGE + (size_t)(i % cur.spp) * SLOT_STRIDE(cur.spp));
}

static void state_json(void)
{
	struct lsmc_show_args links = { 0 };
	int slots = cur.spp * cur.max_pages, i;

	run(bpf_program__fd(skel->progs.show), &links, sizeof(links));
	out_printf(&reply, "\"st\":{\"sl\":[");
	for (i = 0; i < slots; i++) {
		const struct lsmc_slot *s = kslot(i);

		out_printf(&reply, "%s%llu,%llu,%llu,%llu,%llu", i ? "," : "", (unsigned long long)s->seq, (unsigned long long)s->ident,
			   (unsigned long long)s->gen, (unsigned long long)s->word1, (unsigned long long)s->word2);
	}
	out_printf(&reply, "],\"al\":[");
	for (i = 0; i < slots; i++)
		out_printf(&reply, "%s%d", i ? "," : "", kstate->slot_alloc[i]);
	out_printf(&reply, "],\"ep\":[");
	for (i = 0; i < slots; i++)
		out_printf(&reply, "%s%d", i ? "," : "", kstate->slot_epoch[i]);
	out_printf(&reply, "],\"pk\":[");
	for (i = 0; i < cur.max_pages; i++)
		out_printf(&reply, "%s%d", i ? "," : "", kstate->page_kernel[i]);
	out_printf(&reply, "],\"pv\":[");
	for (i = 0; i < cur.max_pages; i++)
		out_printf(&reply, "%s%d", i ? "," : "", view[i]);
	out_printf(&reply, "],\"ps\":%llu,\"ow\":[", (unsigned long long)*kheader);
	for (i = 0; i < cur.owners; i++) {
		const struct lsmc_owner *o = &kstate->o[i];

		out_printf(&reply, "%s%d,%d,%d,%d,%d,%d,%d", i ? "," : "", o->phase, o->pid, o->uid, o->refs, o->creating, links.link[i], o->f.held);
	}
	out_printf(&reply, "],\"cu\":[%d,%d,%d],\"fl\":[", kstate->alloc_cursor, kstate->high_water, pid_cursor);
	for (i = 0; i < (cur.policy == 2 ? kstate->free_top : 0) && i < MAX_SLOTS; i++)
		out_printf(&reply, "%s%d", i ? "," : "", kstate->free_stack[i]);
	out_printf(&reply, "],\"kc\":[");
	for (i = 0; i < cur.kernels; i++)
		out_printf(&reply, "%s%d,%d", i ? "," : "", kstate->k[i].held, kstate->k[i].rcu);
	out_printf(&reply, "],\"rd\":[");
	for (i = 0; i < cur.readers; i++) {
		struct reader_view r = reader_view(i);

		out_printf(&reply, "%s%d,%d,%d,%lld,%lld,%d", i ? "," : "", r.has_cache, r.cache_uid, r.cache_index, r.cache_ident, r.cache_gen, r.retries);
	}
	out_printf(&reply, "]}");
}

/* ---- steps ---- */

struct result {
	int result;
	const char *why;
	bool disabled; /* refused because the spec's precondition fails (a probe: it waits) */
	int outcome, uid, index;
	unsigned long long w1, w2;
	int ev_index;
};

static struct result refuse(const char *why)
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

static bool frees_moved(int before, int ms)
{
	struct timespec ts = { 0, 50 * 1000 }, t0, t;

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
 * The free hook runs once RCU has passed a grace period after the last reference went (tens of
 * milliseconds). If it has not run after two seconds, an rcu_barrier() flushes callbacks that
 * wait lazily; if it still has not run, something holds the owner.
 */
static bool wait_frees(int before)
{
	int fd;

	if (frees_moved(before, 2000))
		return true;
	fd = open("/sys/module/rcutree/parameters/do_rcu_barrier", O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "1", 1) != 1)
			fprintf(stderr, "lsmc-helper: rcu_barrier: %s\n", strerror(errno));
		close(fd);
	}
	if (frees_moved(before, 5000)) {
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
		if (!wait_frees(before))
			return refuse("the owner's free hook did not run within 7 s (something still holds the owner)");
		return r;
	}
	}
	return refuse("not an owner's step");
}

static struct result do_step(const struct request *req, bool probe)
{
	const char *ak = req_str(req, "ak");
	int an = req_num(req, "an", -1), kind = req_num(req, "kind", 0), code = req_num(req, "code", -1);
	struct lsmc_step_args a = {
		.actor = an, .kind = kind, .code = code, .on_free = req_num(req, "free", 0), .half = req_num(req, "half", 0),
		.owner = req_num(req, "owner", -1), .value = req_num(req, "value", 0), .index = req_num(req, "index", -1),
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
		rr = reader_step(an, kind, code, req_num(req, "free", 0), a.owner, req_num(req, "answer", -2), a.index);
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

static void step_reply(const struct request *req)
{
	struct result r = do_step(req, false);

	out_printf(&reply, "{\"r\":%d", r.result);
	if (r.why) {
		out_printf(&reply, ",\"why\":");
		out_str(&reply, r.why);
	}
	out_printf(&reply, ",\"obs\":[%d,%d,%d,%llu,%llu],\"ev\":[%d]", r.outcome, r.uid, r.index, r.w1, r.w2, r.ev_index);
	if (loaded) {
		out_printf(&reply, ",");
		state_json();
	}
	out_printf(&reply, "}");
}

static void probe_reply(const struct request *req)
{
	struct result r = do_step(req, true);
	const char *p = r.result == R_TOOK ? "took" : r.result == R_BLOCKED ? "waits" : "idle";

	if (r.result == R_REFUSED && r.disabled)
		p = "waits";
	out_printf(&reply, "{\"probe\":\"%s\"}", p);
}

/* ---- the loop ---- */

static char *read_line(void)
{
	static char buf[1 << 16];
	static size_t have, start;

	for (;;) {
		char *nl = memchr(buf + start, '\n', have - start);
		ssize_t got;

		if (nl) {
			char *line = buf + start;

			*nl = 0;
			start = nl + 1 - buf;
			return line;
		}
		if (start > 0) {
			memmove(buf, buf + start, have - start);
			have -= start;
			start = 0;
		}
		if (have == sizeof(buf))
			return NULL;
		got = read(0, buf + have, sizeof(buf) - have);
		if (got < 0 && errno == EINTR && !stop_requested)
			continue;
		if (got <= 0)
			return NULL;
		have += got;
	}
}

static bool write_all(const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(1, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= w;
	}
	return true;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct request req;
	char *line;
	int err = 0;

	/* Signals only set a flag (no SA_RESTART: a blocked read returns), and so does the adapter's death. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (!getenv("LSMC_HELPER_DEBUG"))
		libbpf_set_print(NULL);

	nursery = nursery_start();
	if (nursery < 0) {
		fprintf(stderr, "lsmc-helper: cannot make a pid namespace for the owner tasks: %s\n", strerror(-nursery));
		return 1;
	}
	reservation = mmap(NULL, (size_t)MAX_PAGES * LSMC_PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (reservation == MAP_FAILED) {
		fprintf(stderr, "lsmc-helper: cannot reserve the readers' mapping: %s\n", strerror(errno));
		err = 1;
		goto cleanup;
	}
	while (!stop_requested && (line = read_line())) {
		out_reset(&reply);
		if (parse_request(line, &req)) {
			out_printf(&reply, "{\"error\":\"not a request: one flat JSON object per line\"}");
		} else {
			const char *op = req_str(&req, "op");

			if (!strcmp(op, "config"))
				configure(&req);
			else if (!strcmp(op, "step"))
				step_reply(&req);
			else if (!strcmp(op, "probe"))
				probe_reply(&req);
			else if (!strcmp(op, "show") && loaded) {
				out_printf(&reply, "{");
				state_json();
				out_printf(&reply, "}");
			}
			else if (!strcmp(op, "close")) {
				out_printf(&reply, "{\"ok\":1}\n");
				write_all(reply.buf, reply.len);
				break;
			} else
				out_printf(&reply, "{\"error\":\"unknown op\"}");
		}
		/* Cut short (Ctrl-C): the adapter learns it from this reply, not from a reply cut in half. */
		if (stop_requested) {
			out_reset(&reply);
			out_printf(&reply, "{\"interrupted\":1}");
		}
		out_printf(&reply, "\n");
		if (!write_all(reply.buf, reply.len))
			break;
	}
	if (stop_requested)
		write_all("{\"interrupted\":1}\n", 17);
cleanup:
	readers_stop();
	nursery_stop();
	cgroups_stop();
	unload();
	if (reservation && reservation != MAP_FAILED)
		munmap(reservation, (size_t)MAX_PAGES * LSMC_PAGE);
	free(reply.buf);
	return err;
}
