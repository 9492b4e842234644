/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The design's read of one element through a read-only mapping, as a reader does it: seq (retry
 * while odd), the owner's uid and gen against what the lookup cached, both words, seq again (retry
 * if it moved). Shared by the benches so that every mechanism is timed with the same read.
 */
#ifndef LSMC_READ_H
#define LSMC_READ_H

#include <time.h>
#include <linux/types.h>
#include "lsmc.h"

/* 1 and the words' sum in *out when accepted; 0 when the slot no longer holds the cached owner. */
static inline int lsmc_read_slot(volatile const struct lsmc_slot *s, __u64 ident, __u64 gen, __u64 *out)
{
	for (;;) {
		__u64 s1 = s->seq, a, b;

		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (s1 & 1)
			continue;
		if (s->ident != ident || s->gen != gen)
			return 0;
		a = s->word1;
		b = s->word2;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (s->seq != s1)
			continue;
		*out += a + b;
		return 1;
	}
}

/*
 * `reads` validated reads of one slot, timed: ns per read into *ns, the reads accepted returned.
 * Not inlined and with its sums in locals, so that every bench times the same machine code, and
 * nothing the caller keeps in memory (a struct whose field may alias a sum) rides along.
 */
static __attribute__((noinline)) __u64 lsmc_time_reads(volatile const struct lsmc_slot *s, __u64 ident, __u64 gen, long reads, double *ns, __u64 *checksum)
{
	struct timespec a, b;
	__u64 sum = 0, accepted = 0;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < reads; i++)
		accepted += lsmc_read_slot(s, ident, gen, &sum);
	clock_gettime(CLOCK_MONOTONIC, &b);
	*ns = ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / reads;
	*checksum += sum;
	return accepted;
}

/* The floor: `reads` plain loads of one word, timed the same way. */
static __attribute__((noinline, unused)) double lsmc_time_loads(volatile const __u64 *w, long reads, __u64 *checksum)
{
	struct timespec a, b;
	__u64 sum = 0;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < reads; i++)
		sum += *w;
	clock_gettime(CLOCK_MONOTONIC, &b);
	*checksum += sum;
	return ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / reads;
}

#endif
