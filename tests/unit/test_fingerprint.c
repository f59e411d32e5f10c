/* Fingerprints of source trees and the mark of a built env (src/env/fingerprint.c). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "tests.h"
#include "../../src/env/fingerprint.h"

static uint64_t tree_of(struct fx *f)
{
	struct strvec skip = STRVEC_INIT;
	uint64_t h;

	strvec_push(&skip, fx_path(f, "work"));
	h = fp_tree(FP_INIT, f->dir, &skip);
	strvec_clear(&skip);
	return h;
}

/* Set a file's modification time, so that a rewrite is seen even within one clock tick. */
static void touch(struct fx *f, const char *name, long sec)
{
	struct timespec ts[2] = { { sec, 0 }, { sec, 0 } };

	utimensat(AT_FDCWD, fx_path(f, name), ts, 0);
}

/* Source files count; caches, hidden files, the work folder and build output do not. */
static void test_fp_tree(void)
{
	struct fx f;
	uint64_t before;

	fx_init(&f);
	static const char *const dirs[] = { "pkg", ".tox", ".tox/py", "pkg/__pycache__", "work", "work/env",
					    "work/env/bin", "build", "build/lib", "build/lib/pkg", "src", "src/pkg.egg-info" };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++)
		fx_mkdir(&f, dirs[i]);
	fx_write(&f, "pkg/__init__.py", "x = 1\n");
	fx_write(&f, "pyproject.toml", "[project]\n");
	touch(&f, "pkg/__init__.py", 1000);
	before = tree_of(&f);
	CHECK(before == tree_of(&f));
	fx_write(&f, ".coverage", "data");
	fx_write(&f, ".tox/py/x", "1");
	fx_write(&f, "pkg/__pycache__/a.pyc", "1");
	fx_write(&f, "work/env/bin/python", "1");
	fx_write(&f, "build/lib/pkg/__init__.py", "1");
	fx_write(&f, "src/pkg.egg-info/PKG-INFO", "1");
	CHECK(before == tree_of(&f));
	/* a changed source file, a new one, a removed one: each a new fingerprint */
	fx_write(&f, "pkg/__init__.py", "x = 2\n");
	touch(&f, "pkg/__init__.py", 2000);
	uint64_t changed = tree_of(&f);
	CHECK(changed != before);
	fx_write(&f, "pkg/new.py", "");
	uint64_t added = tree_of(&f);
	CHECK(added != changed);
	remove(fx_path(&f, "pkg/new.py"));
	CHECK(tree_of(&f) == changed);
	fx_release(&f);
}

/* Words hash with their boundaries: ["ab", "c"] is not ["a", "bc"]. */
static void test_fp_words(void)
{
	struct strvec a = STRVEC_INIT, b = STRVEC_INIT;

	strvec_push(&a, "ab");
	strvec_push(&a, "c");
	strvec_push(&b, "a");
	strvec_push(&b, "bc");
	CHECK(fp_strvec(FP_INIT, &a) != fp_strvec(FP_INIT, &b));
	CHECK(fp_strvec(FP_INIT, &a) == fp_strvec(FP_INIT, &a));
	strvec_clear(&a);
	strvec_clear(&b);
}

/* A file's contents count, not its name alone; a missing file hashes differently from an empty one. */
static void test_fp_file(void)
{
	struct fx f;

	fx_init(&f);
	fx_write(&f, "req.txt", "idna\n");
	uint64_t one = fp_file(FP_INIT, fx_path(&f, "req.txt"));
	fx_write(&f, "req.txt", "idna>=3\n");
	CHECK(fp_file(FP_INIT, fx_path(&f, "req.txt")) != one);
	fx_write(&f, "empty.txt", "");
	CHECK(fp_file(FP_INIT, fx_path(&f, "empty.txt")) != fp_file(FP_INIT, fx_path(&f, "missing.txt")));
	fx_release(&f);
}

/* The mark round-trips; a missing or foreign one reads as none; clearing removes it. */
static void test_envmark(void)
{
	struct fx f;
	uint64_t s = 0, p = 0, r = 0;

	fx_init(&f);
	fx_mkdir(&f, "env");
	CHECK_INT(envmark_read(fx_path(&f, "env"), &s, &p, &r), -1);
	CHECK_INT(envmark_write(fx_path(&f, "env"), 0x123456789abcdef0ULL, 7, 9), 0);
	CHECK_INT(envmark_read(fx_path(&f, "env"), &s, &p, &r), 0);
	CHECK(s == 0x123456789abcdef0ULL && p == 7 && r == 9);
	envmark_clear(fx_path(&f, "env"));
	CHECK_INT(envmark_read(fx_path(&f, "env"), &s, &p, NULL), -1);
	fx_write(&f, "env/.blitz-env", "something else\n");
	CHECK_INT(envmark_read(fx_path(&f, "env"), &s, &p, NULL), -1);
	/* a mark written before the requirements were kept: they read as unknown */
	fx_write(&f, "env/.blitz-env", "blitz-env 1 setup 00000000000000aa package 00000000000000bb\n");
	CHECK_INT(envmark_read(fx_path(&f, "env"), &s, &p, &r), 0);
	CHECK(s == 0xaa && p == 0xbb && r == 0);
	/* no folder: writing fails, reading says none */
	CHECK_INT(envmark_write(fx_path(&f, "nowhere"), 1, 1, 0), -1);
	fx_release(&f);
}

/* By content: a file written again with the same bytes is no change, other bytes are, even with the old time. */
static void test_fp_tree_content(void)
{
	struct fx f;
	struct strvec skip = STRVEC_INIT, entries = STRVEC_INIT;
	struct stat st;
	struct timespec ts[2];
	char root[600];

	fx_init(&f);
	fx_mkdir(&f, "p");
	fx_mkdir(&f, "p/src");
	fx_write(&f, "p/src/a.py", "A = 1\n");
	fx_write(&f, "p/data.txt", "fixture\n");
	snprintf(root, sizeof(root), "%s", fx_path(&f, "p"));
	const char *cache = fx_path(&f, "cache");
	uint64_t first = fp_tree_content(FP_INIT, root, &skip, cache, &entries);
	CHECK_INT((int)entries.n, 2);
	CHECK(strstr(entries.v[0], " data.txt") && strstr(entries.v[1], " src/a.py"));
	CHECK(access(cache, F_OK) == 0);
	usleep(20000);
	fx_write(&f, "p/data.txt", "fixture\n");	/* a test writing its fixture again */
	CHECK(fp_tree_content(FP_INIT, root, &skip, cache, NULL) == first);
	stat(fx_path(&f, "p/src/a.py"), &st);
	ts[0] = st.st_atim;
	ts[1] = st.st_mtim;
	fx_write(&f, "p/src/a.py", "A = 2\n");	/* same size, its time put back: read again all the same */
	utimensat(AT_FDCWD, fx_path(&f, "p/src/a.py"), ts, 0);
	uint64_t changed = fp_tree_content(FP_INIT, root, &skip, NULL, NULL);
	CHECK(changed != first);
	strvec_push(&skip, fx_path(&f, "p/data.txt"));
	CHECK(fp_tree_content(FP_INIT, root, &skip, cache, NULL) != changed);
	strvec_clear(&skip);
	strvec_clear(&entries);
	fx_release(&f);
}

const struct test fingerprint_tests[] = {
	{ "fp_tree_content", test_fp_tree_content },
	{ "fp_tree", test_fp_tree },
	{ "fp_words", test_fp_words },
	{ "fp_file", test_fp_file },
	{ "envmark", test_envmark },
	{ NULL, NULL },
};
