/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The design's read of one element through a read-only mapping, as a reader does it: seq (retry
 * while odd), the owner's uid and gen against what the lookup cached, both words, seq again (retry
 * if it moved). Shared by the benches so that every mechanism is timed with the same read.
 */
#ifndef LSMC_READ_H
#define LSMC_READ_H

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

#endif
