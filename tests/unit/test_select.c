/*
 * Choosing envs: -e (with generative names and ALL), TOXENV, -f, -m and
 * TOX_SKIP_ENV, and the "did you mean" error (tox-semantics.md §13).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "harness.h"
#include "tests.h"
#include "../../src/config/select.h"

/* Fill l with the values of a -e, -f or -m option (up to three; stops at the first NULL). */
static const struct strvec *list(struct strvec *l, const char *a, const char *b, const char *c)
{
	const char *items[] = { a, b, c };

	for (size_t i = 0; i < 3 && items[i]; i++)
		strvec_push(l, items[i]);
	return l;
}

/* select_envs() with so; the chosen names joined with '|', or "ERROR" (f->d filled). */
static const char *choose(struct fx *f, const struct select_opts *so)
{
	struct strvec out = STRVEC_INIT;
	const char *s;

	memset(&f->d, 0, sizeof(f->d));
	if (select_envs(&f->tox, so, &out, &f->d) < 0) {
		strvec_clear(&out);
		return "ERROR";
	}
	s = fx_join(f, &out);
	strvec_clear(&out);
	return s;
}

static const char *with_envs(struct fx *f, const char *a, const char *b)
{
	struct strvec l = STRVEC_INIT;
	struct select_opts so = { 0 };
	const char *s;

	so.envs = list(&l, a, b, NULL);
	s = choose(f, &so);
	strvec_clear(&l);
	return s;
}

static const char *with_factors(struct fx *f, const char *a, const char *b)
{
	struct strvec l = STRVEC_INIT;
	struct select_opts so = { 0 };
	const char *s;

	so.factors = list(&l, a, b, NULL);
	s = choose(f, &so);
	strvec_clear(&l);
	return s;
}

static const char *with_labels(struct fx *f, const char *a, const char *b)
{
	struct strvec l = STRVEC_INIT;
	struct select_opts so = { 0 };
	const char *s;

	so.labels = list(&l, a, b, NULL);
	s = choose(f, &so);
	strvec_clear(&l);
	return s;
}

static const char *with_skip(struct fx *f, const char *env, const char *skip)
{
	struct strvec l = STRVEC_INIT;
	struct select_opts so = { 0 };
	const char *s;

	if (env)
		so.envs = list(&l, env, NULL, NULL);
	so.skip_env = skip;
	s = choose(f, &so);
	strvec_clear(&l);
	return s;
}

static const char *const ini =
	"[tox]\n"
	"envlist = py{38,39}-{a,b}, docs\n"
	"[testenv]\n"
	"deps =\n"
	"    cov: pytest-cov\n"
	"[testenv:py38-c]\n"
	"[testenv:lint]\n";

static void test_select_default_envlist(void)
{
	struct fx f;
	struct select_opts so = { 0 };

	CHECK_INT(fx_ini(&f, ini, 0), 0);
	CHECK_STR(choose(&f, &so), "py38-a|py38-b|py39-a|py39-b|docs");
	fx_release(&f);
}

/*
 * tox 4 (EnvSelector, on_empty_fallback_py) runs "py"; tox 3 (_getenvdata:
 * env_list = all_envs) runs every [testenv:x] env, or "python" when there is
 * none (checked with tox 3.28).
 */
static void test_select_empty_envlist_fallback(void)
{
	struct fx f;
	struct select_opts so = { 0 };

	CHECK_INT(fx_ini(&f, "[testenv]\ncommands = pytest\n[testenv:lint]\n", 0), 0);
	CHECK_STR(choose(&f, &so), "py");
	fx_release(&f);
	CHECK_INT(fx_ini(&f, "[testenv]\ncommands = pytest\n[testenv:lint]\n", 1), 0);
	CHECK_STR(choose(&f, &so), "lint");
	fx_release(&f);
	CHECK_INT(fx_ini(&f, "[testenv]\ncommands = pytest\n", 1), 0);
	CHECK_STR(choose(&f, &so), "python");
	fx_release(&f);
}

