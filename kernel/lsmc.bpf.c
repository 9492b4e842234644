// SPDX-License-Identifier: GPL-2.0
/*
 * The design's kernel side, prototyped from pieces the kernel has today: the slot allocator and
 * the owner records live in an mmapable ARRAY, slots in pages of another mmapable ARRAY that user
 * space maps read-only page by page, the published size in a header page, and an owner's index in
 * its real task (or cgroup) local storage. Each atomic step of the spec is one run of the `step`
 * syscall program: a kernel context's registers stay in the state map between runs. Owners are
 * real tasks and cgroups; the real fork and free hooks run the spawn and the free step.
 *
 * The step functions mirror src/reference/kernel.ts and src/reference/allocator.ts, one function
 * per step, so that a step name in a trace names the code it drives.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "lsmc.h"

char LICENSE[] SEC("license") = "GPL";

extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern struct cgroup *bpf_cgroup_from_id(u64 cgid) __ksym;
extern struct cgroup *bpf_cgroup_acquire(struct cgroup *cgrp) __ksym;
extern void bpf_cgroup_release(struct cgroup *cgrp) __ksym;

/* The knobs and bounds, fixed at load time: one object for every variant. */
const volatile __s32 cfg_task = 1;
const volatile __s32 cfg_by_uid = 1;
const volatile __s32 cfg_policy;            /* 0 lowest, 1 cyclic, 2 lifo */
const volatile __s32 cfg_published_size = 1;
const volatile __s32 cfg_zero_page_growth;
const volatile __s32 cfg_publish_after_page = 1;
const volatile __s32 cfg_link_after_init = 1;
const volatile __s32 cfg_reuse_after_grace = 1;
const volatile __s32 cfg_reclaim;           /* 0 never, 1 zero-page, 2 unmap */
const volatile __s32 cfg_zero_on_recycle = 1;
const volatile __s32 cfg_create_guard = 1;
const volatile __s32 cfg_create_locked = 1;
const volatile __s32 cfg_single_writer = 1;
const volatile __s32 cfg_spp = 1;
const volatile __s32 cfg_max_pages = 1;
const volatile __s32 cfg_owners = 1;
const volatile __s32 cfg_kernels = 1;

/* The soak: hooks drive whole operations on real churn, spinning this many turns between steps. */
const volatile __s32 cfg_soak;
const volatile __s32 cfg_soak_spin;
/* The soak: one update in this many stops after a step for cfg_soak_stall_ms and then goes on, as
 * a preempted program would: it holds its element meanwhile (0: never). */
const volatile __s32 cfg_soak_stall;
const volatile __s32 cfg_soak_stall_ms = 30;

/* Set by the helper: the nursery's tgid (whose forks are spawns) and the owner its next fork is. */
__s32 nursery_tgid;
__s32 spawning = -1;

struct page_bytes {
	__u64 w[LSMC_PAGE / 8];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lsmc_state);
} state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, MAX_PAGES);
	__type(key, __u32);
	__type(value, struct page_bytes);
} pages SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct page_bytes);
} header SEC(".maps");

/* The references that keep each owner (and its storage) from being freed before the trace's free,
 * and the one each kernel context's create holds from its guard to its link. */
struct owner_ref {
	struct task_struct __kptr *task;
	struct cgroup __kptr *cgrp;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_OWNERS + MAX_KERNELS);
	__type(key, __u32);
	__type(value, struct owner_ref);
} refs SEC(".maps");

/* The owner -> index link: an element of the owner's real local storage. */
struct link {
	__s32 index1;
	__s32 owner;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct link);
} task_links SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CGRP_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct link);
} cgrp_links SEC(".maps");

/*
 * An array index the verifier can see is in range: the compiler drops a plain mask after a bounds
 * check it has already made, and the verifier, which tracks 32 and 64 bits apart, then refuses the
 * access. (N is a power of two.)
 */
#define BOUND(x, n) ({ __u64 __v = (__u64)(x); asm volatile("%[v] &= %[m]" : [v] "+r"(__v) : [m] "i"((n) - 1)); __v; })

#define PF_EXITING 0x00000004
#define CSS_ONLINE (1 << 1)

static __always_inline struct lsmc_state *st(void)
{
	__u32 z = 0;

	return bpf_map_lookup_elem(&state, &z);
}

static __always_inline bool try_lock(__s32 *w)
{
	return __sync_val_compare_and_swap(w, 0, 1) == 0;
}

static __always_inline void unlock(__s32 *w)
{
	__sync_fetch_and_and(w, 0);
}

static __always_inline bool owner_ok(int o)
{
	return o >= 0 && o < cfg_owners && o < MAX_OWNERS;
}

static __always_inline bool index_ok(int index)
{
	return index >= 0 && index < cfg_spp * cfg_max_pages && index < MAX_SLOTS;
}

static struct lsmc_slot *slot_at(int index)
{
	__u32 page, off;
	void *p;

	if (!index_ok(index) || cfg_spp <= 0)
		return NULL;
	page = (__u32)index / (__u32)cfg_spp;
	p = bpf_map_lookup_elem(&pages, &page);
	if (!p)
		return NULL;
	off = ((__u32)index % (__u32)cfg_spp) * SLOT_STRIDE((__u32)cfg_spp);
	if (off > LSMC_PAGE - sizeof(struct lsmc_slot))
		return NULL;
	/* Atomics need an aligned slot, and the verifier must see that it is. */
	return p + (BOUND(off >> 3, LSMC_PAGE / 8) << 3);
}

static __always_inline __u64 *published(void)
{
	__u32 z = 0;

	return bpf_map_lookup_elem(&header, &z);
}

/* ---- an owner's real object and its link ---- */

/* Takes the owner's reference out of its map slot; owner_put puts it back. */
static struct task_struct *task_get(__u32 slot)
{
	struct owner_ref *r = bpf_map_lookup_elem(&refs, &slot);

	return r ? bpf_kptr_xchg(&r->task, NULL) : NULL;
}

static void task_put(__u32 slot, struct task_struct *t)
{
	struct owner_ref *r = bpf_map_lookup_elem(&refs, &slot);

	if (!r) {
		bpf_task_release(t);
		return;
	}
	t = bpf_kptr_xchg(&r->task, t);
	if (t)
		bpf_task_release(t);
}

static struct cgroup *cgrp_get(__u32 slot)
{
	struct owner_ref *r = bpf_map_lookup_elem(&refs, &slot);

	return r ? bpf_kptr_xchg(&r->cgrp, NULL) : NULL;
}

static void cgrp_put(__u32 slot, struct cgroup *c)
{
	struct owner_ref *r = bpf_map_lookup_elem(&refs, &slot);

	if (!r) {
		bpf_cgroup_release(c);
		return;
	}
	c = bpf_kptr_xchg(&r->cgrp, c);
	if (c)
		bpf_cgroup_release(c);
}

/*
 * LINK_RESERVE creates the owner's storage element (unlinked: index1 0) at create's guard, while
 * the owner is surely alive: the kernel refuses to create cgroup storage once the cgroup is
 * dying, yet the design lets a create that passed its guard link after an rmdir.
 */
enum link_op { LINK_READ, LINK_RESERVE, LINK_SET, LINK_DELETE };

/*
 * Reads, sets or deletes owner o's link in its real local storage: index + 1, or 0 when it has no
 * element (or no object any more: freed). -1 when a set could not create the element.
 */
