/* What an env runs, in order: venv, deps, the project, commands. */
#include <string.h>

#include "fixture.h"
#include "harness.h"
#include "tests.h"
#include "../../src/run/steps.h"

static const char *argv_of(struct fx *f, const struct steps *s, size_t i)
{
	return i < s->n ? fx_join(f, &s->v[i].argv) : "(none)";
}

/* fx_ini for a project tox packages: a pyproject.toml beside tox.ini (without one, tox 4 installs none). */
static int project_ini(struct fx *f, const char *text, int tox3)
{
	fx_init(f);
	fx_write(f, "pyproject.toml", "[project]\nname = \"p\"\nversion = \"1\"\n");
	fx_write(f, "tox.ini", text);
	f->opts.tox3 = tox3;
	return fx_load(f);
}

static void test_steps_full_env(void)
{
	struct fx f;
	struct toxenv e;
	struct steps s = { 0 };

	CHECK_INT(project_ini(&f, "[testenv]\ndeps =\n    pytest>=7\n    -rrequirements.txt\nextras = tests, cov\n"
				   "commands_pre = python -V\ncommands =\n    pytest {posargs:-q}\n    - coverage report\n", 0), 0);
	CHECK_INT(fx_env(&f, "py312", &e), 0);
	steps_build(&e, "/usr/bin/python3.12", 0, f.dir, 0, &s);
	CHECK_INT(s.n, 6);
	CHECK_INT(s.v[0].kind, STEP_CREATE);
	const char *create = argv_of(&f, &s, 0);
	CHECK(strncmp(create, "/usr/bin/python3.12|-m|venv|", 28) == 0);
	CHECK(strstr(create, "/.tox/py312") != NULL);
	CHECK_INT(s.v[1].kind, STEP_DEPS);
	CHECK_STR(argv_of(&f, &s, 1), "python|-I|-m|pip|install|pytest>=7|-r|requirements.txt");
	CHECK_INT(s.v[2].kind, STEP_PACKAGE);
	CHECK(strstr(argv_of(&f, &s, 2), "|install|") != NULL);
	CHECK(strstr(argv_of(&f, &s, 2), "[tests,cov]") != NULL);
	CHECK_STR(argv_of(&f, &s, 3), "python|-V");
	CHECK_STR(argv_of(&f, &s, 4), "pytest|-q");
	CHECK_STR(argv_of(&f, &s, 5), "coverage|report");
	CHECK(s.v[5].ignore_exit && !s.v[4].ignore_exit);
	steps_release(&s);
	toxenv_release(&e);
	fx_release(&f);
}

static void test_steps_skip_install_and_develop(void)
{
	struct fx f;
	struct toxenv e;
	struct steps s = { 0 };

	CHECK_INT(project_ini(&f, "[testenv:lint]\nskip_install = true\ncommands = flake8\n[testenv:dev]\nuse_develop = true\n"
				   "[testenv:legacy]\npackage = editable-legacy\n", 0), 0);
	CHECK_INT(fx_env(&f, "lint", &e), 0);
	steps_build(&e, "/usr/bin/python3", 0, f.dir, 0, &s);
	/* no deps, no project: the venv and the command */
	CHECK_INT(s.n, 2);
	CHECK_STR(argv_of(&f, &s, 1), "flake8");
	steps_release(&s);
	toxenv_release(&e);
	CHECK_INT(fx_env(&f, "dev", &e), 0);
	steps_build(&e, "/usr/bin/python3", 0, f.dir, 0, &s);
	/* tox 4: usedevelop is a PEP 660 editable wheel, built like any package (run/package.c) */
	CHECK_INT(s.v[1].kind, STEP_PACKAGE);
	CHECK(strstr(argv_of(&f, &s, 1), "|-e|") == NULL);
	steps_release(&s);
	toxenv_release(&e);
	CHECK_INT(fx_env(&f, "legacy", &e), 0);
	steps_build(&e, "/usr/bin/python3", 0, f.dir, 0, &s);
	CHECK(strstr(argv_of(&f, &s, 1), "|install|-e|") != NULL);
	steps_release(&s);
	toxenv_release(&e);
	fx_release(&f);
	/* tox 3's usedevelop: pip install -e */
	CHECK_INT(project_ini(&f, "[testenv:dev]\nusedevelop = true\n", 1), 0);
	CHECK_INT(fx_env(&f, "dev", &e), 0);
	steps_build(&e, "/usr/bin/python3", 0, f.dir, 1, &s);
	CHECK(strstr(argv_of(&f, &s, 1), "|install|-e|") != NULL);
	steps_release(&s);
	toxenv_release(&e);
	fx_release(&f);
}

