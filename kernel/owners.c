// SPDX-License-Identifier: GPL-2.0
/*
 * Owners as real kernel objects. Tasks: children of a nursery that is the init of a private pid
 * namespace, so that their numbers are small and reused when the trace says (the nursery writes
 * ns_last_pid before each fork). Cgroups: directories under a cgroup v2 folder of our own.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "helper.h"

#define CGROUP_ROOT "/sys/fs/cgroup/unified"

enum { N_SPAWN = 1, N_EXIT, N_REAP, N_KILL_ALL };

struct command {
	int op;
	int pid;
};

static int nursery_sock = -1;
static pid_t nursery_pid = -1;

/* ---- the nursery (pid 1 of the namespace) ---- */

#define MAX_CHILDREN 4096

static int set_last_pid(int pid)
{
	char buf[32];
	int fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY), n, ok;

	if (fd < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%d", pid - 1);
	ok = write(fd, buf, n) == n ? 0 : -errno;
	close(fd);
	return ok;
}

/*
 * An owner task shares the nursery's memory (CLONE_VM, not a thread: its own pid and tgid, its own
 * task storage): making it copies no page tables and ending it tears no address space down, which
 * is most of what a fork and an exit cost. It only waits to be killed; a SIGKILL is its exit.
 */
#define OWNER_STACK (16 * 1024)
static void *owner_stack[MAX_CHILDREN];

static int owner_main(void *arg)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (;;)
		pause();
	return 0;
}

static bool alive[MAX_CHILDREN];

static int do_spawn(int pid)
{
	pid_t child;
	int got;

	if (pid <= 1 || pid >= MAX_CHILDREN)
		return -EINVAL;
	if (!owner_stack[pid] && !(owner_stack[pid] = malloc(OWNER_STACK)))
		return -ENOMEM;
	got = set_last_pid(pid);
	if (got)
		return got;
	child = clone(owner_main, (char *)owner_stack[pid] + OWNER_STACK, CLONE_VM | SIGCHLD, NULL);
	if (child < 0)
		return -errno;
	if (child != pid) {
		/* The kernel handed out another number: the trace's pid cannot be had. */
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		return -EADDRINUSE;
	}
	alive[pid] = true;
	return 0;
}

