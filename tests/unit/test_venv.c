/* Venvs blitz makes itself (src/env/venv.c) and seeds with pip, setuptools and wheel (src/env/seed.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.h"
#include "tests.h"
#include "../../src/env/interp.h"
#include "../../src/env/seed.h"
#include "../../src/env/venv.h"
#include "../../src/util/util.h"

static struct interp fake_interp(struct fx *f, int minor)
{
	struct interp in;
	char rel[64];

	memset(&in, 0, sizeof(in));
	if (access(fx_path(f, "py"), F_OK) != 0) {
		fx_mkdir(f, "py");
		fx_mkdir(f, "py/bin");
	}
	snprintf(rel, sizeof(rel), "py/bin/python3.%d", minor);
	fx_write(f, rel, "");
	snprintf(in.path, sizeof(in.path), "%s", fx_path(f, rel));
	snprintf(in.impl, sizeof(in.impl), "cpython");
	in.major = 3;
	in.minor = minor;
	in.micro = 4;
	return in;
}

static const char *link_of(struct fx *f, const char *rel)
{
	static char target[4096];
	ssize_t n = readlink(fx_path(f, rel), target, sizeof(target) - 1);

	target[n < 0 ? 0 : n] = '\0';
	return target;
}

/* The layout `python -m venv` makes, and a pyvenv.cfg whose home is the interpreter's folder. */
static void test_venv_layout(void)
{
	struct fx f;
	struct interp in;
	struct venv_opts o = { 0 };
	char err[512];
	size_t len;

	fx_init(&f);
	in = fake_interp(&f, 12);
	CHECK_INT(venv_create(fx_path(&f, "env"), &in, &o, err, sizeof(err)), 0);
	CHECK_STR(link_of(&f, "env/bin/python"), in.path);
	CHECK_STR(link_of(&f, "env/bin/python3"), "python");
	CHECK_STR(link_of(&f, "env/bin/python3.12"), "python");
	CHECK(access(fx_path(&f, "env/CACHEDIR.TAG"), F_OK) == 0);
	CHECK(access(fx_path(&f, "env/lib/python3.12/site-packages"), F_OK) == 0);
	CHECK(access(fx_path(&f, "env/include"), F_OK) == 0);
	CHECK(access(fx_path(&f, "env/bin/activate"), F_OK) == 0);
	char *cfg = read_file(fx_path(&f, "env/pyvenv.cfg"), &len);
	char *want = xasprintf("home = %s\n", fx_path(&f, "py/bin"));
	CHECK(cfg && strncmp(cfg, want, strlen(want)) == 0);
	CHECK(cfg && strstr(cfg, "include-system-site-packages = false\n") && strstr(cfg, "version = 3.12.4\n"));
	free(want);
	free(cfg);
	char *site = venv_site_packages(fx_path(&f, "env"), &in);
	CHECK_STR(site, fx_path(&f, "env/lib/python3.12/site-packages"));
	free(site);
	/* again over it: cleared, only with clear */
	CHECK_INT(venv_create(fx_path(&f, "env"), &in, &o, err, sizeof(err)), -1);
	fx_write(&f, "env/lib/python3.12/site-packages/old.py", "");
	o.clear = 1;
	o.system_site_packages = 1;
	CHECK_INT(venv_create(fx_path(&f, "env"), &in, &o, err, sizeof(err)), 0);
	CHECK(access(fx_path(&f, "env/lib/python3.12/site-packages/old.py"), F_OK) != 0);
	cfg = read_file(fx_path(&f, "env/pyvenv.cfg"), &len);
	CHECK(cfg && strstr(cfg, "include-system-site-packages = true\n"));
	free(cfg);
	fx_release(&f);
}

/* A folder that is not blitz's to clear is never touched: not a venv, or a symbolic link to one. */
static void test_venv_refuses(void)
{
	struct fx f;
	struct interp in;
	struct venv_opts o = { .clear = 1 };
	char err[512];

	fx_init(&f);
	in = fake_interp(&f, 11);
	fx_mkdir(&f, "project");
	fx_write(&f, "project/setup.py", "");
	CHECK_INT(venv_create(fx_path(&f, "project"), &in, &o, err, sizeof(err)), -1);
	CHECK(strstr(err, "not an empty folder or a venv") != NULL);
	CHECK(access(fx_path(&f, "project/setup.py"), F_OK) == 0);
	CHECK_INT(venv_create(fx_path(&f, "real"), &in, &o, err, sizeof(err)), 0);
	fx_write(&f, "real/mine.txt", "");
	CHECK_INT(symlink(fx_path(&f, "real"), fx_path(&f, "alias")), 0);
	CHECK_INT(venv_create(fx_path(&f, "alias"), &in, &o, err, sizeof(err)), -1);
	CHECK(strstr(err, "symbolic link") != NULL);
	CHECK(access(fx_path(&f, "real/mine.txt"), F_OK) == 0);
	/* a venv left half-made (pyvenv.cfg and some folders) is blitz's to make again */
	fx_mkdir(&f, "half");
	fx_write(&f, "half/pyvenv.cfg", "home = /x\n");
	fx_mkdir(&f, "half/lib");
	CHECK_INT(venv_create(fx_path(&f, "half"), &in, &o, err, sizeof(err)), 0);
	/* what venv does not make */
	in.impl[0] = 'p';
	CHECK_INT(venv_create(fx_path(&f, "pypy"), &in, &o, err, sizeof(err)), -1);
	fx_release(&f);
}