static int link_at(int o, enum link_op op, int index1)
{
	struct lsmc_state *s = st();
	struct link *l;
	int out = 0;

	if (!owner_ok(o) || !s)
		return 0;
	if (cfg_task) {
		struct task_struct *t = task_get(o);

		if (!t)
			return op == LINK_SET || op == LINK_RESERVE ? -1 : 0;
		if (op == LINK_DELETE) {
			bpf_task_storage_delete(&task_links, t);
			s->o[BOUND(o, MAX_OWNERS)].link = 0;
		} else {
			l = bpf_task_storage_get(&task_links, t, 0, op == LINK_RESERVE ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
			if (l && op == LINK_SET) {
				l->index1 = index1;
				l->owner = o;
				s->o[BOUND(o, MAX_OWNERS)].link = index1;
			}
			out = l ? l->index1 : (op == LINK_SET || op == LINK_RESERVE ? -1 : 0);
		}
		task_put(o, t);
	} else {
		struct cgroup *c = cgrp_get(o);

		if (!c)
			return op == LINK_SET || op == LINK_RESERVE ? -1 : 0;
		if (op == LINK_DELETE) {
			bpf_cgrp_storage_delete(&cgrp_links, c);
			s->o[BOUND(o, MAX_OWNERS)].link = 0;
		} else {
			l = bpf_cgrp_storage_get(&cgrp_links, c, 0, op == LINK_RESERVE ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
			if (l && op == LINK_SET) {
				l->index1 = index1;
				l->owner = o;
				s->o[BOUND(o, MAX_OWNERS)].link = index1;
			}
			out = l ? l->index1 : (op == LINK_SET || op == LINK_RESERVE ? -1 : 0);
		}
		cgrp_put(o, c);
	}
	return out;
}

/* Whether the real owner is dying or gone: what createGuard=yes refuses. */
static bool owner_dying(int o)
{
	bool dying = true;

	if (cfg_task) {
		struct task_struct *t = task_get(o);

		if (!t)
			return true;
		dying = BPF_CORE_READ(t, exit_state) != 0 || (BPF_CORE_READ(t, flags) & PF_EXITING);
		task_put(o, t);
	} else {
		struct cgroup *c = cgrp_get(o);

		if (!c)
			return true;
		dying = !(BPF_CORE_READ(c, self.flags) & CSS_ONLINE);
		cgrp_put(o, c);
	}
	return dying;
}

/* Create's own reference on the owner, held from its guard check to its link (precision 6). */
static bool hold_for_create(int k, int o)
{
	__u32 slot = MAX_OWNERS + k;

	if (cfg_task) {
		struct task_struct *t = task_get(o), *mine;

		if (!t)
			return false;
		mine = bpf_task_acquire(t);
		task_put(o, t);
		if (!mine)
			return false;
		task_put(slot, mine);
	} else {
		struct cgroup *c = cgrp_get(o), *mine;

		if (!c)
			return false;
		mine = bpf_cgroup_acquire(c);
		cgrp_put(o, c);
		if (!mine)
			return false;
		cgrp_put(slot, mine);
	}
	return true;
}

static void drop_create_hold(int k)
{
	__u32 slot = MAX_OWNERS + k;

	if (cfg_task) {
		struct task_struct *t = task_get(slot);

		if (t)
			bpf_task_release(t);
	} else {
		struct cgroup *c = cgrp_get(slot);

		if (c)
			bpf_cgroup_release(c);
	}
}

/* ---- the allocator (under the allocator lock) ---- */

static __always_inline int page_of(int index)
{
	return cfg_spp > 0 && index >= 0 ? (__u32)index / (__u32)cfg_spp : 0;
}

static bool is_free(struct lsmc_state *s, int i)
{
	return i >= 0 && i < MAX_SLOTS && s->slot_alloc[BOUND(i, MAX_SLOTS)] == SLOT_FREE;
}

static int choose_index(struct lsmc_state *s)
{
	int n = cfg_spp * cfg_max_pages, i, d, top;

	if (cfg_policy == 0) {
		for (i = 0; i < MAX_SLOTS && i < n; i++)
			if (is_free(s, i))
				return i;
		return -1;
	}
	if (cfg_policy == 1) {
		int start = s->alloc_cursor;

		for (d = 0; d < MAX_SLOTS && d < n; d++) {
			i = (__u32)(start + d) % (__u32)n;
			if (!is_free(s, i))
				continue;
			s->alloc_cursor = (__u32)(i + 1) % (__u32)n;
			return i;
		}
		return -1;
	}
	top = s->free_top;
	if (top > 0 && top <= MAX_SLOTS) {
		s->free_top = top - 1;
		return s->free_stack[BOUND((top - 1), MAX_SLOTS)];
	}
	if (s->high_water >= n)
		return -1;
	return BOUND(s->high_water++, MAX_SLOTS);
}

static int take_index(struct lsmc_state *s, int o)
{
	int i = choose_index(s);

	if (i < 0 || i >= MAX_SLOTS)
		return -1;
	s->slot_alloc[BOUND(i, MAX_SLOTS)] = o + 1;
	s->slot_epoch[BOUND(i, MAX_SLOTS)]++;
	return i;
}

/* A page whose user view the helper must change before the step's reply. */
struct remap {
	int page;
	int view;
};

static void release_index(struct lsmc_state *s, int index, struct remap *rm)
{
	int page, i, spp = cfg_spp;

	if (index < 0 || index >= MAX_SLOTS)
		return;
	s->slot_alloc[BOUND(index, MAX_SLOTS)] = SLOT_FREE;
	if (cfg_policy == 2) {
		int top = s->free_top;

		if (top >= 0 && top < MAX_SLOTS) {
			s->free_stack[BOUND(top, MAX_SLOTS)] = index;
			s->free_top = top + 1;
		}
	}
	if (cfg_reclaim == 0)
		return;
	page = page_of(index);
	for (i = 0; i < MAX_SLOTS && i < spp; i++)
		if (!is_free(s, page * spp + i))
			return;
	if (page < 0 || page >= MAX_PAGES)
		return;
	s->page_kernel[BOUND(page, MAX_PAGES)] = 0;
	s->page_view[BOUND(page, MAX_PAGES)] = cfg_reclaim == 1 ? VW_ZERO_PAGE : VW_UNMAPPED;
	rm->page = page;
	rm->view = s->page_view[BOUND(page, MAX_PAGES)];
}

/* Zeroes a page 16 words a turn under bpf_loop: the verifier checks the callback once, not every turn. */
struct zero_ctx {
	__u64 *w;
};

static long zero_turn(__u64 i, void *data)
{
	struct zero_ctx *z = data;
	__u64 *w = z->w + BOUND(i, LSMC_PAGE / 8 / 16) * 16;
	int j;

	for (j = 0; j < 16; j++)
		((volatile __u64 *)w)[j] = 0;
	return 0;
}

static __always_inline void zero_page(struct page_bytes *p)
{
	struct zero_ctx z = { .w = p->w };

	bpf_loop(LSMC_PAGE / 8 / 16, zero_turn, &z, 0);
}

/* Makes the page of `index` present and zeroed (the mapping is the helper's: see create.map). */
static void ensure_page(struct lsmc_state *s, int index)
{
	__u32 page = page_of(index);
	struct page_bytes *p;

	if (page >= MAX_PAGES || s->page_kernel[BOUND(page, MAX_PAGES)])
		return;
	p = bpf_map_lookup_elem(&pages, &page);
	if (!p)
		return;
	zero_page(p);
	s->page_kernel[BOUND(page, MAX_PAGES)] = 1;
}

/* ---- one step ---- */

struct ctx {
	struct lsmc_state *s;
	struct lsmc_step_args *a;
	struct remap rm;
};

static __always_inline int took(struct lsmc_step_args *a, int outcome, int index)
{
	a->result = R_TOOK;
	a->outcome = outcome;
	a->out_index = index;
	return 0;
}

static __always_inline int refused(struct lsmc_step_args *a, int why)
{
	a->result = R_REFUSED;
	a->why = why;
	return 0;
}

static __always_inline int inexpressible(struct lsmc_step_args *a, int why)
{
	a->result = R_INEXPRESSIBLE;
	a->why = why;
	return 0;
}

static __always_inline int blocked(struct lsmc_step_args *a)
{
	a->result = R_BLOCKED;
	return 0;
}

static __always_inline __s32 *element_lock(struct lsmc_state *s, struct lsmc_kctx *kc)
{
	int i = kc->index * EPOCH_WAYS + (kc->epoch & (EPOCH_WAYS - 1));

	if (i < 0 || i >= MAX_SLOTS * EPOCH_WAYS)
		return NULL;
	return &s->element_lock[BOUND(i, MAX_SLOTS * EPOCH_WAYS)];
}

/* What a slot records and lookups are keyed by: the never-reused uid, or the pid number. */
static __always_inline __u64 ident_of(struct lsmc_owner *ow)
{
	return cfg_by_uid ? ow->uid : ow->pid;
}

static __always_inline struct lsmc_owner *owner_rec(struct lsmc_state *s, int o)
{
	return owner_ok(o) ? &s->o[BOUND(o, MAX_OWNERS)] : NULL;
}

/* The growth step create takes next, from `stage` (map and publish in the knob's order), else what follows them. */
static int growth_next(struct lsmc_state *s, struct lsmc_kctx *kc)
{
	int page = page_of(kc->index), stage;
	__u64 *size = published();
	__u64 need = (page + 1) * cfg_spp;

	if (page < 0 || page >= MAX_PAGES || !size)
		return KPC_IDLE;
	/* From memory the verifier sees any stage: start the loop from a known one. */
	for (stage = kc->stage > 0 ? 1 : 0; stage < 2; stage++) {
		if (stage < kc->stage)
			continue;
		bool map = (stage == 0) == (bool)cfg_publish_after_page;

		if (map && s->page_view[BOUND(page, MAX_PAGES)] != VW_MAPPED) {
			kc->stage = stage + 1;
			return KPC_CREATE_MAP;
		}
		if (!map && cfg_published_size && *size < need) {
			kc->stage = stage + 1;
			return KPC_CREATE_PUBLISH;
		}
	}
	kc->stage = 2;
	return cfg_link_after_init ? KPC_CREATE_SEQ_BEGIN : KPC_CREATE_LINK_EARLY;
}

/* Links owner o -> index and drops create's reference (create.link, create.link-early). */
static int do_link(struct ctx *c, struct lsmc_kctx *kc, int k)
{
	struct lsmc_owner *ow = owner_rec(c->s, kc->owner);

	if (!ow)
		return -1;
	if (!try_lock(&ow->lock))
		return 1;
	if (link_at(kc->owner, LINK_SET, kc->index + 1) < 0) {
		unlock(&ow->lock);
		return -1;
	}
	ow->refs--;
	if (cfg_create_locked)
		ow->creating = 0;
	unlock(&ow->lock);
	drop_create_hold(k);
	return 0;
}

/* The end of a kernel context's operation: nothing held any more. */
static __always_inline void finish(struct lsmc_kctx *kc)
{
	kc->pc = KPC_IDLE;
	kc->op = KOP_NONE;
	kc->held = 0;
	kc->half = 0;
	kc->stage = 0;
}

/*
 * A bump of seq at the start or end of a window. Under writers=single it is one step that takes (or
 * at the end releases) the element's writer lock; under plain-seq a plain load and, a step later,
 * a plain store. Returns 1 when the step happened and the window's next step follows, 0 when only
 * the load half happened, -1 when it must wait.
 */
static int seq_bump(struct ctx *c, struct lsmc_kctx *kc, struct lsmc_slot *sl, bool begin)
{
	__s32 *lock = element_lock(c->s, kc);

	if (!lock)
		return -1;
	if (cfg_single_writer) {
		if (begin && !try_lock(lock))
			return -1;
		__sync_fetch_and_add(&sl->seq, 1);
		if (!begin)
			unlock(lock);
		return 1;
	}
	if (!kc->half) {
		kc->loaded = *(volatile __u64 *)&sl->seq;
		kc->half = 1;
		return 0;
	}
	*(volatile __u64 *)&sl->seq = kc->loaded + 1;
	kc->half = 0;
	return 1;
}

/* The destroy steps, from a delete (a kernel context) or an owner's free path. */
static int destroy_step(struct ctx *c, struct lsmc_kctx *kc)
{
	struct lsmc_step_args *a = c->a;
	struct lsmc_slot *sl = slot_at(kc->index);
	int r, index = kc->index;

	if (!sl)
		return refused(a, WHY_BAD);
	switch (kc->pc) {
	case KPC_DESTROY_SEQ_BEGIN:
		r = seq_bump(c, kc, sl, true);
		if (r < 0)
			return blocked(a);
		if (r > 0)
			kc->pc = KPC_DESTROY_UID;
		return took(a, OC_NONE, -1);
	case KPC_DESTROY_UID:
		sl->ident = 0;
		kc->pc = KPC_DESTROY_GEN;
		return took(a, OC_NONE, -1);
	case KPC_DESTROY_GEN:
		__sync_fetch_and_add(&sl->gen, 1);
		kc->pc = cfg_zero_on_recycle ? KPC_DESTROY_ZERO_WORD1 : KPC_DESTROY_SEQ_END;
		return took(a, OC_NONE, -1);
	case KPC_DESTROY_ZERO_WORD1:
		sl->word1 = 0;
		kc->pc = KPC_DESTROY_ZERO_WORD2;
		return took(a, OC_NONE, -1);
	case KPC_DESTROY_ZERO_WORD2:
		sl->word2 = 0;
		kc->pc = KPC_DESTROY_SEQ_END;
		return took(a, OC_NONE, -1);
	case KPC_DESTROY_SEQ_END:
		r = seq_bump(c, kc, sl, false);
		if (r <= 0)
			return took(a, OC_NONE, -1);
		if (cfg_reuse_after_grace) {
			if (index >= 0 && index < MAX_SLOTS)
				c->s->slot_alloc[BOUND(index, MAX_SLOTS)] = SLOT_PENDING;
			finish(kc);
			return took(a, OC_DELETED, index);
		}
		kc->pc = KPC_DESTROY_RETIRE;
		return took(a, OC_NONE, -1);
	case KPC_DESTROY_RETIRE:
		if (!try_lock(&c->s->alloc_lock))
			return blocked(a);
		release_index(c->s, index, &c->rm);
		unlock(&c->s->alloc_lock);
		finish(kc);
		return took(a, OC_DELETED, index);
	}
	return refused(a, WHY_NOT_NEXT);
}

static int create_step(struct ctx *c, struct lsmc_kctx *kc, int k)
{
	struct lsmc_step_args *a = c->a;
	struct lsmc_state *s = c->s;
	struct lsmc_owner *ow = owner_rec(s, kc->owner);
	struct lsmc_slot *sl;
	__u64 *size;
	int index, page, r;

	if (!ow)
		return refused(a, WHY_BAD);
	if (kc->pc == KPC_CREATE_ALLOC) {
		if (!try_lock(&ow->lock))
			return blocked(a);
		if (!try_lock(&s->alloc_lock)) {
			unlock(&ow->lock);
			return blocked(a);
		}
		index = take_index(s, kc->owner);
		if (index < 0) {
			unlock(&s->alloc_lock);
			ow->refs--;
			if (cfg_create_locked)
				ow->creating = 0;
			unlock(&ow->lock);
			drop_create_hold(k);
			finish(kc);
			return took(a, OC_NOMEM, -1);
		}
		unlock(&ow->lock);
		kc->index = index;
		kc->held = index + 1;
		kc->epoch = s->slot_epoch[BOUND(index, MAX_SLOTS)];
		ensure_page(s, index);
		kc->stage = 0;
		kc->pc = growth_next(s, kc);
		return took(a, OC_NONE, -1);
	}
	page = page_of(kc->index);
	if (page < 0 || page >= MAX_PAGES)
		return refused(a, WHY_BAD);
	switch (kc->pc) {
	case KPC_CREATE_MAP:
		s->page_view[BOUND(page, MAX_PAGES)] = VW_MAPPED;
		c->rm.page = page;
		c->rm.view = VW_MAPPED;
		kc->pc = growth_next(s, kc);
		return took(a, OC_NONE, -1);
	case KPC_CREATE_PUBLISH:
		size = published();
		if (!size)
			return refused(a, WHY_BAD);
		__sync_lock_test_and_set(size, (__u64)(page + 1) * cfg_spp);
		kc->pc = growth_next(s, kc);
		return took(a, OC_NONE, -1);
	case KPC_CREATE_LINK_EARLY:
		r = do_link(c, kc, k);
		if (r > 0)
			return blocked(a);
		if (r < 0)
			return inexpressible(a, WHY_NO_STORAGE);
		kc->pc = KPC_CREATE_SEQ_BEGIN;
		return took(a, OC_NONE, -1);
	case KPC_CREATE_LINK:
		r = do_link(c, kc, k);
		if (r > 0)
			return blocked(a);
		if (r < 0)
			return inexpressible(a, WHY_NO_STORAGE);
		index = kc->index;
		finish(kc);
		return took(a, OC_CREATED, index);
	}
	sl = slot_at(kc->index);
	if (!sl)
		return refused(a, WHY_BAD);
	switch (kc->pc) {
	case KPC_CREATE_SEQ_BEGIN:
		r = seq_bump(c, kc, sl, true);
		if (r < 0)
			return blocked(a);
		if (r > 0)
			kc->pc = KPC_CREATE_UID;
		return took(a, OC_NONE, -1);
	case KPC_CREATE_UID:
		sl->ident = ident_of(ow);
		kc->pc = KPC_CREATE_GEN;
		return took(a, OC_NONE, -1);
	case KPC_CREATE_GEN:
		__sync_fetch_and_add(&sl->gen, 1);
		kc->pc = cfg_zero_on_recycle ? KPC_CREATE_ZERO_WORD1 : KPC_CREATE_SEQ_END;
		return took(a, OC_NONE, -1);
	case KPC_CREATE_ZERO_WORD1:
		sl->word1 = 0;
		kc->pc = KPC_CREATE_ZERO_WORD2;
		return took(a, OC_NONE, -1);
	case KPC_CREATE_ZERO_WORD2:
		sl->word2 = 0;
		kc->pc = KPC_CREATE_SEQ_END;
		return took(a, OC_NONE, -1);
	case KPC_CREATE_SEQ_END:
		r = seq_bump(c, kc, sl, false);
		if (r <= 0)
			return took(a, OC_NONE, -1);
		unlock(&s->alloc_lock);
		if (cfg_link_after_init) {
			kc->pc = KPC_CREATE_LINK;
			return took(a, OC_NONE, -1);
		}
		index = kc->index;
		finish(kc);
		return took(a, OC_CREATED, index);
	}
	return refused(a, WHY_NOT_NEXT);
}

static int update_step(struct ctx *c, struct lsmc_kctx *kc)
{
	struct lsmc_step_args *a = c->a;
	struct lsmc_slot *sl = slot_at(kc->index);
	int r, index = kc->index;

	if (!sl)
		return refused(a, WHY_BAD);
	switch (kc->pc) {
	case KPC_UPDATE_SEQ_BEGIN:
		r = seq_bump(c, kc, sl, true);
		if (r < 0)
			return blocked(a);
		if (r > 0)
			kc->pc = KPC_UPDATE_WORD1;
		return took(a, OC_NONE, -1);
	case KPC_UPDATE_WORD1:
		sl->word1 = kc->word;
		kc->pc = KPC_UPDATE_WORD2;
		return took(a, OC_NONE, -1);
	case KPC_UPDATE_WORD2:
		sl->word2 = kc->word;
		kc->pc = KPC_UPDATE_SEQ_END;
		return took(a, OC_NONE, -1);
	case KPC_UPDATE_SEQ_END:
		r = seq_bump(c, kc, sl, false);
		if (r <= 0)
			return took(a, OC_NONE, -1);
		if (cfg_soak && owner_rec(c->s, kc->owner))
			owner_rec(c->s, kc->owner)->updating = 0;
		finish(kc);
		kc->rcu = RCU_IDLE;
		return took(a, OC_UPDATED, index);
	}
	return refused(a, WHY_NOT_NEXT);
}

static int kernel_step(struct ctx *c, struct lsmc_kctx *kc, int k)
{
	switch (kc->op) {
	case KOP_CREATE:
		return create_step(c, kc, k);
	case KOP_UPDATE:
		return update_step(c, kc);
	case KOP_DELETE:
	case KOP_FREE:
		return destroy_step(c, kc);
	}
	return refused(c->a, WHY_IDLE);
}

/* ---- the starts of a kernel context's operations ---- */

static int create_start(struct ctx *c, struct lsmc_kctx *kc, int k, int o)
{
	struct lsmc_step_args *a = c->a;
	struct lsmc_owner *ow = owner_rec(c->s, o);
	int link;

	if (!ow)
		return refused(a, WHY_BAD);
	if (ow->phase == PH_UNBORN)
		return refused(a, WHY_DISABLED);
	if (!try_lock(&ow->lock))
		return blocked(a);
	if (cfg_create_locked && ow->creating) {
		unlock(&ow->lock);
		return blocked(a);
	}
	if (cfg_create_guard && owner_dying(o)) {
		unlock(&ow->lock);
		return took(a, OC_REFUSED, -1);
	}
	link = link_at(o, LINK_READ, 0);
	if (link > 0) {
		unlock(&ow->lock);
		return took(a, OC_EXISTS, link - 1);
	}
	/* A create must hold the real owner: one freed already cannot be held (hazard 10's late program). */
	if (!hold_for_create(k, o)) {
		unlock(&ow->lock);
		return inexpressible(a, WHY_FREED);
	}
	if (link_at(o, LINK_RESERVE, 0) < 0) {
		unlock(&ow->lock);
		drop_create_hold(k);
		return inexpressible(a, WHY_NO_STORAGE);
	}
	ow->refs++;
	if (cfg_create_locked)
		ow->creating = 1;
	unlock(&ow->lock);
	kc->op = KOP_CREATE;
	kc->owner = o;
	kc->pc = KPC_CREATE_ALLOC;
	return took(a, OC_NONE, -1);
}

static int update_start(struct ctx *c, struct lsmc_kctx *kc, int o, int value)
{
	struct lsmc_step_args *a = c->a;
	struct lsmc_owner *ow = owner_rec(c->s, o);
	int link;

	if (!ow)
		return refused(a, WHY_BAD);
	if (ow->phase == PH_UNBORN)
		return refused(a, WHY_DISABLED);
	/* The read-side marker goes up before the index is looked up, so that a grace period in between keeps every pending index. */
	kc->rcu = RCU_LOOKING;
	link = link_at(o, LINK_READ, 0);
	if (link <= 0) {
		kc->rcu = RCU_IDLE;
		return took(a, OC_ENOENT, -1);
	}
	kc->index = link - 1;
	kc->rcu = link;
	kc->held = link;
	kc->epoch = c->s->slot_epoch[BOUND((link - 1), MAX_SLOTS)];
	kc->word = ((__s64)(ow->uid & 0x7fff) << 16) | (value & 0xffff);
	kc->owner = o;
	kc->op = KOP_UPDATE;
	kc->pc = KPC_UPDATE_SEQ_BEGIN;
	kc->half = 0;
	return took(a, OC_NONE, -1);
}

static int delete_start(struct ctx *c, struct lsmc_kctx *kc, int o)
{
	struct lsmc_step_args *a = c->a;
	struct lsmc_owner *ow = owner_rec(c->s, o);
	int link;

	if (!ow)
		return refused(a, WHY_BAD);
	if (ow->phase == PH_UNBORN)
		return refused(a, WHY_DISABLED);
	if (!try_lock(&ow->lock))
		return blocked(a);
	link = link_at(o, LINK_READ, 0);
	if (link > 0)
		link_at(o, LINK_DELETE, 0);
	unlock(&ow->lock);
	if (link <= 0)
		return took(a, OC_ENOENT, -1);
	kc->index = link - 1;
	kc->held = link;
	kc->epoch = c->s->slot_epoch[BOUND((link - 1), MAX_SLOTS)];
	kc->owner = o;
	kc->op = KOP_DELETE;
	kc->pc = KPC_DESTROY_SEQ_BEGIN;
	kc->half = 0;
	return took(a, OC_NONE, -1);
}

static bool held_by_update(struct lsmc_state *s, int index)
{
	int k;

	for (k = 0; k < MAX_KERNELS && k < cfg_kernels; k++) {
		int marker = s->k[k].rcu;

		if (marker == RCU_LOOKING || marker == index + 1)
			return true;
	}
	return false;
}

static int grace_period(struct ctx *c, int index)
{
	struct lsmc_state *s = c->s;

	if (!index_ok(index))
		return refused(c->a, WHY_BAD);
	if (!try_lock(&s->alloc_lock))
		return blocked(c->a);
	if (s->slot_alloc[BOUND(index, MAX_SLOTS)] != SLOT_PENDING || held_by_update(s, index)) {
		unlock(&s->alloc_lock);
		return refused(c->a, WHY_DISABLED);
	}
	release_index(s, index, &c->rm);
	unlock(&s->alloc_lock);
	return took(c->a, OC_NONE, -1);
}

/* ---- owner lifecycle steps the helper runs after the real event ---- */

static int lifecycle(struct ctx *c, int o, int code)
{
	struct lsmc_step_args *a = c->a;
	struct lsmc_owner *ow = owner_rec(c->s, o);
	int r = 0;

	if (!ow)
		return refused(a, WHY_BAD);
	if (!try_lock(&ow->lock))
		return blocked(a);
	switch (code) {
	case ST_MKDIR: {
		struct cgroup *cg;

		if (cfg_task || ow->phase != PH_UNBORN) {
			r = WHY_DISABLED;
			break;
		}
		cg = bpf_cgroup_from_id(a->cgid);
		if (!cg) {
			r = WHY_FREED;
			break;
		}
		ow->task = (__u64)cg;
		ow->cgid = a->cgid;
		cgrp_put(o, cg);
		ow->uid = __sync_fetch_and_add(&c->s->next_uid, 1) + 1;
		ow->phase = PH_ALIVE;
		break;
	}
	case ST_EXIT:
	case ST_RMDIR:
		if (ow->phase != PH_ALIVE)
			r = WHY_DISABLED;
		else
			ow->phase = PH_EXITED;
		break;
	case ST_REAP:
		if (!cfg_task || ow->phase != PH_EXITED) {
			r = WHY_DISABLED;
			break;
		}
		ow->phase = PH_REAPED;
		/* By uid nothing is keyed by a released pid number; by pid, lookups still match on it. */
		if (cfg_by_uid)
			ow->pid = 0;
		break;
	case ST_FREE:
		/* The real free happens once the owner's last reference is gone: create's holds it. */
		if (ow->phase != (cfg_task ? PH_REAPED : PH_EXITED)) {
			r = WHY_DISABLED;
			break;
		}
		if (ow->refs > 0) {
			unlock(&ow->lock);
			return blocked(a);
		}
		ow->freeing = 1;
		if (cfg_task) {
			struct task_struct *t = task_get(o);

			if (t) {
				ow->rcu_users = BPF_CORE_READ(t, rcu_users.refs.counter);
				bpf_task_release(t);
			}
		} else {
			struct cgroup *cg = cgrp_get(o);

			if (cg)
				bpf_cgroup_release(cg);
		}
		break;
	default:
		r = WHY_BAD;
	}
	unlock(&ow->lock);
	return r ? refused(a, r) : took(a, OC_NONE, -1);
}

static __always_inline struct lsmc_kctx *kctx_of(struct lsmc_state *s, int k)
{
	return k >= 0 && k < cfg_kernels && k < MAX_KERNELS ? &s->k[BOUND(k, MAX_KERNELS)] : NULL;
}

/* Whether a kernel step named (code, half) is the next step of `kc`. */
static __always_inline bool is_next(struct lsmc_kctx *kc, int code, int half)
{
	bool seq = code == KPC_CREATE_SEQ_BEGIN || code == KPC_CREATE_SEQ_END || code == KPC_UPDATE_SEQ_BEGIN ||
		   code == KPC_UPDATE_SEQ_END || code == KPC_DESTROY_SEQ_BEGIN || code == KPC_DESTROY_SEQ_END;
	int want = seq && !cfg_single_writer && !kc->half;

	return kc->pc == code && half == want;
}

static int step_one(struct ctx *c)
{
	struct lsmc_step_args *a = c->a;
	struct lsmc_kctx *kc;
	struct lsmc_owner *ow;
	c->s = st();
	a->result = R_REFUSED;
	a->why = WHY_BAD;
	a->outcome = OC_NONE;
	a->out_index = -1;
	if (!c->s)
		return 0;
	if (a->actor_kind == 'g') {
		grace_period(c, a->index);
	} else if (a->actor_kind == 'o') {
		ow = owner_rec(c->s, a->actor);
		if (!ow)
			return 0;
		if (a->kind == 0) {
			lifecycle(c, a->actor, a->code);
		} else if (ow->f.op != KOP_FREE) {
			refused(a, WHY_IDLE);
		} else if (!a->probe && (!a->on_free || !is_next(&ow->f, a->code, a->half))) {
			refused(a, WHY_NOT_NEXT);
		} else {
			destroy_step(c, &ow->f);
		}
	} else if (a->actor_kind == 'k') {
		kc = kctx_of(c->s, a->actor);
		if (!kc)
			return 0;
		if (a->kind == 0 && !a->probe) {
			if (kc->pc != KPC_IDLE)
				refused(a, WHY_BUSY);
			else if (a->code == ST_CREATE)
				create_start(c, kc, a->actor, a->owner);
			else if (a->code == ST_UPDATE)
				update_start(c, kc, a->owner, a->value);
			else if (a->code == ST_DELETE)
				delete_start(c, kc, a->owner);
		} else if (kc->pc == KPC_IDLE) {
			refused(a, WHY_IDLE);
		} else if (!a->probe && (a->on_free || !is_next(kc, a->code, a->half))) {
			refused(a, WHY_NOT_NEXT);
		} else {
			kernel_step(c, kc, a->actor);
		}
	}
	a->remap_page = c->rm.page;
	a->remap_view = c->rm.view;
	return 0;
}

/* The context is copied in and out whole: the verifier refuses stores through a computed ctx offset. */
SEC("syscall")
int step(struct lsmc_step_args *ctx)
{
	struct lsmc_step_args args, *a = &args;
	struct ctx c = { .a = a, .rm = { .page = -1 } };

	__builtin_memcpy(a, ctx, sizeof(args));
	step_one(&c);
	__builtin_memcpy(ctx, a, sizeof(args));
	return 0;
}

/* ---- the reader's lookup syscall ---- */

static int lookup_one(struct lsmc_lookup_args *a);

/* Whether a lookup may be asked about owner o: by uid, once it exists; by pid, while it holds its pid number. */
static bool may_see(struct lsmc_owner *ow)
{
	return cfg_by_uid ? ow->phase != PH_UNBORN : ow->phase == PH_ALIVE || ow->phase == PH_EXITED;
}

SEC("syscall")
int lookup(struct lsmc_lookup_args *ctx)
{
	struct lsmc_lookup_args args, *a = &args;
	int r;

	__builtin_memcpy(a, ctx, sizeof(args));
	r = lookup_one(a);
	__builtin_memcpy(ctx, a, sizeof(args));
	return r;
}

static int lookup_one(struct lsmc_lookup_args *a)
{
	struct lsmc_state *s = st();
	struct lsmc_owner *ow, *x;
	struct lsmc_slot *sl;
	int o = a->owner, i, first = -1, link;
	bool answer_ok = false;

	a->result = R_REFUSED;
	if (!s || !owner_ok(o))
		return 0;
	ow = &s->o[BOUND(o, MAX_OWNERS)];
	a->uid = ow->uid;
	if (ow->uid == 0 || !may_see(ow))
		return 0;
	/* Owner records whose element the kernel may answer with: by uid o's own; by pid any with o's pid number. */
	for (i = 0; i < MAX_OWNERS && i < cfg_owners; i++) {
		x = &s->o[i];
		if (cfg_by_uid ? i != o : x->pid != ow->pid)
			continue;
		if (link_at(i, LINK_READ, 0) <= 0)
			continue;
		if (first < 0)
			first = i;
		if (i == a->answer)
			answer_ok = true;
	}
	if (a->answer == -2)
		a->answer = first;
	if (a->answer >= 0 ? !answer_ok && a->answer != first : first >= 0)
		return 0;
	a->result = R_TOOK;
	a->outcome = OC_GONE;
	if (a->answer < 0 || !owner_ok(a->answer))
		return 0;
	/* The link, then the slot's uid and gen, under the owner's lock: no unlink between them (precision 2). */
	x = &s->o[BOUND(a->answer, MAX_OWNERS)];
	if (!try_lock(&x->lock)) {
		a->result = R_BLOCKED;
		return 0;
	}
	link = link_at(a->answer, LINK_READ, 0);
	sl = link > 0 ? slot_at(link - 1) : NULL;
	if (sl) {
		a->outcome = OC_INDEX;
		a->index = link - 1;
		a->ident = sl->ident;
		a->gen = sl->gen;
	}
	unlock(&x->lock);
	return 0;
}

/* What replay compares of the links: each owner's, read from its real local storage. */
SEC("syscall")
int show(struct lsmc_show_args *ctx)
{
	struct lsmc_show_args a = {};
	int i;

	for (i = 0; i < MAX_OWNERS && i < cfg_owners; i++)
		a.link[i] = link_at(i, LINK_READ, 0);
	__builtin_memcpy(ctx, &a, sizeof(a));
	return 0;
}

/* Diagnostics for a free hook that did not come: the owner's task as it is now, read without a reference. */
SEC("syscall")
int inspect(struct lsmc_inspect_args *ctx)
{
	struct lsmc_state *s = st();
	struct task_struct *t;
	int o = ctx->owner;

	if (!s || !owner_ok(o) || !cfg_task)
		return 0;
	t = (struct task_struct *)s->o[BOUND(o, MAX_OWNERS)].task;
	ctx->rcu_users = BPF_CORE_READ(t, rcu_users.refs.counter);
	ctx->usage = BPF_CORE_READ(t, usage.refs.counter);
	ctx->exit_state = BPF_CORE_READ(t, exit_state);
	ctx->state = BPF_CORE_READ(t, __state);
	ctx->flags = BPF_CORE_READ(t, flags);
	ctx->pid = BPF_CORE_READ(t, pid);
	return 0;
}

static long reset_page(__u64 i, void *data)
{
	__u32 key = i;
	struct page_bytes *pg = bpf_map_lookup_elem(&pages, &key);

	if (pg)
		zero_page(pg);
	return 0;
}

/* Back to the empty map between traces: every reference dropped, every page and record zeroed. */
SEC("syscall")
int reset(void *ctx)
{
	struct lsmc_state *s = st();
	__u32 p;
	int i;

	/* Unrolled: the verifier loses a counter the compiler keeps beside the stack slot of a key. */
#pragma unroll
	for (i = 0; i < MAX_OWNERS + MAX_KERNELS; i++) {
		struct task_struct *t = task_get(i);
		struct cgroup *cg = cgrp_get(i);

		if (t)
			bpf_task_release(t);
		if (cg)
			bpf_cgroup_release(cg);
	}
	bpf_loop(MAX_PAGES, reset_page, NULL, 0);
	p = 0;
	{
		struct page_bytes *h = bpf_map_lookup_elem(&header, &p);

		if (h)
			h->w[0] = 0;
	}
	if (s)
		for (i = 0; i < sizeof(*s) / 8; i++)
			((volatile __u64 *)s)[i] = 0;
	if (s)
		for (p = 0; p < MAX_PAGES; p++)
			s->page_view[p] = cfg_zero_page_growth ? VW_ZERO_PAGE : VW_UNMAPPED;
	spawning = -1;
	return 0;
}


/* ---- the soak: the same step functions, run whole from real events ---- */

__s32 soak_parent; /* the tgid whose children are the soak's owners */
__u64 soak_cgroup_base; /* ownerKind=cgroup: the id of the folder whose new cgroups are the soak's owners */

struct whole {
	struct ctx *c;
	struct lsmc_kctx *kc;
	int k;
};

/* Whether kc's update stops here for a while (cfg_soak_stall), holding its element. */
static bool stalls(struct lsmc_kctx *kc)
{
	if (cfg_soak_stall <= 0 || kc->op != KOP_UPDATE || bpf_get_prandom_u32() % cfg_soak_stall)
		return false;
	kc->resume_at = bpf_ktime_get_ns() + (__u64)cfg_soak_stall_ms * 1000000;
	return true;
}

/* A stretch of time between two steps, as a slow or interrupted CPU would take. */
static long spin_turn(__u64 i, void *data)
{
	(*(volatile __u64 *)data)++;
	return 0;
}

static long whole_turn(__u64 i, void *data)
{
	struct whole *w = data;
	struct lsmc_step_args *a = w->c->a;
	__u64 spun = 0;

	if (w->kc->pc == KPC_IDLE)
		return 1;
	if (cfg_soak_spin > 0)
		bpf_loop(cfg_soak_spin, spin_turn, &spun, 0);
	a->result = R_REFUSED;
	kernel_step(w->c, w->kc, w->k);
	/* Blocked (a lock another CPU holds): the operation goes on at a later event. */
	if (a->result != R_TOOK)
		return 1;
	return 0;
}

/* Runs kc's operation under way as far as it goes now: to its end, or to a step that must wait. */
static void pump(struct lsmc_state *s, struct lsmc_kctx *kc, int k)
{
	struct lsmc_step_args args = { .probe = 1, .kind = 1 };
	struct ctx c = { .s = s, .a = &args, .rm = { .page = -1 } };
	struct whole w = { .c = &c, .kc = kc, .k = k };

	bpf_loop(32, whole_turn, &w, 0);
}

/* The owner's next update, unless one is under way. */
static void soak_update_start(struct ctx *c, struct lsmc_kctx *kc, int o)
{
	struct lsmc_owner *ow = owner_rec(c->s, o);

	if (!ow || __sync_val_compare_and_swap(&ow->updating, 0, 1) != 0)
		return;
	update_start(c, kc, o, ow->counter + 1);
	if (c->a->result == R_TOOK && kc->pc != KPC_IDLE)
		ow->counter++;
	else
		ow->updating = 0;
}

/*
 * A kernel context no other hook runs now and none has stalled: what a BPF program on this CPU
 * would be. Its operation under way, if any, is finished first.
 */
static long pick_turn(__u64 i, void *data)
{
	struct { struct lsmc_state *s; int k; } *p = data;
	struct lsmc_kctx *kc = kctx_of(p->s, i);

	if (!kc)
		return 1;
	if (!try_lock(&kc->busy))
		return 0;
	if (kc->pc != KPC_IDLE && bpf_ktime_get_ns() < kc->resume_at) {
		unlock(&kc->busy);
		return 0;
	}
	p->k = i;
	return 1;
}

static struct lsmc_kctx *take_context(struct lsmc_state *s, int *k)
{
	struct { struct lsmc_state *s; int k; } p = { s, -1 };
	struct lsmc_kctx *kc;

	bpf_loop(MAX_KERNELS, pick_turn, &p, 0);
	kc = kctx_of(s, p.k);
	if (!kc) {
		__sync_fetch_and_add(&s->soak_skipped, 1);
		return NULL;
	}
	*k = p.k;
	return kc;
}

/* Finishes the operation under way of a context it picks, then starts `start` for owner o (-1: none) and runs it. */
static void soak_op(struct lsmc_state *s, int start, int o, int value)
{
	struct lsmc_step_args args = { .kind = 0, .code = start, .owner = o, .value = value };
	struct ctx c = { .s = s, .a = &args, .rm = { .page = -1 } };
	struct lsmc_kctx *kc;
	int k;

	kc = take_context(s, &k);
	if (!kc)
		return;
	pump(s, kc, k);
	if (kc->pc == KPC_IDLE && start >= 0) {
		if (start == ST_CREATE)
			create_start(&c, kc, k, o);
		else if (start == ST_UPDATE)
			soak_update_start(&c, kc, o);
		/* An update may stall right after it looked its index up, holding the element. */
		if (args.result == R_TOOK && kc->pc != KPC_IDLE && !stalls(kc))
			pump(s, kc, k);
		__sync_fetch_and_add(&s->soak_events, 1);
	}
	unlock(&kc->busy);
}

/* An owner's free path under way, as far as it goes now. */
static long pump_free(__u64 i, void *data)
{
	struct lsmc_state *s = *(struct lsmc_state **)data;
	struct lsmc_owner *ow;
	int o = BOUND(i, MAX_OWNERS);

	if (o >= cfg_owners)
		return 1;
	ow = &s->o[o];
	if (ow->f.op == KOP_FREE && try_lock(&ow->f.busy)) {
		pump(s, &ow->f, -1);
		if (ow->f.pc == KPC_IDLE)
			ow->f.op = KOP_NONE;
		unlock(&ow->f.busy);
	}
	return 0;
}

/* One grace period for each index waiting for one that no kernel context can still hold. */
static long grace_turn(__u64 i, void *data)
{
	struct lsmc_state *s = *(struct lsmc_state **)data;
	struct lsmc_step_args args = {};
	struct ctx c = { .s = s, .a = &args, .rm = { .page = -1 } };
	int index = BOUND(i, MAX_SLOTS);

	if (index >= cfg_spp * cfg_max_pages)
		return 1;
	if (s->slot_alloc[index] == SLOT_PENDING)
		grace_period(&c, index);
	return 0;
}

/* The work no one event owns: owners' free paths that had to wait, and grace periods. (bpf_loop takes a stack pointer.) */
static void soak_background(struct lsmc_state *s)
{
	struct lsmc_state *sp = s;

	bpf_loop(MAX_OWNERS, pump_free, &sp, 0);
	bpf_loop(MAX_SLOTS, grace_turn, &sp, 0);
	soak_op(s, -1, -1, 0);
}

/* The owner record a soak task is: from its storage element, made at its fork. */
static int soak_owner(struct task_struct *t)
{
	struct link *l = bpf_task_storage_get(&task_links, t, 0, 0);

	return l ? l->owner : -1;
}

struct cgroup_search {
	struct lsmc_state *s;
	__u64 cgid;
	int owner;
};

static long cgroup_turn(__u64 i, void *data)
{
	struct cgroup_search *q = data;
	int o = BOUND(i, MAX_OWNERS);

	if (o >= cfg_owners)
		return 1;
	if (q->s->o[o].phase == PH_ALIVE && q->s->o[o].cgid == q->cgid) {
		q->owner = o;
		return 1;
	}
	return 0;
}

/*
 * The soak's owner whose cgroup has this id, alive (ownerKind=cgroup). Under bpf_loop: an unrolled
 * search made every owner a branch into on_switch's whole step machine, past the verifier's million.
 */
static int soak_cgroup_owner(struct lsmc_state *s, __u64 cgid)
{
	struct cgroup_search q = { .s = s, .cgid = cgid, .owner = -1 };

	bpf_loop(MAX_OWNERS, cgroup_turn, &q, 0);
	return q.owner;
}

static long claim_turn(__u64 i, void *data)
{
	struct lsmc_state *s = *(struct lsmc_state **)data;
	int o = BOUND(i, MAX_OWNERS);
	struct lsmc_owner *ow;

	if (o >= cfg_owners)
		return 1;
	ow = &s->o[o];
	/* A record is free once its owner's free path is done; the claim is a cmpxchg of its phase. */
	if (ow->f.op != KOP_NONE || ow->refs != 0)
		return 0;
	if (__sync_val_compare_and_swap(&ow->phase, PH_UNBORN, PH_ALIVE) == PH_UNBORN ||
	    __sync_val_compare_and_swap(&ow->phase, PH_FREED, PH_ALIVE) == PH_FREED) {
		*(int *)((struct lsmc_state **)data + 1) = o;
		return 1;
	}
	return 0;
}

/* ---- the real hooks ---- */


/* A child of the soak's parent: a new owner in a free record, and its element created at once. */
/* A free owner record for a new soak owner (its phase alive), or -1 (counted as skipped). */
static int soak_claim(struct lsmc_state *s)
{
	struct { struct lsmc_state *s; int o; } claim = { s, -1 };

	bpf_loop(MAX_OWNERS, claim_turn, &claim, 0);
	if (!owner_ok(claim.o))
		__sync_fetch_and_add(&s->soak_skipped, 1);
	return claim.o;
}

/* The claimed record could not get its owner after all: free again, and counted as skipped. */
static int soak_unclaim(struct lsmc_state *s, int o)
{
	s->o[BOUND(o, MAX_OWNERS)].phase = PH_FREED;
	__sync_fetch_and_add(&s->soak_skipped, 1);
	return 0;
}

/* A claimed record becomes the owner at `addr` (its task or cgroup), with a new uid and no element yet. */
static void soak_born(struct lsmc_state *s, int o, __u64 addr)
{
	struct lsmc_owner *ow = &s->o[BOUND(o, MAX_OWNERS)];

	ow->link = 0;
	ow->counter = 0;
	ow->freeing = 0;
	ow->task = addr;
	ow->uid = __sync_fetch_and_add(&s->next_uid, 1) + 1;
}

static int soak_fork(struct task_struct *parent, struct task_struct *child)
{
	struct lsmc_state *s = st();
	struct task_struct *t;
	struct link *l;
	int o;

	if (!s || parent->tgid != soak_parent || !cfg_task)
		return 0;
	o = soak_claim(s);
	if (!owner_ok(o))
		return 0;
	l = bpf_task_storage_get(&task_links, child, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	t = bpf_task_acquire(child);
	if (!l || !t) {
		if (t)
			bpf_task_release(t);
		return soak_unclaim(s, o);
	}
	l->owner = o;
	l->index1 = 0;
	soak_born(s, o, (__u64)child);
	task_put(o, t);
	soak_op(s, ST_CREATE, o, 0);
	return 0;
}

/* The soak, ownerKind=cgroup: a cgroup made in the soak's folder is a new owner, its element created at once. */
SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(on_mkdir, struct cgroup *cgrp, const char *path)
{
	struct lsmc_state *s = st();
	struct cgroup *c;
	int o;

	if (!s || !cfg_soak || cfg_task || BPF_CORE_READ(cgrp, self.parent, cgroup, kn, id) != soak_cgroup_base)
		return 0;
	o = soak_claim(s);
	if (!owner_ok(o))
		return 0;
	c = bpf_cgroup_acquire(cgrp);
	if (!c)
		return soak_unclaim(s, o);
	soak_born(s, o, (__u64)cgrp);
	s->o[BOUND(o, MAX_OWNERS)].cgid = BPF_CORE_READ(cgrp, kn, id);
	cgrp_put(o, c);
	soak_op(s, ST_CREATE, o, 0);
	return 0;
}

/* The soak, ownerKind=cgroup: an owner's rmdir (its hold goes, so that its release can come). */
SEC("tp_btf/cgroup_rmdir")
int BPF_PROG(on_rmdir, struct cgroup *cgrp, const char *path)
{
	struct lsmc_state *s = st();
	struct cgroup *c;
	int o;

	if (!s || !cfg_soak || cfg_task)
		return 0;
	o = soak_cgroup_owner(s, BPF_CORE_READ(cgrp, kn, id));
	if (!owner_ok(o) || s->o[BOUND(o, MAX_OWNERS)].task != (__u64)cgrp)
		return 0;
	s->o[BOUND(o, MAX_OWNERS)].phase = PH_EXITED;
	c = cgrp_get(o);
	if (c)
		bpf_cgroup_release(c);
	return 0;
}

/* A fork of the nursery is the spawn of the owner the helper named: the new task becomes that owner. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	struct lsmc_state *s;
	struct lsmc_owner *ow;
	struct task_struct *t;
	struct pid *pid;
	unsigned int level;
	int o = spawning, nr = 0;

	if (cfg_soak)
		return soak_fork(parent, child);
	if (parent->tgid != nursery_tgid || !owner_ok(o) || !cfg_task)
		return 0;
	s = st();
	if (!s)
		return 0;
	spawning = -1;
	ow = &s->o[BOUND(o, MAX_OWNERS)];
	t = bpf_task_acquire(child);
	if (!t)
		return 0;
	ow->task = (__u64)child;
	task_put(o, t);
	pid = BPF_CORE_READ(child, thread_pid);
	level = BPF_CORE_READ(pid, level);
	bpf_probe_read_kernel(&nr, sizeof(nr), &pid->numbers[level & 3].nr);
	ow->pid = nr - PID_BASE;
	ow->uid = __sync_fetch_and_add(&s->next_uid, 1) + 1;
	ow->phase = PH_ALIVE;
	return 0;
}

/* The owner's free (free_task, css release): its phase, the unlink, then its destroy's first step is next. */
static void free_owner(struct lsmc_state *s, int o, int link)
{
	struct lsmc_owner *ow = &s->o[BOUND(o, MAX_OWNERS)];
	int ph = ow->phase;

	/* The free hook and the helper's stand-in for a lost one (free_lost) may both come: one wins. */
	if (ph == PH_FREED || __sync_val_compare_and_swap(&ow->phase, ph, PH_FREED) != ph)
		return;
	ow->freeing = 0;
	ow->link = 0;
	if (link > 0) {
		ow->f.op = KOP_FREE;
		ow->f.owner = o;
		ow->f.index = link - 1;
		ow->f.held = link;
		ow->f.epoch = s->slot_epoch[BOUND((link - 1), MAX_SLOTS)];
		ow->f.pc = KPC_DESTROY_SEQ_BEGIN;
		ow->f.half = 0;
	}
	__sync_fetch_and_add(&s->frees, 1);
}

/*
 * The free step for a task whose last rcu_users reference is gone but whose sched_process_free hook
 * did not run: the kernel frees it regardless (its put is queued on RCU), and the design's free, code
 * in the kernel's own free path, could not be skipped. Only the BPF hook that stands in for it was.
 */
SEC("syscall")
int free_lost(struct lsmc_inspect_args *ctx)
{
	struct lsmc_state *s = st();
	struct lsmc_owner *ow;
	struct task_struct *t;
	int o = ctx->owner;

	if (!s || !owner_ok(o) || !cfg_task)
		return 0;
	ow = &s->o[BOUND(o, MAX_OWNERS)];
	t = (struct task_struct *)ow->task;
	if (!ow->freeing || ow->phase == PH_FREED || BPF_CORE_READ(t, rcu_users.refs.counter) != 0)
		return 0;
	free_owner(s, o, ow->link);
	ctx->pad = 1;
	return 0;
}

static int owner_of(struct lsmc_state *s, __u64 addr)
{
	int i;

	for (i = 0; i < MAX_OWNERS && i < cfg_owners; i++)
		if ((s->o[BOUND(i, MAX_OWNERS)].freeing || (cfg_soak && s->o[BOUND(i, MAX_OWNERS)].phase == PH_EXITED)) &&
		    s->o[BOUND(i, MAX_OWNERS)].task == addr)
			return i;
	return -1;
}

SEC("tp_btf/sched_process_free")
int BPF_PROG(on_task_free, struct task_struct *task)
{
	struct lsmc_state *s = st();
	int o;

	if (!s || !cfg_task)
		return 0;
	__sync_fetch_and_add(&s->free_hooks, 1);
	o = owner_of(s, (__u64)task);
	for (int i = 0; i < MAX_OWNERS && i < cfg_owners; i++)
		if (s->o[BOUND(i, MAX_OWNERS)].task == (__u64)task)
			s->o[BOUND(i, MAX_OWNERS)].hook_saw = 1 + (s->o[BOUND(i, MAX_OWNERS)].freeing != 0);
	if (o < 0)
		return 0;
	/* The kernel frees the storage element itself right after this hook. */
	free_owner(s, o, s->o[BOUND(o, MAX_OWNERS)].link);
	if (cfg_soak) {
		soak_background(s);
	}
	return 0;
}

/* The soak: an owner's exit (the adapter's hold goes, so that its free can come after the reap). */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_exit, struct task_struct *task)
{
	struct lsmc_state *s = st();
	struct task_struct *t;
	int o;

	if (!s || !cfg_soak || task->pid != task->tgid)
		return 0;
	o = soak_owner(task);
	if (!owner_ok(o) || s->o[BOUND(o, MAX_OWNERS)].task != (__u64)task)
		return 0;
	s->o[BOUND(o, MAX_OWNERS)].phase = PH_EXITED;
	t = task_get(o);
	if (t)
		bpf_task_release(t);
	return 0;
}

/* The soak: an owner switched in gets its next update; every switch moves waiting work on. */
SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct lsmc_state *s;
	struct lsmc_owner *ow;
	int o;

	if (!cfg_soak)
		return 0;
	s = st();
	if (!s)
		return 0;
	/* A task switched in updates its own element, or (ownerKind=cgroup) its cgroup's. */
	o = cfg_task ? soak_owner(next) : soak_cgroup_owner(s, BPF_CORE_READ(next, cgroups, dfl_cgrp, kn, id));
	if (owner_ok(o)) {
		ow = &s->o[BOUND(o, MAX_OWNERS)];
		if ((!cfg_task || ow->task == (__u64)next) && ow->phase == PH_ALIVE && ow->counter < 0xfffe)
			soak_op(s, ST_UPDATE, o, 0);
	}
	soak_background(s);
	return 0;
}

SEC("tp_btf/cgroup_release")
int BPF_PROG(on_cgroup_free, struct cgroup *cgrp, const char *path)
{
	struct lsmc_state *s = st();
	int o;

	if (!s || cfg_task)
		return 0;
	o = owner_of(s, (__u64)cgrp);
	if (o < 0)
		return 0;
	free_owner(s, o, s->o[BOUND(o, MAX_OWNERS)].link);
	if (cfg_soak)
		soak_background(s);
	return 0;
}