/*
 * -e names may be generative (tox 3's _split_env expands them; blitz does so
 * for tox 4 too, where 4.11 would only split at commas) and comma-separated.
 */
static void test_select_e_generative(void)
{
	struct fx f;

	for (int tox3 = 0; tox3 <= 1; tox3++) {
		CHECK_INT(fx_ini(&f, ini, tox3), 0);
		CHECK_STR(with_envs(&f, "py{38,39}-a", "docs"), "py38-a|py39-a|docs");
		CHECK_STR(with_envs(&f, "lint,py38-c", NULL), "lint|py38-c");
		if (!tox3)	/* tox 4 keeps the first of each name */
			CHECK_STR(with_envs(&f, "docs", "lint,docs"), "docs|lint");
		fx_release(&f);
	}
}

/* ALL anywhere means every env -a lists. */
static void test_select_e_all(void)
{
	struct fx f;

	CHECK_INT(fx_ini(&f, ini, 0), 0);
	CHECK_STR(with_envs(&f, "ALL", NULL), "py38-a|py38-b|py39-a|py39-b|docs|py38-c|lint|cov");
	CHECK_STR(with_envs(&f, "docs,ALL", NULL), "py38-a|py38-b|py39-a|py39-b|docs|py38-c|lint|cov");
	fx_release(&f);
}

/* TOXENV is used when there is no -e. */
static void test_select_toxenv(void)
{
	struct fx f;
	struct strvec l = STRVEC_INIT;
	struct select_opts so = { 0 };

	CHECK_INT(fx_ini(&f, ini, 0), 0);
	so.toxenv = "lint,docs";
	CHECK_STR(choose(&f, &so), "lint|docs");
	so.envs = list(&l, "py38-c", NULL, NULL);
	CHECK_STR(choose(&f, &so), "py38-c");
	strvec_clear(&l);
	fx_release(&f);
}

/* -f: each value is a group of factors an env must all have; several -f values: any group (tox 4). */
static void test_select_factors(void)
{
	struct fx f;

	CHECK_INT(fx_ini(&f, ini, 0), 0);
	CHECK_STR(with_factors(&f, "py38", NULL), "py38-a|py38-b|py38-c");
	CHECK_STR(with_factors(&f, "py38", "a"), "py38-a|py38-b|py39-a|py38-c");
	CHECK_STR(with_factors(&f, "b", NULL), "py38-b|py39-b");
	CHECK_STR(with_factors(&f, "nope", NULL), "");
	fx_release(&f);
}

/* tox 4 splits each -f value at '-': "-f py38-a" is "-f py38 a". */
static void test_select_factors_dashed(void)
{
	struct fx f;

	CHECK_INT(fx_ini(&f, ini, 0), 0);
	CHECK_STR(with_factors(&f, "py38-a", NULL), "py38-a");
	CHECK_STR(with_factors(&f, "a-py39", NULL), "py39-a");
	fx_release(&f);
}

/* -m: the envs [tox] labels lists, and the envs whose own labels (conditions applied) name it. */
static void test_select_labels(void)
{
	struct fx f;

	CHECK_INT(fx_ini(&f,
			 "[tox]\n"
			 "envlist = py38, py39, flake8, mypy\n"
			 "labels =\n"
			 "    lint = mypy, flake8\n"
			 "[testenv]\n"
			 "labels =\n"
			 "    test\n"
			 "    py38: fast\n"
			 "[testenv:docs]\n"
			 "labels = doc, ci\n",
			 0), 0);
	CHECK_STR(with_labels(&f, "lint", NULL), "flake8|mypy");
	CHECK_STR(with_labels(&f, "ci", NULL), "docs");
	CHECK_STR(with_labels(&f, "lint", "ci"), "flake8|mypy|docs");
	CHECK_STR(with_labels(&f, "fast", NULL), "py38");
	CHECK_STR(with_labels(&f, "test", NULL), "py38|py39|flake8|mypy");
	CHECK_STR(with_labels(&f, "nope", NULL), "");
	fx_release(&f);
}

