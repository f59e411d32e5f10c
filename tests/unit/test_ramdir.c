/* --ram's folder (src/env/ramdir.c). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "tests.h"
#include "../../src/env/ramdir.h"
#include "../../src/util/rundir.h"
#include "../../src/util/util.h"

/* No tmpfs among the roots: no folder, and a reason naming where it looked. */
static void test_ramdir_none(void)
{
	struct fx f;
	char err[512];
	const char *roots[2];

	fx_init(&f);
	roots[0] = f.dir;	/* a disk folder (the unit tests' TMPDIR is not a tmpfs here) */
	roots[1] = NULL;
	struct stat st;
	if (stat("/dev/shm", &st) == 0 && strncmp(f.dir, "/dev/shm", 8) != 0) {
		int lock = -1;
		CHECK(ramdir_create(roots, "p", &lock, err, sizeof(err)) == NULL);
		CHECK(strstr(err, "no RAM file system") != NULL);
		CHECK(strstr(err, f.dir) != NULL);
	}
	fx_release(&f);
}

/*
 * On a tmpfs: a private folder of this run, claimed by its lock; what a
 * killed run left (its lock free, a minute old) is removed, whatever the
 * project; a live run's kept, even when that run has this process's pid
 * (another PID namespace), and one just made (young) kept too.
 */
static void test_ramdir_tmpfs(void)
{
	char err[512];
	const char *roots[] = { "/tmp/blitz-not-a-tmpfs-root", "/dev/shm", NULL };
	char *dir, *base, *dead, *old, *live;
	struct stat st;
	int lock = -1, live_lock = -1;

	if (access("/dev/shm", W_OK) != 0)
		return;	/* no /dev/shm on this machine: nothing to show */
	base = xasprintf("/dev/shm/blitz-%ld", (long)getuid());
	mkdir(base, 0700);
	/* a killed run's of this pid (no one holds its lock), an hour old */
	dead = xasprintf("%s/unit-test-%ld-dead00", base, (long)getpid());
	mkdirs(dead);
	struct timespec hour_ago[2] = { { time(NULL) - 3600, 0 }, { time(NULL) - 3600, 0 } };
	utimensat(AT_FDCWD, dead, hour_ago, 0);
	/* an older blitz's (NAME-PID), its run gone */
	old = xasprintf("%s/unit-test-%d", base, 999999999);
	mkdirs(old);
	utimensat(AT_FDCWD, old, hour_ago, 0);
	/* one a run has just made and not locked yet: young, kept */
	char *young = xasprintf("%s/other-project-%d-young0", base, 999999998);
	mkdirs(young);
	/* a live run's of the same pid, elsewhere: its lock held */
	live = rundir_claim(base, "unit-test", 0700, &live_lock, err, sizeof(err));
	CHECK(live != NULL);
	dir = ramdir_create(roots, "unit-test", &lock, err, sizeof(err));
	CHECK(dir != NULL);
	if (dir) {
		CHECK(strncmp(dir, base, strlen(base)) == 0);
		CHECK(stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700);
		CHECK(lock >= 0);
		CHECK(strcmp(dir, live) != 0);
		CHECK_INT(remove_tree(dir), 0);
		free(dir);
	}
	CHECK_INT(access(dead, F_OK), -1);
	CHECK_INT(access(old, F_OK), -1);
	CHECK_INT(access(live, F_OK), 0);
	CHECK_INT(access(young, F_OK), 0);
	remove_tree(young);
	free(young);
	if (lock >= 0)
		close(lock);
	close(live_lock);
	remove_tree(live);
	free(live);
	free(dead);
	free(old);
	free(base);
}

const struct test ramdir_tests[] = {
	{ "ramdir_none", test_ramdir_none },
	{ "ramdir_tmpfs", test_ramdir_tmpfs },
	{ NULL, NULL },
};
