// SPDX-License-Identifier: GPL-2.0
/*
 * Readers: one thread each, doing real loads from the real read-only mapping, one load per step in
 * the protocol's order (published size, seq, uid, gen, word 1, word 2, seq again), as
 * src/reference/reader.ts does. A load of an unmapped page raises SIGSEGV, which the thread
 * catches (sigsetjmp without the signal mask: no syscall per load) and reports as `fault`.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "helper.h"

/*
 * The hand-off between the helper's main thread and a reader: the main thread fills in a request,
 * bumps `asked` and sleeps until `answered` catches up; the reader sleeps until `asked` moves. Only
 * one side touches the reader's fields at a time (the other sleeps on its word), and the release
 * and acquire on the two words order the fields, so no lock is needed: one wake and one wait on
 * each side, where a mutex and condition variable cost twice that and contend.
 */
struct reader {
	int id;
	pthread_t thread;
	unsigned int asked, answered;
	bool quit;
	int kind, code, of_scan, owner, answer, index;
	struct reader_reply reply;
	/* the cached answer of its last lookup */
	bool has_cache;
	int cache_uid, cache_index;
	long long cache_ident, cache_gen;
	/* the read or scan under way */
	int op;        /* 0, ST_READ or ST_SCAN */
	int pc;        /* the load it makes next (enum lsmc_load) */
	int at;        /* its index */
	int target;    /* the uid it reads for (a scan learns it) */
	int retries;
	bool mismatch;
	__u64 seq1, w1, w2;
	int last_index;
};

static struct reader readers[MAX_READERS];

static void futex_wait(unsigned int *word, unsigned int was)
{
	syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, was, NULL, NULL, 0);
}