/* tox 4 adds the envs [tox] labels names to its envs, so -m runs them even without a section. */
static void test_select_labels_only_envs(void)
{
	struct fx f;

	CHECK_INT(fx_ini(&f, "[tox]\nenvlist = py38\nlabels = lint = flake8, mypy\n", 0), 0);
	CHECK_STR(with_labels(&f, "lint", NULL), "flake8|mypy");
	fx_release(&f);
}

/* TOX_SKIP_ENV is matched at the start of the name only (re.match), not the whole name. */
static void test_select_skip_env(void)
{
	struct fx f;

	CHECK_INT(fx_ini(&f, "[tox]\nenvlist = py38, py38-lint, lint-py38, py39, docs\n", 0), 0);
	CHECK_STR(with_skip(&f, NULL, "py38"), "lint-py38|py39|docs");
	CHECK_STR(with_skip(&f, NULL, "py3[89]$"), "py38-lint|lint-py38|docs");
	CHECK_STR(with_skip(&f, NULL, ".*lint"), "py38|py39|docs");
	CHECK_STR(with_skip(&f, "ALL", "docs|py39"), "py38|py38-lint|lint-py38");
	CHECK_STR(with_skip(&f, "docs,py38", "docs"), "py38");
	fx_release(&f);
}

/* Python's re syntax: \d is a digit. */
static void test_select_skip_env_python_regex(void)
{
	struct fx f;

	CHECK_INT(fx_ini(&f, "[tox]\nenvlist = py38, py39, docs\n", 0), 0);
	CHECK_STR(with_skip(&f, NULL, "py\\d+"), "docs");
	fx_release(&f);
}

static void test_select_skip_env_invalid(void)
{
	struct fx f;

	CHECK_INT(fx_ini(&f, "[tox]\nenvlist = py38\n", 0), 0);
	CHECK_STR(with_skip(&f, NULL, "py(38"), "ERROR");
	CHECK(strstr(f.d.msg, "py(38") != NULL);
	fx_release(&f);
}

/* An -e name with a factor nothing defines is an error that suggests the closest name. */
static void test_select_unknown_env_suggestion(void)
{
	struct fx f;

	CHECK_INT(fx_ini(&f, "[tox]\nenvlist = py38-django, lint\n", 0), 0);
	CHECK_STR(with_envs(&f, "py38-djang", NULL), "ERROR");
	CHECK(strstr(f.d.msg, "py38-djang") != NULL);
	CHECK(strstr(f.d.msg, "did you mean") != NULL);
	CHECK(strstr(f.d.msg, "py38-django") != NULL);
	CHECK_STR(with_envs(&f, "lnt", NULL), "ERROR");
	CHECK(strstr(f.d.msg, "lint") != NULL);
	/* nothing close: no suggestion */
	CHECK_STR(with_envs(&f, "zzzzzzzz", NULL), "ERROR");
	CHECK(strstr(f.d.msg, "zzzzzzzz") != NULL);
	CHECK(strstr(f.d.msg, "did you mean") == NULL);
	fx_release(&f);
}

/* Known factors (also from conditions) combine freely; Python versions need no definition. */
static void test_select_known_factors(void)
{
	struct fx f;

	CHECK_INT(fx_ini(&f, "[tox]\nenvlist = py38-sqlite, lint\n[testenv]\ndeps = cov: pytest-cov\n", 0), 0);
	CHECK_STR(with_envs(&f, "py312-sqlite-cov", NULL), "py312-sqlite-cov");
	CHECK_STR(with_envs(&f, "lint-cov", NULL), "lint-cov");
	CHECK_STR(with_envs(&f, "py313", "3.14"), "py313|3.14");
	CHECK_STR(with_envs(&f, "pypy310-sqlite", NULL), "pypy310-sqlite");
	CHECK_STR(with_envs(&f, "py313-mysql", NULL), "ERROR");
	fx_release(&f);
}

