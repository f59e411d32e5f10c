/*
 * Finding interpreters: a pyenv shim that exists but fails is no interpreter,
 * the version asked for is checked, PATH comes before pyenv's versions folder.
 * Stand-in interpreters are small shell scripts (the test cannot install
 * Pythons); the last test uses the real ones when the machine has pyenv's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"
#include "tests.h"
#include "../../src/env/interp.h"

/* Write an executable script name in folder dir (relative to the fixture). */
static void script(struct fx *f, const char *dir, const char *name, const char *body)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "%s/%s", dir, name);
	fx_write(f, rel, body);
	chmod(fx_path(f, rel), 0755);
}

static void test_interp_skips_failing_shim(void)
{
	struct fx f;
	struct interp in;
	char path[2048];

	fx_init(&f);
	fx_mkdir(&f, "shims");
	fx_mkdir(&f, "real");
	/* like pyenv's shim without PYENV_VERSION: exists, fails */
	script(&f, "shims", "python3.11", "#!/bin/sh\necho 'pyenv: python3.11: command not found' >&2\nexit 127\n");
	script(&f, "real", "python3.11", "#!/bin/sh\nprintf '3 11 cpython'\n");
	snprintf(path, sizeof(path), "PATH=%s:%s", fx_path(&f, "shims"), fx_path(&f, "real"));
	putenv(path);
	setenv("PYENV_ROOT", fx_path(&f, "no-pyenv"), 1);
	CHECK_INT(interp_find("py311", &in), 0);
	CHECK_STR(in.path, fx_path(&f, "real/python3.11"));
	CHECK_INT(in.major, 3);
	CHECK_INT(in.minor, 11);
	fx_release(&f);
}

/* An interpreter whose version is not the one asked for does not count. */
static void test_interp_checks_version(void)
{
	struct fx f;
	struct interp in;
	char path[2048];

	fx_init(&f);
	fx_mkdir(&f, "bin");
	script(&f, "bin", "python3.12", "#!/bin/sh\nprintf '3 11 cpython'\n");
	snprintf(path, sizeof(path), "PATH=%s", fx_path(&f, "bin"));
	putenv(path);
	setenv("PYENV_ROOT", fx_path(&f, "no-pyenv"), 1);
	CHECK_INT(interp_find("py312", &in), -1);
	fx_release(&f);
}

/* Not on PATH: pyenv's versions folder. */
static void test_interp_pyenv_versions(void)
{
	struct fx f;
	struct interp in;

	fx_init(&f);
	fx_mkdir(&f, "pyenv");
	fx_mkdir(&f, "pyenv/versions");
	fx_mkdir(&f, "pyenv/versions/3.9.18");
	fx_mkdir(&f, "pyenv/versions/3.9.18/bin");
	script(&f, "pyenv/versions/3.9.18/bin", "python3.9", "#!/bin/sh\nprintf '3 9 cpython'\n");
	setenv("PATH", "/nonexistent", 1);
	setenv("PYENV_ROOT", fx_path(&f, "pyenv"), 1);
	CHECK_INT(interp_find("py3.9", &in), 0);
	CHECK_STR(in.path, fx_path(&f, "pyenv/versions/3.9.18/bin/python3.9"));
	CHECK_INT(interp_find("py38", &in), -1);
	fx_release(&f);
}

/* The machine's own interpreters, when pyenv put them there (Debian's python3 always). */
static void test_interp_real(void)
{
	struct interp in;

	setenv("PATH", "/usr/bin:/bin", 1);
	CHECK_INT(interp_find("python3", &in), 0);
	CHECK_INT(in.major, 3);
	/* and pyenv's 3.8 where pyenv installed one (CI's machine has it; a laptop may not) */
	const char *home = getenv("HOME");
	char root[1024], v38[1100];
	snprintf(root, sizeof(root), "%s/.pyenv", home ? home : "/root");
	snprintf(v38, sizeof(v38), "%s/versions/3.8.18/bin/python3.8", root);
	if (access(v38, X_OK) == 0) {
		setenv("PYENV_ROOT", root, 1);
		CHECK_INT(interp_find("py38", &in), 0);
		CHECK_INT(in.major, 3);
		CHECK_INT(in.minor, 8);
	}
}

static int lookups, stores;

static int fake_lookup(void *ctx, const char *real, long long size, long long mtime_ns, int version[3],
		       char *impl, size_t implsz)
{
	lookups++;
	if (!ctx)
		return -1;
	version[0] = 3;	/* an answer no interpreter here gives: proof that none was run */
	version[1] = 42;
	version[2] = 0;
	snprintf(impl, implsz, "cpython");
	return 0;
}

static void fake_store(void *ctx, const char *real, long long size, long long mtime_ns, const int version[3],
		       const char *impl)
{
	stores++;
}

/* Probes go through the cache (the state db) for binaries only: a script answers by its environment. */
static void test_interp_cache(void)
{
	struct fx f;
	struct interp in;
	struct interp_cache miss = { fake_lookup, fake_store, NULL }, hit = { fake_lookup, fake_store, &hit };

	fx_init(&f);
	interp_set_cache(&miss);
	CHECK_INT(interp_find("/usr/bin/python3", &in), 0);
	CHECK(lookups == 1 && stores == 1 && in.major == 3 && in.minor != 42);
	interp_set_cache(&hit);
	CHECK_INT(interp_find("/usr/bin/python3.11", &in), 0);
	CHECK(lookups == 2 && stores == 1 && in.minor == 42);
	CHECK_STR(in.path, "/usr/bin/python3.11");
	/* a script, such as a pyenv shim, is always asked */
	script(&f, ".", "python3.9", "#!/bin/sh\nprintf '3 9 cpython'\n");
	CHECK_INT(interp_find(fx_path(&f, "python3.9"), &in), 0);
	CHECK(lookups == 2 && stores == 1 && in.minor == 9);
	interp_set_cache(NULL);
	fx_release(&f);
}

const struct test interp_tests[] = {
	{ "interp_cache", test_interp_cache },
	{ "interp_skips_failing_shim", test_interp_skips_failing_shim },
	{ "interp_checks_version", test_interp_checks_version },
	{ "interp_pyenv_versions", test_interp_pyenv_versions },
	{ "interp_real", test_interp_real },
	{ NULL, NULL },
};