static void futex_wake(unsigned int *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* Sleeps until *word is no longer `was`; returns what it is. */
static unsigned int wait_for_change(unsigned int *word, unsigned int was)
{
	unsigned int now;

	while ((now = __atomic_load_n(word, __ATOMIC_ACQUIRE)) == was)
		futex_wait(word, was);
	return now;
}
static int nreaders;
static struct variant v;
static struct mapping map;

/* volatile: the stores around the load must stay where they are (the compiler would drop the first). */
static __thread sigjmp_buf *volatile guard;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	if (guard)
		siglongjmp(*guard, 1);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* A load through the mapping: 0, or -1 when it touched an unmapped page. */
static int guarded_load(const volatile __u64 *p, __u64 *out)
{
	sigjmp_buf env;

	if (sigsetjmp(env, 0)) {
		guard = NULL;
		return -1;
	}
	guard = &env;
	*out = *p;
	guard = NULL;
	return 0;
}

static int load_field(int index, size_t off, __u64 *out)
{
	size_t stride = SLOT_STRIDE(v.spp);
	size_t at = (size_t)(index / v.spp) * LSMC_PAGE + (size_t)(index % v.spp) * stride + off;

	if (index < 0 || index >= v.spp * v.max_pages)
		return -1;
	return guarded_load((const volatile __u64 *)(map.slots + at), out);
}

/* The owner a scan attributes a slot to: by uid, that uid; by pid number, the task holding it now (as /proc would say). */
static int owner_of_ident(__u64 ident)
{
	if (ident == 0)
		return 0;
	if (v.by_uid)
		return (int)ident;
	for (int o = 0; o < v.owners; o++) {
		const struct lsmc_owner *ow = &map.state->o[o];

		if ((ow->phase == PH_ALIVE || ow->phase == PH_EXITED) && (__u64)ow->pid == ident)
			return ow->uid;
	}
	return 0;
}

static int first_load(const struct reader *r)
{
	bool scan = r->op == ST_SCAN;

	if (!scan && v.published_size)
		return LD_SIZE;
	if (v.checks_seq)
		return LD_SEQ_BEGIN;
	if (scan || v.checks_uid)
		return LD_UID;
	return v.checks_gen ? LD_GEN : LD_WORD1;
}

static int next_load(const struct reader *r, int pc)
{
	bool scan = r->op == ST_SCAN;

	switch (pc) {
	case LD_SIZE:
		if (v.checks_seq)
			return LD_SEQ_BEGIN;
		/* fall through */
	case LD_SEQ_BEGIN:
		if (scan || v.checks_uid)
			return LD_UID;
		/* fall through */
	case LD_UID:
		if (v.checks_gen)
			return LD_GEN;
		/* fall through */
	case LD_GEN:
		return LD_WORD1;
	case LD_WORD1:
		return LD_WORD2;
	case LD_WORD2:
		return v.checks_seq ? LD_SEQ_END : LD_IDLE;
	}
	return LD_IDLE;
}

static struct reader_reply took(int outcome, int uid, int index)
{
	return (struct reader_reply){ .result = R_TOOK, .outcome = outcome, .uid = uid, .index = index };
}

static struct reader_reply done(struct reader *r, struct reader_reply out)
{
	r->op = 0;
	r->pc = LD_IDLE;
	r->retries = 0;
	return out;
}

/* A failed seq check: busy at the bound, else the next attempt starts at the next step. */
static struct reader_reply retry(struct reader *r)
{
	if (v.retry_bound >= 0) {
		if (r->retries >= v.retry_bound)
			return done(r, took(OC_BUSY, r->target, -1));
		r->retries++;
	}
	struct reader_reply out = took(OC_RETRY, r->target, -1);
	if (r->op == ST_SCAN)
		r->target = 0;
	r->mismatch = false;
	r->pc = first_load(r);
	return out;
}

/* One load of the read or scan under way, and what follows it. */
static struct reader_reply load_step(struct reader *r)
{
	bool scan = r->op == ST_SCAN;
	int pc = r->pc, index = r->at;
	__u64 x;

	r->last_index = index;
	switch (pc) {
	case LD_SIZE:
		if ((__u64)index >= *map.published_size)
			return done(r, took(OC_NOT_VISIBLE, r->target, index));
		break;
	case LD_SEQ_BEGIN:
		if (load_field(index, offsetof(struct lsmc_slot, seq), &x))
			return done(r, took(OC_FAULT, r->target, index));
		if (x & 1)
			return retry(r);
		r->seq1 = x;
		r->mismatch = false;
		break;
	case LD_UID:
		if (load_field(index, offsetof(struct lsmc_slot, ident), &x))
			return done(r, took(OC_FAULT, r->target, index));
		if (scan) {
			int owner = owner_of_ident(x);

			r->mismatch = x == 0;
			if (owner)
				r->target = owner;
		} else if ((long long)x != r->cache_ident) {
			r->mismatch = true;
		}
		break;
	case LD_GEN:
		if (load_field(index, offsetof(struct lsmc_slot, gen), &x))
			return done(r, took(OC_FAULT, r->target, index));
		if (!scan && (long long)x != r->cache_gen)
			r->mismatch = true;
		break;
	case LD_WORD1:
		if (load_field(index, offsetof(struct lsmc_slot, word1), &r->w1))
			return done(r, took(OC_FAULT, r->target, index));
		break;
	case LD_WORD2:
		if (load_field(index, offsetof(struct lsmc_slot, word2), &r->w2))
			return done(r, took(OC_FAULT, r->target, index));
		break;
	case LD_SEQ_END:
		if (load_field(index, offsetof(struct lsmc_slot, seq), &x))
			return done(r, took(OC_FAULT, r->target, index));
		if ((x & 1) || x != r->seq1)
			return retry(r);
		break;
	default:
		return (struct reader_reply){ .result = R_REFUSED, .why = "no load under way" };
	}
	r->pc = next_load(r, pc);
	if (r->pc != LD_IDLE)
		return took(OC_NONE, 0, -1);
	if (r->mismatch)
		return done(r, took(OC_GONE, r->target, index));
	struct reader_reply out = took(OC_VALUE, r->target, -1);
	out.word1 = r->w1;
	out.word2 = r->w2;
	return done(r, out);
}

static struct reader_reply lookup(struct reader *r)
{
	struct lsmc_lookup_args a = { .owner = r->owner, .answer = r->answer };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = &a, .ctx_size_in = sizeof(a));

	if (bpf_prog_test_run_opts(map.lookup_fd, &opts))
		return (struct reader_reply){ .result = R_REFUSED, .why = "the lookup program failed to run" };
	if (a.result == R_BLOCKED)
		return (struct reader_reply){ .result = R_BLOCKED, .why = "the owner's record is locked" };
	if (a.result != R_TOOK)
		return (struct reader_reply){ .result = R_REFUSED, .why = "the kernel cannot answer that lookup here", .disabled = true };
	if (a.outcome != OC_INDEX) {
		r->has_cache = false;
		return took(OC_GONE, a.uid, -1);
	}
	r->has_cache = true;
	r->cache_uid = a.uid;
	r->cache_index = a.index;
	r->cache_ident = a.ident;
	r->cache_gen = a.gen;
	return took(OC_INDEX, a.uid, a.index);
}

