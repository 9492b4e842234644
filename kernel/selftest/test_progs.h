/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal stand-in for the BPF selftests' test_progs (tools/testing/selftests/bpf): the same
 * test__start_subtest and ASSERT_* names and output shape, so that a generated prog_tests/ file
 * builds here as it is and drops into the kernel's tree with its real test_progs.
 */
#ifndef LSMC_TEST_PROGS_H
#define LSMC_TEST_PROGS_H

#include <stdbool.h>
#include <stdio.h>

bool test__start_subtest(const char *name);
void test__fail(void);
void test__skip(void);

#define ASSERT_EQ(actual, expected, name) ({                                                   \
	long long ___act = (long long)(actual), ___exp = (long long)(expected);               \
	bool ___ok = ___act == ___exp;                                                         \
	if (!___ok) {                                                                          \
		fprintf(stdout, "%s:FAIL:%d unexpected %s: actual %lld != expected %lld\n",   \
			__func__, __LINE__, (name), ___act, ___exp);                           \
		test__fail();                                                                  \
	}                                                                                      \
	___ok;                                                                                 \
})

#define ASSERT_OK(res, name) ASSERT_EQ((res), 0, (name))
#define ASSERT_TRUE(cond, name) ASSERT_EQ(!!(cond), 1, (name))

#endif