/*
 * tox 4.58's -e rule (each name checked with tox 4.58): a factor found only
 * inside a [testenv:a-b] header does not combine ("cov", "mypy"), a whole
 * header name does; marker factors and Python versions (free-threaded,
 * pre-releases) do; a dotted version of a known name is refused for it.
 */
static void test_select_known_factors_tox458(void)
{
	static const char *const ok[] = { "mypy-cov", "py312-sqlite-mysql", "py312t-lint", "rc.1-lint", "3.14",
					  "py3.12.1-lint", NULL };
	static const char *const refused[] = { "py312-sqlite-cov", "py3.8-sqlite", "mypy-lint", "a--lint", NULL };
	struct fx f;

	CHECK_INT(fx_ini(&f, "[tox]\nenvlist = py38-sqlite, lint\n[testenv]\ndeps = mysql: x\n[testenv:mypy-cov]\n", 0), 0);
	for (int i = 0; ok[i]; i++)
		CHECK_STR(with_envs(&f, ok[i], NULL), ok[i]);
	for (int i = 0; refused[i]; i++)
		CHECK_STR(with_envs(&f, refused[i], NULL), "ERROR");
	CHECK_STR(with_envs(&f, "py3.8-sqlite", NULL), "ERROR");
	CHECK(strstr(f.d.msg, "'py38-sqlite'") != NULL);
	CHECK_INT(f.d.line, 2);
	fx_release(&f);
}

/*
 * The interpreter GitHub Actions puts on PATH, as blitz's interpreter probe
 * would report it (a stand-in: the test cannot be a GitHub runner).
 */
static int job_python(const char *spec, int *major, int *minor, char *impl, size_t implsz)
{
	(void)spec;
	*major = 3;
	*minor = 11;
	snprintf(impl, implsz, "cpython");
	return 0;
}

/* tox-gh-actions' table: in GitHub Actions the job's Python picks the envs; elsewhere the envlist stands. */
static void test_select_gh_actions(void)
{
	struct fx f;
	struct select_opts so = { 0 };

	CHECK_INT(fx_ini(&f, "[tox]\nenvlist = py{310,311}-{a,b}, lint, docs\n[gh-actions]\npython =\n    3.10: py310\n    3.11: py311, lint\n", 0), 0);
	f.tox.python_info = job_python;
	unsetenv("GITHUB_ACTIONS");
	CHECK_STR(choose(&f, &so), "py310-a|py310-b|py311-a|py311-b|lint|docs");
	setenv("GITHUB_ACTIONS", "true", 1);
	CHECK_STR(choose(&f, &so), "py311-a|py311-b|lint");
	CHECK(strstr(f.tox.note, "Python 3.11") != NULL);
	/* naming envs still wins */
	so.toxenv = "docs";
	CHECK_STR(choose(&f, &so), "docs");
	fx_release(&f);
}

const struct test select_tests[] = {
	{ "select_known_factors_tox458", test_select_known_factors_tox458 },
	{ "select_gh_actions", test_select_gh_actions },
	{ "select_default_envlist", test_select_default_envlist },
	{ "select_empty_envlist_fallback", test_select_empty_envlist_fallback },
	{ "select_e_generative", test_select_e_generative },
	{ "select_e_all", test_select_e_all },
	{ "select_toxenv", test_select_toxenv },
	{ "select_factors", test_select_factors },
	{ "select_factors_dashed", test_select_factors_dashed },
	{ "select_labels", test_select_labels },
	{ "select_labels_only_envs", test_select_labels_only_envs },
	{ "select_skip_env", test_select_skip_env },
	{ "select_skip_env_python_regex", test_select_skip_env_python_regex },
	{ "select_skip_env_invalid", test_select_skip_env_invalid },
	{ "select_unknown_env_suggestion", test_select_unknown_env_suggestion },
	{ "select_known_factors", test_select_known_factors },
	{ NULL, NULL },
};
