/* --ram's folder (src/env/ramdir.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "tests.h"
#include "../../src/env/ramdir.h"
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
		CHECK(ramdir_create(roots, "p", err, sizeof(err)) == NULL);
		CHECK(strstr(err, "no RAM file system") != NULL);
		CHECK(strstr(err, f.dir) != NULL);
	}
	fx_release(&f);
}

/* On a tmpfs: a folder of this process, private; what a dead run left is removed, a live one's kept. */
static void test_ramdir_tmpfs(void)
{
	char err[512];
	const char *roots[] = { "/tmp/blitz-not-a-tmpfs-root", "/dev/shm", NULL };
	char *dir, *dead, *live, *base;
	struct stat st;

	if (access("/dev/shm", W_OK) != 0)
		return;	/* no /dev/shm on this machine: nothing to show */
	base = xasprintf("/dev/shm/blitz-%ld", (long)getuid());
	mkdir(base, 0700);
	dead = xasprintf("%s/unit-test-%d", base, 999999999);	/* no such process */
	live = xasprintf("%s/unit-test-%ld", base, (long)getppid());
	mkdirs(dead);
	mkdirs(live);
	dir = ramdir_create(roots, "unit-test", err, sizeof(err));
	CHECK(dir != NULL);
	if (dir) {
		char *want = xasprintf("%s/unit-test-%ld", base, (long)getpid());
		CHECK_STR(dir, want);
		CHECK(stat(dir, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700);
		free(want);
		CHECK_INT(remove_tree(dir), 0);
		free(dir);
	}
	CHECK_INT(access(dead, F_OK), -1);
	CHECK_INT(access(live, F_OK), 0);
	remove_tree(live);
	free(dead);
	free(live);
	free(base);
}

const struct test ramdir_tests[] = {
	{ "ramdir_none", test_ramdir_none },
	{ "ramdir_tmpfs", test_ramdir_tmpfs },
	{ NULL, NULL },
};
