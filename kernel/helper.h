/* SPDX-License-Identifier: GPL-2.0 */
/* The helper's parts: requests and replies (json.c), owners (owners.c), readers (readers.c). */
#ifndef LSMC_HELPER_H
#define LSMC_HELPER_H

#include <stdbool.h>
#include <stddef.h>
#include <signal.h>
#include <linux/types.h>
#include "lsmc.h"

/* ---- json.c: one flat request object per line; replies built in a buffer ---- */
#define REQ_FIELDS 40
struct request {
	int n;
	char key[REQ_FIELDS][24];
	char str[REQ_FIELDS][1024];
	long long num[REQ_FIELDS];
	bool is_str[REQ_FIELDS];
};

int parse_request(const char *line, struct request *req);
long long req_num(const struct request *req, const char *key, long long fallback);
const char *req_str(const struct request *req, const char *key);

struct out {
	char *buf;
	size_t len, cap;
};
void out_reset(struct out *o);
void out_printf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void out_str(struct out *o, const char *s); /* a JSON string, escaped */

/* ---- the variant the helper runs (the same as the BPF object's .rodata) ---- */
struct variant {
	int task, by_uid, policy, checks_seq, checks_uid, checks_gen, published_size, zero_page_growth;
	int publish_after_page, link_after_init, reuse_after_grace, reclaim, zero_on_recycle;
	int create_guard, create_locked, single_writer, retry_bound, pid_numbers;
	int spp, max_pages, owners, kernels, readers;
};

/* ---- owners.c: tasks in a private pid namespace, cgroups under the cgroup v2 mount ---- */
int nursery_start(void);              /* before any thread; returns the nursery's pid or -1 */
int nursery_spawn(int pid);           /* forks an owner at vpid pid; 0 or -errno */
int nursery_exit(int pid);
int nursery_reap(int pid);
int nursery_kill_all(void);
void nursery_stop(void);
int cgroups_start(char *err, size_t n);
int cgroup_make(int owner, unsigned long long *id);
int cgroup_remove(int owner);
void cgroups_remove_all(void);
void cgroups_stop(void);

/* ---- readers.c: reader threads doing real loads through the read-only mapping ---- */
struct reader_reply {
	int result;   /* enum lsmc_result */
	const char *why;
	bool disabled; /* refused because the spec's precondition fails (a probe: it waits) */
	int outcome;  /* enum lsmc_outcome */
	int uid;      /* the owner the observation is about (uid), 0 none */
	int index;
	unsigned long long word1, word2;
};

struct reader_view {
	int has_cache, cache_uid, cache_index;
	long long cache_ident, cache_gen;
	int retries;
	int last_index;
};

struct mapping {
	volatile const unsigned char *slots; /* the reservation readers load from */
	volatile const __u64 *published_size;
	const struct lsmc_state *state;      /* the kernel's records, for /proc-like questions */
	int lookup_fd;                       /* the lookup syscall (a BPF program) */
};

int readers_start(int n, const struct variant *v, const struct mapping *m);
void readers_stop(void);
void readers_reset(void);
/* code: a start step (kind 0) or a load (kind 2); probe: the reader's next load, whatever it is */
struct reader_reply reader_step(int r, int kind, int code, int of_scan, int owner, int answer, int index);
struct reader_view reader_view(int r);
bool reader_busy(int r);
int reader_next_load(int r);

extern volatile sig_atomic_t stop_requested;

/* ---- driver.c: the prototype in a variant, one trace step at a time ---- */
struct result {
	int result;        /* enum lsmc_result */
	const char *why;
	bool disabled;     /* refused because the spec's precondition fails (a probe: it waits) */
	int outcome, uid, index;
	unsigned long long w1, w2;
	int ev_index;      /* the slot a reader's read or scan loaded from */
};

struct drv_request {
	char actor;        /* 'o' owner, 'k' kernel context, 'r' reader, 'g' grace period */
	int n;             /* which one, from 0 */
	int kind;          /* 0 a start step (enum lsmc_start), 1 a kernel step (enum lsmc_kpc), 2 a reader's load (enum lsmc_load) */
	int code;          /* -1 with probe: the actor's next step */
	int on_free, half; /* a kernel step on an owner's free path / the load half of a plain seq bump; a load: 1 of a scan */
	int owner, value, answer, index;
	bool probe;
};

int drv_start(char *err, size_t n);
int drv_configure(const struct variant *v, char *err, size_t n);
struct result drv_step(const struct drv_request *q);
void drv_stop(void);
const char *why_text(int why);
int run(int fd, void *ctx, size_t size);

struct lsmc_bpf;
extern struct lsmc_bpf *skel;
extern struct variant cur;
extern bool loaded;
extern struct lsmc_state *kstate;
extern volatile __u64 *kheader;
extern unsigned char *kpages;
extern int view[MAX_PAGES];
extern int pid_cursor;
extern double free_wait_ms;
extern long free_waits;
extern long free_hooks_lost;
extern long variant_loads;

#endif