/* The wheel tried first for dist, or "". */
static const char *first(const struct seed_plan *p, int dist)
{
	return p->wheels[dist].n ? p->wheels[dist].v[0] : "";
}

/* Which wheels seed a venv: the interpreter's bundle, by version; and as the VIRTUALENV_* variables say. */
static void test_seed_choose(void)
{
	struct fx f;
	struct interp in;
	struct seed_plan p;

	fx_init(&f);
	setenv("HOME", fx_path(&f, "home"), 1);	/* no virtualenv wheel house of this machine's */
	unsetenv("XDG_DATA_HOME");
	in = fake_interp(&f, 11);
	fx_mkdir(&f, "py/lib");
	fx_mkdir(&f, "py/lib/python3.11");
	fx_mkdir(&f, "py/lib/python3.11/ensurepip");
	fx_mkdir(&f, "py/lib/python3.11/ensurepip/_bundled");
	fx_write(&f, "py/lib/python3.11/ensurepip/_bundled/pip-23.2.1-py3-none-any.whl", "");
	fx_write(&f, "py/lib/python3.11/ensurepip/_bundled/pip-9.0.1-py2.py3-none-any.whl", "");
	fx_write(&f, "py/lib/python3.11/ensurepip/_bundled/setuptools-65.5.0-py3-none-any.whl", "");
	fx_mkdir(&f, "extra");
	fx_write(&f, "extra/wheel-0.41.2-py3-none-any.whl", "");
	fx_write(&f, "extra/pip-22.0.4-py3-none-any.whl", "");
	seed_choose(&in, NULL, &p);
	CHECK_STR(first(&p, SEED_PIP), fx_path(&f, "py/lib/python3.11/ensurepip/_bundled/pip-23.2.1-py3-none-any.whl"));
	CHECK_STR(first(&p, SEED_SETUPTOOLS), fx_path(&f, "py/lib/python3.11/ensurepip/_bundled/setuptools-65.5.0-py3-none-any.whl"));
	CHECK_STR(first(&p, SEED_WHEEL), "");
	CHECK_STR(p.note, "");
	seed_plan_release(&p);
	/* virtualenv's wheel house (tox's seeds) comes in newest first, the others after it to fall back on */
	fx_mkdir(&f, "home");
	fx_mkdir(&f, "home/.local");
	fx_mkdir(&f, "home/.local/share");
	fx_mkdir(&f, "home/.local/share/virtualenv");
	fx_mkdir(&f, "home/.local/share/virtualenv/wheel");
	fx_mkdir(&f, "home/.local/share/virtualenv/wheel/house");
	fx_write(&f, "home/.local/share/virtualenv/wheel/house/pip-26.1.2-py3-none-any.whl", "");
	seed_choose(&in, NULL, &p);
	CHECK_STR(first(&p, SEED_PIP), fx_path(&f, "home/.local/share/virtualenv/wheel/house/pip-26.1.2-py3-none-any.whl"));
	CHECK(p.wheels[SEED_PIP].n >= 2 && strstr(p.wheels[SEED_PIP].v[1], "pip-23.2.1") != NULL);
	seed_plan_release(&p);
	char *env1[] = { "VIRTUALENV_NO_SETUPTOOLS=1", "VIRTUALENV_WHEEL=0.41.2", NULL };
	char *search = xconcat("VIRTUALENV_EXTRA_SEARCH_DIR=", fx_path(&f, "extra"), NULL);
	char *env2[] = { "VIRTUALENV_NO_SETUPTOOLS=1", "VIRTUALENV_WHEEL=0.41.2", search, "VIRTUALENV_PIP=22.0", NULL };
	seed_choose(&in, env2, &p);
	CHECK_STR(first(&p, SEED_PIP), fx_path(&f, "extra/pip-22.0.4-py3-none-any.whl"));
	CHECK_STR(first(&p, SEED_SETUPTOOLS), "");
	CHECK_STR(first(&p, SEED_WHEEL), fx_path(&f, "extra/wheel-0.41.2-py3-none-any.whl"));
	seed_plan_release(&p);
	/* asked for and not found: left out, with a note */
	seed_choose(&in, env1, &p);
	CHECK_STR(first(&p, SEED_WHEEL), "");
	CHECK(strstr(p.note, "no wheel wheel of version 0.41.2") != NULL);
	seed_plan_release(&p);
	char *env3[] = { "VIRTUALENV_NO_SEED=true", NULL };
	seed_choose(&in, env3, &p);
	CHECK_STR(first(&p, SEED_PIP), "");
	/* 3.12 and later: no setuptools */
	in = fake_interp(&f, 12);
	fx_mkdir(&f, "py/lib/python3.12");
	fx_mkdir(&f, "py/lib/python3.12/ensurepip");
	fx_mkdir(&f, "py/lib/python3.12/ensurepip/_bundled");
	fx_write(&f, "py/lib/python3.12/ensurepip/_bundled/pip-24.0-py3-none-any.whl", "");
	seed_choose(&in, NULL, &p);
	CHECK(strstr(first(&p, SEED_PIP), "pip-24.0-") != NULL || strstr(first(&p, SEED_PIP), "pip-26.1.2-") != NULL);
	CHECK_STR(first(&p, SEED_SETUPTOOLS), "");
	seed_plan_release(&p);
	free(search);
	fx_release(&f);
}

