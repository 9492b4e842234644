// SPDX-License-Identifier: GPL-2.0
/*
 * The stand-in runner: runs test_lsmc_traces() (prog_tests/lsmc_traces.c) and prints each
 * subtest's verdict and a summary as test_progs does. -t NAME runs the subtests whose name holds
 * NAME. Exit 0 when every subtest passed, 1 otherwise. Skips (exit 0) without root.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "test_progs.h"
#include "lsmc_selftest.h"

void test_lsmc_traces(void);

static const char *filter;
static const char *current;
static int subtests, passed, failed, skipped;
static bool current_failed, current_skipped;

static void finish_subtest(void)
{
	if (!current)
		return;
	if (current_skipped) {
		skipped++;
		printf("#1/%d lsmc_traces/%s:SKIP\n", subtests, current);
	} else if (current_failed) {
		failed++;
		printf("#1/%d lsmc_traces/%s:FAIL\n", subtests, current);
	} else {
		passed++;
		printf("#1/%d lsmc_traces/%s:OK\n", subtests, current);
	}
	current = NULL;
}

bool test__start_subtest(const char *name)
{
	finish_subtest();
	if (stop_requested || (filter && !strstr(name, filter)))
		return false;
	subtests++;
	current = name;
	current_failed = current_skipped = false;
	return true;
}

void test__fail(void)
{
	current_failed = true;
}

void test__skip(void)
{
	current_skipped = true;
}

static void on_signal(int sig)
{
	stop_requested = 1;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	int opt;

	while ((opt = getopt(argc, argv, "t:")) != -1) {
		if (opt != 't') {
			fprintf(stderr, "usage: %s [-t NAME]\n", argv[0]);
			return 2;
		}
		filter = optarg;
	}
	if (geteuid() != 0) {
		printf("#1 lsmc_traces:SKIP (the kernel prototype needs root)\n");
		return 0;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	test_lsmc_traces();
	finish_subtest();
	lsmc_selftest_stop();
	printf("#1 lsmc_traces:%s\n", failed ? "FAIL" : "OK");
	printf("Summary: %d/%d PASSED, %d SKIPPED, %d FAILED\n", failed ? 0 : 1, passed, skipped, failed);
	return failed ? 1 : 0;
}