/* tox 3 keeps the ignore-exit dash in its argv; the step runs the command without it. */
static void test_steps_tox3_dash(void)
{
	struct fx f;
	struct toxenv e;
	struct steps s = { 0 };

	CHECK_INT(fx_ini(&f, "[testenv]\nskip_install = true\ncommands =\n    -git fetch\n    - git status\n", 1), 0);
	CHECK_INT(fx_env(&f, "py", &e), 0);
	steps_build(&e, "/usr/bin/python3", 0, f.dir, 1, &s);
	CHECK_INT(s.n, 3);
	CHECK_STR(argv_of(&f, &s, 1), "git|fetch");
	CHECK_STR(argv_of(&f, &s, 2), "git|status");
	CHECK(s.v[1].ignore_exit && s.v[2].ignore_exit);
	steps_release(&s);
	toxenv_release(&e);
	fx_release(&f);
}

/*
 * A venv blitz makes itself names only what it makes; any install_command,
 * tox's or the project's own, runs as written, and each install step knows
 * where its packages are among its words (for one pip run of deps and project).
 */
static void test_steps_direct_venv(void)
{
	struct fx f;
	struct toxenv e;
	struct steps s = { 0 };

	CHECK_INT(project_ini(&f, "[testenv]\ndeps = pytest\ncommands = pytest\n"
				   "[testenv:custom]\ninstall_command = python -m pip install --no-index {opts} {packages} --quiet\n", 0), 0);
	CHECK_INT(fx_env(&f, "py", &e), 0);
	steps_build(&e, "/usr/bin/python3", 1, f.dir, 0, &s);
	CHECK(s.direct_venv);
	CHECK(strncmp(argv_of(&f, &s, 0), "venv|", 5) == 0);
	CHECK_STR(argv_of(&f, &s, 1), "python|-I|-m|pip|install|pytest");
	CHECK(s.v[1].pkg_at == 5 && s.v[1].pkg_n == 1);
	steps_release(&s);
	toxenv_release(&e);
	CHECK_INT(fx_env(&f, "custom", &e), 0);
	steps_build(&e, "/usr/bin/python3", 0, f.dir, 0, &s);
	CHECK(!s.direct_venv);
	CHECK(strncmp(argv_of(&f, &s, 0), "/usr/bin/python3|-m|venv|", 25) == 0);
	CHECK_STR(argv_of(&f, &s, 1), "python|-m|pip|install|--no-index|pytest|--quiet");
	CHECK(s.v[1].pkg_at == 5 && s.v[1].pkg_n == 1);
	CHECK_INT(s.v[2].kind, STEP_PACKAGE);
	CHECK(s.v[2].pkg_at == 5 && s.v[2].pkg_n == 1 && strcmp(s.v[2].argv.v[6], "--quiet") == 0);
	steps_release(&s);
	toxenv_release(&e);
	fx_release(&f);
}

