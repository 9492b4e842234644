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
 * The steps themselves are driver.c's. The helper leaves nothing behind on any path: signals only
 * set a flag, and every exit goes through one cleanup.
 */
#define _GNU_SOURCE
#include <sched.h>
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

static struct out reply;

/* LSMC_HELPER_PROFILE=FILE: time per kind of request, written at exit (to find what a replay waits for). */
#define PROFILE_KINDS 512
static double prof_ms[PROFILE_KINDS];
static long prof_n[PROFILE_KINDS];

static int profile_kind(const struct request *req)
{
	const char *op = req_str(req, "op"), *ak = req_str(req, "ak");
	int k = (int)(req_num(req, "kind", 0) * 40 + req_num(req, "code", 0) + 1);

	if (strcmp(op, "step") && strcmp(op, "probe"))
		return !strcmp(op, "config") ? 1 : 2;
	return 3 + ((ak[0] == 'o' ? 0 : ak[0] == 'k' ? 1 : ak[0] == 'r' ? 2 : 3) * 120 + (k < 0 ? 0 : k % 120));
}

static void on_signal(int sig)
{
	stop_requested = 1;
}

static void state_json(void);

/* ---- the readers' mapping ---- */

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

	if (drv_configure(&v, err, sizeof(err))) {
		out_printf(&reply, "{\"error\":");
		out_str(&reply, err);
		out_printf(&reply, "}");
		return;
	}
	/* The initial state with it: a replay compares it before the first step, without asking again. */
	out_printf(&reply, "{\"ok\":1,");
	state_json();
	out_printf(&reply, "}");
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

static struct result do_step(const struct request *req, bool probe)
{
	struct drv_request q = {
		.actor = req_str(req, "ak")[0], .n = req_num(req, "an", -1), .kind = req_num(req, "kind", 0),
		.code = req_num(req, "code", -1), .on_free = req_num(req, "free", 0), .half = req_num(req, "half", 0),
		.owner = req_num(req, "owner", -1), .value = req_num(req, "value", 0), .answer = req_num(req, "answer", -2),
		.index = req_num(req, "index", -1), .probe = probe,
	};

	return drv_step(&q);
}

/* A probe's answer: took, waits (blocked, or refused by the spec's precondition) or idle. */
static char probe_letter(struct result r)
{
	if (r.result == R_TOOK)
		return 't';
	return r.result == R_BLOCKED || (r.result == R_REFUSED && r.disabled) ? 'w' : 'i';
}

/*
 * The probes a step request carries (`pr`: "ak,an,kind,code,free,half,owner,value,answer,index"
 * entries joined by ';'), made after the step, one after another, as probe requests would be.
 */
static bool probes_after(const char *pr)
{
	bool took = false;

	out_printf(&reply, ",\"pr\":\"");
	while (*pr) {
		char ak = 0, letter;
		struct drv_request q = { 0 };
		int used = 0;

		if (sscanf(pr, "%c,%d,%d,%d,%d,%d,%d,%d,%d,%d%n", &ak, &q.n, &q.kind, &q.code, &q.on_free, &q.half, &q.owner, &q.value,
			   &q.answer, &q.index, &used) != 10)
			break;
		q.actor = ak;
		q.probe = true;
		letter = probe_letter(drv_step(&q));
		took |= letter == 't';
		out_printf(&reply, "%c", letter);
		pr += used;
		if (*pr == ';')
			pr++;
	}
	out_printf(&reply, "\"");
	return took;
}

/*
 * A replay sends a trace's steps ahead of their replies, each marked with the trace's batch number
 * `b`. Every step of a trace must be taken: once one is not, the replay stops reading that trace,
 * and the steps it sent after it are answered at once without running them (r 4).
 */
static long skipped_batch = -1;

static void step_reply(const struct request *req)
{
	long batch = req_num(req, "b", -1);
	struct result r;
	bool took_probe = false;

	if (batch >= 0 && batch == skipped_batch) {
		out_printf(&reply, "{\"r\":4}");
		return;
	}
	r = do_step(req, false);
	if (r.result != R_TOOK && batch >= 0)
		skipped_batch = batch;

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
	/* The state above is the one after the step: probes that take a step come after it, and so does the state they leave (sp). */
	if (r.result == R_TOOK && req_str(req, "pr")[0])
		took_probe = probes_after(req_str(req, "pr"));
	if (took_probe && loaded) {
		out_printf(&reply, ",\"sp\":{");
		state_json();
		out_printf(&reply, "}");
	}
	out_printf(&reply, "}");
}

static void probe_reply(const struct request *req)
{
	char p = probe_letter(do_step(req, true));

	out_printf(&reply, "{\"probe\":\"%s\"}", p == 't' ? "took" : p == 'w' ? "waits" : "idle");
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
	char why[256];

	/* Signals only set a flag (no SA_RESTART: a blocked read returns), and so does the adapter's death. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	/* Room for a whole trace's replies: a replay may read them only after another trace's (best effort). */
	fcntl(1, F_SETPIPE_SZ, 1 << 20);
	if (!getenv("LSMC_HELPER_DEBUG"))
		libbpf_set_print(NULL);

	/*
	 * --cpu N: every thread (and owner task) on one CPU. Replay runs one step at a time, so a hand-off
	 * to a reader thread is a switch on the same CPU instead of a wake-up on another (in a VM, an
	 * interrupt between CPUs and an exit to the host), and shards side by side spread over the CPUs.
	 */
	if (argc == 3 && !strcmp(argv[1], "--cpu")) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(atoi(argv[2]), &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			fprintf(stderr, "lsmc-helper: --cpu %s: %s (running on any CPU)\n", argv[2], strerror(errno));
	}
	if (drv_start(why, sizeof(why))) {
		fprintf(stderr, "lsmc-helper: %s\n", why);
		err = 1;
		goto cleanup;
	}
	while (!stop_requested && (line = read_line())) {
		struct timespec t0, t1;
		int pk = 0;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		out_reset(&reply);
		if (parse_request(line, &req)) {
			out_printf(&reply, "{\"error\":\"not a request: one flat JSON object per line\"}");
		} else {
			const char *op = req_str(&req, "op");

			pk = profile_kind(&req);

			if (!strcmp(op, "config"))
				configure(&req);
			else if (!strcmp(op, "step"))
				step_reply(&req);
			else if (!strcmp(op, "probe"))
				probe_reply(&req);
			else if (!strcmp(op, "stats"))
				out_printf(&reply, "{\"freeWaits\":%ld,\"freeWaitMs\":%.3f,\"freeHooksLost\":%ld,\"loads\":%ld}", free_waits, free_wait_ms, free_hooks_lost, variant_loads);
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
		clock_gettime(CLOCK_MONOTONIC, &t1);
		prof_ms[pk % PROFILE_KINDS] += (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
		prof_n[pk % PROFILE_KINDS]++;
		if (!write_all(reply.buf, reply.len))
			break;
	}
	if (getenv("LSMC_HELPER_PROFILE")) {
		FILE *f = fopen(getenv("LSMC_HELPER_PROFILE"), "a");

		for (int i = 0; f && i < PROFILE_KINDS; i++)
			if (prof_n[i])
				fprintf(f, "%d %ld %.1f\n", i, prof_n[i], prof_ms[i]);
		if (f)
			fclose(f);
	}
	if (stop_requested)
		write_all("{\"interrupted\":1}\n", 17);
cleanup:
	drv_stop();
	free(reply.buf);
	return err;
}