static struct reader_reply start(struct reader *r)
{
	if (r->op)
		return (struct reader_reply){ .result = R_REFUSED, .why = "the reader is in another operation" };
	switch (r->code) {
	case ST_LOOKUP:
		return lookup(r);
	case ST_READ:
		if (!r->has_cache)
			return (struct reader_reply){ .result = R_REFUSED, .why = "the reader has no cached index to read", .disabled = true };
		r->op = ST_READ;
		r->at = r->cache_index;
		r->target = r->cache_uid;
		break;
	case ST_SCAN:
		if (v.published_size && (__u64)r->index >= *map.published_size)
			return (struct reader_reply){ .result = R_REFUSED, .why = "the index is beyond the published size", .disabled = true };
		r->op = ST_SCAN;
		r->at = r->index;
		r->target = 0;
		break;
	default:
		return (struct reader_reply){ .result = R_REFUSED, .why = "not a reader's step" };
	}
	r->retries = 0;
	r->mismatch = false;
	r->pc = first_load(r);
	return load_step(r);
}

static struct reader_reply serve(struct reader *r)
{
	if (r->kind == 0)
		return start(r);
	if (!r->op)
		return (struct reader_reply){ .result = R_REFUSED, .why = "the reader has no read or scan under way" };
	if (r->code != r->pc || r->of_scan != (r->op == ST_SCAN))
		return (struct reader_reply){ .result = R_REFUSED, .why = "that is not the reader's next load" };
	return load_step(r);
}

static void *reader_main(void *arg)
{
	struct reader *r = arg;
	unsigned int seen = 0;
	sigset_t all;

	/* Only the main thread takes SIGINT and SIGTERM. */
	sigfillset(&all);
	sigdelset(&all, SIGSEGV);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	for (;;) {
		seen = wait_for_change(&r->asked, seen);
		if (r->quit)
			break;
		r->reply = serve(r);
		__atomic_store_n(&r->answered, seen, __ATOMIC_RELEASE);
		futex_wake(&r->answered);
	}
	return NULL;
}

int readers_start(int n, const struct variant *variant, const struct mapping *m)
{
	struct sigaction sa;

	v = *variant;
	map = *m;
	if (nreaders == n)
		return 0;
	readers_stop();
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, NULL))
		return -errno;
	for (int i = 0; i < n && i < MAX_READERS; i++) {
		struct reader *r = &readers[i];

		int e;

		memset(r, 0, sizeof(*r));
		r->id = i;
		e = pthread_create(&r->thread, NULL, reader_main, r);
		if (e)
			return -e;
		nreaders = i + 1;
	}
	return 0;
}

void readers_stop(void)
{
	for (int i = 0; i < nreaders; i++) {
		struct reader *r = &readers[i];

		r->quit = true;
		__atomic_add_fetch(&r->asked, 1, __ATOMIC_RELEASE);
		futex_wake(&r->asked);
		pthread_join(r->thread, NULL);
	}
	nreaders = 0;
}

void readers_reset(void)
{
	for (int i = 0; i < nreaders; i++) {
		struct reader *r = &readers[i];

		r->has_cache = false;
		r->op = 0;
		r->pc = LD_IDLE;
		r->retries = 0;
		r->last_index = -1;
	}
}

struct reader_reply reader_step(int i, int kind, int code, int of_scan, int owner, int answer, int index)
{
	struct reader *r;
	struct reader_reply out;
	unsigned int n;

	if (i < 0 || i >= nreaders)
		return (struct reader_reply){ .result = R_REFUSED, .why = "no such reader" };
	r = &readers[i];
	r->kind = kind;
	r->code = code;
	r->of_scan = of_scan;
	r->owner = owner;
	r->answer = answer;
	r->index = index;
	n = __atomic_add_fetch(&r->asked, 1, __ATOMIC_RELEASE);
	futex_wake(&r->asked);
	while (wait_for_change(&r->answered, n - 1) != n)
		;
	out = r->reply;
	return out;
}

bool reader_busy(int i)
{
	return i >= 0 && i < nreaders && readers[i].op != 0;
}

int reader_next_load(int i)
{
	return i >= 0 && i < nreaders ? readers[i].pc : LD_IDLE;
}

struct reader_view reader_view(int i)
{
	const struct reader *r = &readers[i];

	/* The reader sleeps between requests: its fields are the main thread's to read. */
	return (struct reader_view){ .has_cache = r->has_cache, .cache_uid = r->cache_uid, .cache_index = r->cache_index,
				    .cache_ident = r->cache_ident, .cache_gen = r->cache_gen, .retries = r->retries,
				    .last_index = r->last_index };
}