/* sitepackages = true: the venv sees the interpreter's own packages (tox's --system-site-packages). */
static void test_steps_sitepackages(void)
{
	struct fx f;
	struct toxenv e;
	struct steps s = { 0 };

	CHECK_INT(fx_ini(&f, "[testenv]\nskip_install = true\ncommands = pytest\n[testenv:site]\nsitepackages = true\n", 0), 0);
	CHECK_INT(fx_env(&f, "site", &e), 0);
	steps_build(&e, "/usr/bin/python3", 0, f.dir, 0, &s);
	CHECK(strstr(argv_of(&f, &s, 0), "|--system-site-packages|") != NULL);
	steps_release(&s);
	toxenv_release(&e);
	CHECK_INT(fx_env(&f, "py", &e), 0);
	steps_build(&e, "/usr/bin/python3", 0, f.dir, 0, &s);
	CHECK(strstr(argv_of(&f, &s, 0), "site-packages") == NULL);
	steps_release(&s);
	toxenv_release(&e);
	fx_release(&f);
}

/* The runner's own steps go in and out at any place, the others keeping their order. */
static void test_steps_insert_remove(void)
{
	struct fx f;
	struct toxenv e;
	struct steps s = { 0 };

	CHECK_INT(project_ini(&f, "[testenv]\ndeps = pytest\ncommands = pytest\n", 0), 0);
	CHECK_INT(fx_env(&f, "py", &e), 0);
	steps_build(&e, "/usr/bin/python3", 0, f.dir, 0, &s);
	CHECK_INT(s.n, 4);
	steps_insert(&s, 1, STEP_LAYER);
	steps_insert(&s, 3, STEP_WHEEL);
	CHECK_INT(s.n, 6);
	static const enum step_kind want[] = { STEP_CREATE, STEP_LAYER, STEP_DEPS, STEP_WHEEL, STEP_PACKAGE, STEP_COMMAND };
	for (size_t i = 0; i < 6; i++)
		CHECK_INT(s.v[i].kind, want[i]);
	CHECK_STR(s.v[5].argv.v[0], "pytest");
	steps_remove(&s, 2);
	CHECK_INT(s.n, 5);
	CHECK_INT(s.v[2].kind, STEP_WHEEL);
	CHECK_STR(s.v[4].argv.v[0], "pytest");
	steps_release(&s);
	toxenv_release(&e);
	fx_release(&f);
}

/* Which commands run pytest, where its arguments start, and the --junitxml they give. */
static void test_steps_pytest(void)
{
	static const struct {
		const char *cmd;
		long at;
		const char *junit;
	} cases[] = {
		{ "pytest -q tests", 1, NULL },
		{ "/e/bin/py.test --junitxml=r.xml", 1, "r.xml" },
		{ "python -m pytest --junit-xml out/x.xml tests", 3, "out/x.xml" },
		{ "python3.12 -X dev -m pytest", 5, NULL },
		{ "coverage run --parallel -m pytest -x", 5, NULL },
		{ "coverage report -m pytest", -1, NULL },
		{ "python -c pytest", -1, NULL },
		{ "python setup.py test", -1, NULL },
		{ "python -m pip install pytest", -1, NULL },
		{ "pytest -- --junitxml=not-an-option", 1, NULL },
		{ "mypy src", -1, NULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct strvec argv = STRVEC_INIT;
		strvec_split(&argv, cases[i].cmd, " ", 0);
		long at = steps_pytest_args(&argv);
		CHECK_INT(at, cases[i].at);
		if (at >= 0) {
			const char *j = steps_junit_option(&argv, (size_t)at);
			if (cases[i].junit)
				CHECK_STR(j, cases[i].junit);
			else
				CHECK(j == NULL);
		}
		strvec_clear(&argv);
	}
}

const struct test steps_tests[] = {
	{ "steps_pytest", test_steps_pytest },
	{ "steps_sitepackages", test_steps_sitepackages },
	{ "steps_insert_remove", test_steps_insert_remove },
	{ "steps_full_env", test_steps_full_env },
	{ "steps_skip_install_and_develop", test_steps_skip_install_and_develop },
	{ "steps_tox3_dash", test_steps_tox3_dash },
	{ "steps_direct_venv", test_steps_direct_venv },
	{ NULL, NULL },
};