/* Run argv, its output into out; its exit status. */
static int run(char *const argv[], char *out, size_t outsz)
{
	int fds[2], status;
	ssize_t n, got = 0;
	pid_t pid;

	if (pipe(fds) < 0 || (pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		close(fds[0]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	while (got < (ssize_t)outsz - 1 && (n = read(fds[0], out + got, outsz - 1 - (size_t)got)) > 0)
		got += n;
	out[got] = '\0';
	close(fds[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* A real venv of this machine's python3, seeded: pip runs from it, as a command and as a module. */
static void test_seed_real(void)
{
	struct fx f;
	struct interp in;
	struct seed_plan p;
	struct venv_opts o = { 0 };
	char err[512], image[4096], out[4096];

	if (interp_find("/usr/bin/python3", &in) < 0) {
		printf("    skipped: no /usr/bin/python3\n");
		return;
	}
	fx_init(&f);
	setenv("XDG_CACHE_HOME", fx_path(&f, "cache"), 1);
	seed_choose(&in, NULL, &p);
	if (!p.wheels[SEED_PIP].n) {
		printf("    skipped: no pip wheel for %s\n", in.path);
		seed_plan_release(&p);
		fx_release(&f);
		return;
	}
	CHECK_INT(venv_create(fx_path(&f, "env"), &in, &o, err, sizeof(err)), 0);
	for (int i = 0; i < SEED_DISTS; i++) {
		int rc = 1;
		for (size_t k = 0; k < p.wheels[i].n && rc == 1; k++)
			rc = seed_image(&in, p.wheels[i].v[k], image, sizeof(image), err, sizeof(err));
		if (!p.wheels[i].n)
			continue;
		CHECK_INT(rc, 0);
		CHECK_INT(seed_install(image, fx_path(&f, "env"), &in, err, sizeof(err)), 0);
	}
	seed_plan_release(&p);
	/* a wheel whose Requires-Python excludes this interpreter is passed over (1), the next one tried */
	char *mk[] = { "/usr/bin/python3", "-c",
		       "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1], 'w'); "
		       "z.writestr('pip-99.0.dist-info/METADATA', 'Metadata-Version: 2.1\\nName: pip\\nVersion: 99.0\\n"
		       "Requires-Python: >=3.99\\n'); z.close()",
		       (char *)fx_path(&f, "pip-99.0-py3-none-any.whl"), NULL };
	CHECK_INT(run(mk, out, sizeof(out)), 0);
	CHECK_INT(seed_image(&in, fx_path(&f, "pip-99.0-py3-none-any.whl"), image, sizeof(image), err, sizeof(err)), 1);
	char *pip[] = { (char *)fx_path(&f, "env/bin/pip"), "--version", NULL };
	CHECK_INT(run(pip, out, sizeof(out)), 0);
	CHECK(strstr(out, fx_path(&f, "env/lib/")) != NULL);
	char *list[] = { (char *)fx_path(&f, "env/bin/python"), "-m", "pip", "list", "--format", "freeze", NULL };
	CHECK_INT(run(list, out, sizeof(out)), 0);
	CHECK(strncmp(out, "pip==", 5) == 0 || strstr(out, "\npip==") != NULL);
	/* its files are links to the image: a second venv costs no copy */
	struct stat st;
	char *site = venv_site_packages(fx_path(&f, "env"), &in);
	char *init = xconcat(site, "/pip/__init__.py", NULL);
	CHECK(stat(init, &st) == 0 && st.st_nlink >= 2);
	free(site);
	free(init);
	fx_release(&f);
}

const struct test venv_tests[] = {
	{ "venv_layout", test_venv_layout },
	{ "venv_refuses", test_venv_refuses },
	{ "seed_choose", test_seed_choose },
	{ "seed_real", test_seed_real },
	{ NULL, NULL },
};