static int do_exit(int pid)
{
	siginfo_t si;

	if (pid <= 1 || pid >= MAX_CHILDREN || !alive[pid])
		return -ESRCH;
	alive[pid] = false;
	kill(pid, SIGKILL);
	/* A zombie now: wait for it without reaping it. */
	memset(&si, 0, sizeof(si));
	while (waitid(P_PID, pid, &si, WEXITED | WNOWAIT) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

static int do_reap(int pid)
{
	while (waitpid(pid, NULL, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

static void do_kill_all(void)
{
	memset(alive, 0, sizeof(alive));
	kill(-1, SIGKILL); /* in a pid namespace: every task of it but its init */
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
}

static void nursery_main(int sock)
{
	struct command cmd;
	int reply;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_DFL);
	while (read(sock, &cmd, sizeof(cmd)) == sizeof(cmd)) {
		switch (cmd.op) {
		case N_SPAWN:
			reply = do_spawn(cmd.pid);
			break;
		case N_EXIT:
			reply = do_exit(cmd.pid);
			break;
		case N_REAP:
			reply = do_reap(cmd.pid);
			break;
		case N_KILL_ALL:
			do_kill_all();
			reply = 0;
			break;
		default:
			reply = -EINVAL;
		}
		if (write(sock, &reply, sizeof(reply)) != sizeof(reply))
			break;
	}
	do_kill_all();
	_exit(0);
}

int nursery_start(void)
{
	int sv[2];
	pid_t child;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -errno;
	/* A fork into a new pid namespace; unshare(CLONE_NEWPID) would forbid the helper its reader threads. */
	child = syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, 0, 0, 0, 0);
	if (child < 0)
		return -errno;
	if (child == 0) {
		close(sv[0]);
		nursery_main(sv[1]);
	}
	close(sv[1]);
	nursery_sock = sv[0];
	nursery_pid = child;
	return child;
}

static int ask(int op, int pid)
{
	struct command cmd = { .op = op, .pid = pid };
	int reply;

	if (nursery_sock < 0)
		return -ENOTCONN;
	if (write(nursery_sock, &cmd, sizeof(cmd)) != sizeof(cmd))
		return -EPIPE;
	while (read(nursery_sock, &reply, sizeof(reply)) != sizeof(reply))
		if (errno != EINTR || stop_requested)
			return -EPIPE;
	return reply;
}

/* Whether an owner task may exist: a trace with none (cgroup owners, or none spawned) needs no kill. */
static bool spawned;

int nursery_spawn(int pid)
{
	spawned = true;
	return ask(N_SPAWN, pid);
}

int nursery_exit(int pid) { return ask(N_EXIT, pid); }
int nursery_reap(int pid) { return ask(N_REAP, pid); }
int nursery_kill_all(void)
{
	if (!spawned)
		return 0;
	spawned = false;
	return ask(N_KILL_ALL, 0);
}

void nursery_stop(void)
{
	if (nursery_pid <= 0)
		return;
	nursery_kill_all();
	close(nursery_sock);
	nursery_sock = -1;
	kill(nursery_pid, SIGKILL);
	while (waitpid(nursery_pid, NULL, 0) < 0 && errno == EINTR)
		;
	nursery_pid = -1;
}

/* ---- cgroups ---- */

static char cg_base[256];
static char cg_path[MAX_OWNERS][320];
static unsigned serial;

/* Folders of helpers that died without cleaning up (SIGKILL): their pid is gone. */
static void remove_stale(void)
{
	DIR *d = opendir(CGROUP_ROOT);
	struct dirent *e;
	char path[512];

	if (!d)
		return;
	while ((e = readdir(d))) {
		int pid;
		DIR *sub;
		struct dirent *c;

		if (sscanf(e->d_name, "lsmc.%d", &pid) != 1 || (kill(pid, 0) == 0 || errno != ESRCH))
			continue;
		snprintf(path, sizeof(path), "%s/%s", CGROUP_ROOT, e->d_name);
		sub = opendir(path);
		while (sub && (c = readdir(sub))) {
			char child[800];

			if (c->d_type != DT_DIR || c->d_name[0] == '.')
				continue;
			snprintf(child, sizeof(child), "%s/%s", path, c->d_name);
			rmdir(child);
		}
		if (sub)
			closedir(sub);
		rmdir(path);
	}
	closedir(d);
}

int cgroups_start(char *err, size_t n)
{
	struct stat sb;

	if (cg_base[0])
		return 0;
	if (stat(CGROUP_ROOT "/cgroup.procs", &sb)) {
		snprintf(err, n, "no cgroup v2 mount at %s", CGROUP_ROOT);
		return -1;
	}
	remove_stale();
	snprintf(cg_base, sizeof(cg_base), "%s/lsmc.%d", CGROUP_ROOT, getpid());
	if (mkdir(cg_base, 0755) && errno != EEXIST) {
		snprintf(err, n, "mkdir %s: %s", cg_base, strerror(errno));
		cg_base[0] = 0;
		return -1;
	}
	return 0;
}

int cgroup_make(int owner, unsigned long long *id)
{
	struct stat sb;

	if (owner < 0 || owner >= MAX_OWNERS || !cg_base[0])
		return -EINVAL;
	snprintf(cg_path[owner], sizeof(cg_path[owner]), "%s/%c.%u", cg_base, 'A' + owner, serial++);
	if (mkdir(cg_path[owner], 0755) || stat(cg_path[owner], &sb)) {
		int e = -errno;

		cg_path[owner][0] = 0;
		return e;
	}
	*id = sb.st_ino;
	return 0;
}

int cgroup_remove(int owner)
{
	if (owner < 0 || owner >= MAX_OWNERS || !cg_path[owner][0])
		return -ENOENT;
	if (rmdir(cg_path[owner]))
		return -errno;
	cg_path[owner][0] = 0;
	return 0;
}

void cgroups_remove_all(void)
{
	for (int o = 0; o < MAX_OWNERS; o++)
		if (cg_path[o][0])
			cgroup_remove(o);
}

void cgroups_stop(void)
{
	cgroups_remove_all();
	if (cg_base[0])
		rmdir(cg_base);
	cg_base[0] = 0;
}
