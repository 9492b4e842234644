/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the BPF side (lsmc.bpf.c) and the helper (helper.c) both read: the prototype's kernel state
 * (allocator, owner records, kernel contexts' registers), the slot layout in a page, the header
 * page, and the arguments of each step program. The codes (program counters, phases, views,
 * outcomes) come from the spec's tables through build/vocab.h.
 */
#ifndef LSMC_H
#define LSMC_H

#include "vocab.h"

#define LSMC_PAGE 4096
#define MAX_OWNERS 8
#define MAX_KERNELS 4
#define MAX_READERS 4
#define MAX_PAGES 16
#define MAX_SLOTS 64
/* Writer locks are per (index, allocation epoch mod 4): a late writer of a slot's previous element
 * and the next element's initialisation are different elements (as in src/reference/memory.ts). */
#define EPOCH_WAYS 4
/* Task owners get vpids PID_BASE + 1 .. PID_BASE + pidNumbers in the helper's pid namespace. */
#define PID_BASE 100

/* A slot allocator record: free, waiting for a grace period, or owner + 1. */
#define SLOT_FREE 0
#define SLOT_PENDING (-1)
/* A kernel context's read-side marker: idle, looking the index up, or index + 1. */
#define RCU_IDLE 0
#define RCU_LOOKING (-1)

/* Where slot i of a page starts: the page split evenly, 8-byte aligned. */
#define SLOT_STRIDE(spp) ((LSMC_PAGE / (spp)) & ~7u)

/* One element as user space sees it through the mapping: seq is odd while a write is under way. */
struct lsmc_slot {
	__u64 seq;
	__u64 ident; /* the owner's uid, or its pid number under ownerIdentity=pid; 0: empty */
	__u64 gen;
	__u64 word1; /* a value word: writer's uid << 16 | value */
	__u64 word2;
};

/* The header page readers map beside the slots: how far the mapping is valid. */
struct lsmc_header {
	__u64 published_size;
};

/* Which operation a kernel context is in, and on whose behalf a destroy runs. */
enum lsmc_kop { KOP_NONE = 0, KOP_CREATE, KOP_UPDATE, KOP_DELETE, KOP_FREE };

/* A kernel context's registers, kept in the state map between the step programs that run it. An
 * owner's free path has a set of its own (its destroy runs with no kernel context). */
struct lsmc_kctx {
	__s32 pc;       /* enum lsmc_kpc: the next step */
	__s32 op;       /* enum lsmc_kop */
	__s32 owner;
	__s32 index;
	__s32 epoch;
	__s32 half;     /* writers=plain-seq: 1 once the seq load half is done */
	__s32 stage;    /* create: how many of its two growth steps (map, publish) it has passed */
	__s32 held;     /* the element it works on: index + 1, 0 none */
	__s32 rcu;      /* RCU_IDLE, RCU_LOOKING or index + 1 */
	__s32 busy;     /* the soak: a hook is running this context (taken by cmpxchg; skipped if taken) */
	__s64 loaded;   /* writers=plain-seq: the seq that half loaded */
	__s64 word;     /* update: the value word to write */
	__u64 resume_at; /* the soak: a stalled operation goes on after this time (ns) */
};

/* An owner record: what the kernel keeps about a task or cgroup besides its storage element. */
struct lsmc_owner {
	__s32 lock;     /* taken by cmpxchg, never held from one step to the next */
	__s32 phase;    /* enum lsmc_phase */
	__s32 pid;      /* pid number 1..n (0: none), read from the real task's vpid */
	__s32 uid;      /* never reused: 1, 2, ... in spawn order */
	__s32 refs;     /* creates under way that hold the owner */
	__s32 creating; /* createRace=locked: a create for it is under way */
	__s32 freeing;  /* the helper dropped its hold: the real free hook runs the free step */
	__s32 link;     /* index + 1 as its storage element says: the free hook reads this copy, since
			 * in the softirq it runs in, the storage may be busy (it then returns NULL) */
	__s32 rcu_users; /* the task's rcu_users when the free step dropped the adapter's hold (diagnostics) */
	__s32 counter;  /* the soak: the owner's update number, written into its value words */
	__s32 updating; /* the soak: an update of it is under way (one at a time, as the judge assumes) */
	__s32 hook_saw; /* diagnostics: the free hook saw this owner's task (1), while it was being freed (2) */
	__u64 task;     /* the task_struct (or cgroup) address: which owner a free hook is about */
	__u64 cgid;     /* the cgroup id (cgroups) */
	struct lsmc_kctx f; /* its free path's registers */
};

struct lsmc_state {
	__s32 alloc_lock;
	__s32 alloc_cursor;
	__s32 free_top;
	__s32 high_water;
	__s32 next_uid;
	__s32 frees;        /* free hooks that ran the free step, for the helper to wait on */
	__s32 soak_events;  /* the soak: hook runs that drove an operation */
	__s32 soak_skipped; /* the soak: events that found their kernel context busy or no free owner record */
	__s32 free_hooks;   /* every run of the task free hook, ours or not (diagnostics) */
	__s32 slot_alloc[MAX_SLOTS];
	__s32 slot_epoch[MAX_SLOTS];
	__s32 free_stack[MAX_SLOTS];
	__s32 page_kernel[MAX_PAGES];
	__s32 page_view[MAX_PAGES];
	__s32 element_lock[MAX_SLOTS * EPOCH_WAYS];
	struct lsmc_kctx k[MAX_KERNELS];
	struct lsmc_owner o[MAX_OWNERS];
};

/* What a step program returns. */
/* R_INEXPRESSIBLE: the spec takes the step, but the prototype cannot on a real kernel (why says why). */
enum lsmc_result { R_TOOK = 0, R_BLOCKED, R_REFUSED, R_INEXPRESSIBLE };

/*
 * The context of the `step` program (copied back after the run). actor_kind: 'k' a kernel context,
 * 'o' an owner, 'g' the grace period. kind: 0 a start step (code: enum lsmc_start), 1 a kernel
 * step (code: enum lsmc_kpc; on_free: an owner's free path; half: the load half of a plain seq
 * bump). probe: take the actor's next step, whatever it is.
 */
struct lsmc_step_args {
	__s32 actor_kind;
	__s32 actor;
	__s32 kind;
	__s32 code;
	__s32 on_free;
	__s32 half;
	__s32 owner;
	__s32 value;
	__s32 index;
	__s32 probe;
	__u64 cgid;     /* mkdir: the new cgroup's id */
	/* out */
	__s32 result;   /* enum lsmc_result */
	__s32 why;      /* a reason code for refusals (enum lsmc_why) */
	__s32 outcome;  /* enum lsmc_outcome */
	__s32 out_index;
	__s32 remap_page;  /* a page whose user view the helper must change now, or -1 */
	__s32 remap_view;  /* enum lsmc_view */
};

enum lsmc_why {
	WHY_NONE = 0,
	WHY_NOT_NEXT,      /* the actor's next step is another one */
	WHY_BUSY,          /* the actor is in another operation */
	WHY_IDLE,          /* the actor has no operation under way */
	WHY_DISABLED,      /* the spec's precondition fails */
	WHY_FREED,         /* the owner's task or cgroup is freed: nothing can hold it */
	WHY_NO_STORAGE,    /* the kernel refused to create the owner's local storage */
	WHY_BAD,           /* a pick out of range */
};

/* The reader's lookup syscall, run from the reader's thread. */
struct lsmc_lookup_args {
	__s32 owner;
	__s32 answer;   /* the owner whose element the kernel answers with (by pid), -1 ENOENT, -2 the first */
	/* out */
	__s32 result;
	__s32 outcome;  /* OC_INDEX or OC_GONE */
	__s32 index;
	__s32 uid;      /* the asking owner's uid */
	__s64 ident;
	__s64 gen;
};

/* What `show` reads from real storage: each owner's link (index + 1, 0 none). */
struct lsmc_show_args {
	__s32 link[MAX_OWNERS];
};

/* A free hook that did not come: what the owner's task still looks like (read, not held). */
struct lsmc_inspect_args {
	__s32 owner;
	__s32 rcu_users, usage, exit_state;
	__u32 state, flags;
	__s32 pid, pad;
};

#endif
