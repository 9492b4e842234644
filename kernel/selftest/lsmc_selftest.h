/* SPDX-License-Identifier: GPL-2.0 */
/* What a generated subtest calls: the kernel prototype's driver (driver.c), one trace step at a time. */
#ifndef LSMC_SELFTEST_H
#define LSMC_SELFTEST_H

#include "helper.h"
#include "test_progs.h"

/* Loads the trace's variant (the driver starts on first use) and empties the map. */
static inline bool lsmc_setup(const struct variant *v)
{
	static bool started;
	char err[256] = "";

	if (!started && drv_start(err, sizeof(err))) {
		fprintf(stdout, "lsmc: %s\n", err);
		test__skip();
		return false;
	}
	started = true;
	if (drv_configure(v, err, sizeof(err))) {
		fprintf(stdout, "lsmc: %s\n", err);
		test__skip();
		return false;
	}
	return true;
}

static inline struct result lsmc_do(char actor, int n, int kind, int code, int on_free, int half, int owner, int value, int answer, int index)
{
	struct drv_request q = { .actor = actor, .n = n, .kind = kind, .code = code, .on_free = on_free, .half = half,
				 .owner = owner, .value = value, .answer = answer, .index = index };

	return drv_step(&q);
}

/*
 * Whether the step was taken. A step the prototype cannot express on a real kernel (a create for
 * an owner already freed) skips the subtest with the reason; a refusal fails it, with the reason.
 */
static inline bool lsmc_taken(struct result r, const char *label)
{
	if (r.result == R_INEXPRESSIBLE) {
		fprintf(stdout, "%s: not expressible on a real kernel: %s\n", label, r.why ? r.why : "");
		test__skip();
		return false;
	}
	if (r.result != R_TOOK && r.why)
		fprintf(stdout, "%s: %s\n", label, r.why);
	return ASSERT_EQ(r.result, R_TOOK, label);
}

/* What the step returned, by name: `unexpected LABEL: outcome retry, expected none`. */
static inline bool lsmc_outcome_is(struct result r, int expected, const char *label)
{
	if (r.outcome == expected)
		return true;
	fprintf(stdout, "%s:FAIL unexpected %s: outcome %s, expected %s\n", __func__, label,
		r.outcome >= 0 && r.outcome < OC__COUNT ? lsmc_outcome_names[r.outcome] : "?", lsmc_outcome_names[expected]);
	test__fail();
	return false;
}

/* The owner (0 for A, ...) whose uid an observation names; -1 for none. */
static inline int lsmc_owner(int uid)
{
	if (uid == 0)
		return -1;
	for (int o = 0; o < cur.owners; o++)
		if (kstate->o[o].uid == uid)
			return o;
	return -2;
}

static inline void lsmc_selftest_stop(void)
{
	drv_stop();
}

#endif
