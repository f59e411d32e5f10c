/*
 * The typed settings of an env (set_env, commands, deps, base_python, flags,
 * lists), through the public API: small tox.ini files loaded with tox_load()
 * and resolved with tox_env_resolve() (tox-semantics.md §7-§11).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"
#include "tests.h"

/* --- set_env ----------------------------------------------------------------- */

/* A line holding only a substitution expands into entries, filtered for the calling env. */
static void test_setenv_substitution_line(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f,
			 "[testenv]\n"
			 "set_env =\n"
			 "  A = 1\n"
			 "  py38: B = 2\n"
			 "[testenv:py{38,39}-x]\n"
			 "set_env =\n"
			 "  {[testenv]set_env}\n"
			 "  C = 3\n",
			 0), 0);
	CHECK_INT(fx_env(&f, "py38-x", &e), 0);
	CHECK_STR(fx_setenv(&e, "A"), "1");
	CHECK_STR(fx_setenv(&e, "B"), "2");
	CHECK_STR(fx_setenv(&e, "C"), "3");
	toxenv_release(&e);
	CHECK_INT(fx_env(&f, "py39-x", &e), 0);
	CHECK_STR(fx_setenv(&e, "A"), "1");
	CHECK(fx_setenv(&e, "B") == NULL);
	CHECK_STR(fx_setenv(&e, "C"), "3");
	toxenv_release(&e);
	fx_release(&f);
}

/* file|PATH reads KEY=VALUE lines (blank and '#' lines skipped), relative to {toxinidir}. */
static void test_setenv_file_lines(void)
{
	struct fx f;
	struct toxenv e;

	fx_init(&f);
	fx_write(&f, "a.env", "F=1\n# comment\n\n  G = 2  \nH=a=b\n");
	fx_write(&f, "b.env", "J=from-b\n");
	fx_write(&f, "tox.ini", "[testenv]\nset_env =\n  file|a.env\n  file|{toxinidir}/b.env\n  I = inline\n");
	CHECK_INT(fx_load(&f), 0);
	CHECK_INT(fx_env(&f, "py", &e), 0);
	CHECK_STR(fx_setenv(&e, "F"), "1");
	CHECK_STR(fx_setenv(&e, "G"), "2");
	CHECK_STR(fx_setenv(&e, "H"), "a=b");
	CHECK_STR(fx_setenv(&e, "J"), "from-b");
	CHECK_STR(fx_setenv(&e, "I"), "inline");
	CHECK(fx_setenv(&e, "# comment") == NULL);
	toxenv_release(&e);
	fx_release(&f);
}

/*
 * tox 4.58 (SetEnv.use_replacer): an env file replaces what the lines before
 * its file| line set, not what the lines after it set (4.11: the file won
 * over every line); it wins over a substitution line's entries. Checked with
 * tox 4.58.
 */
static void test_setenv_file_overrides_inline(void)
{
	struct fx f;
	struct toxenv e;

	fx_init(&f);
	fx_write(&f, "a.env", "F=from-file\nG=from-file\nH=from-file\n");
	fx_write(&f, "tox.ini", "[x]\nset_env = H=ref\n[testenv]\nset_env =\n  {[x]set_env}\n  G = before\n  file|a.env\n  F = inline\n");
	CHECK_INT(fx_load(&f), 0);
	CHECK_INT(fx_env(&f, "py", &e), 0);
	CHECK_STR(fx_setenv(&e, "F"), "inline");
	CHECK_STR(fx_setenv(&e, "G"), "from-file");
	CHECK_STR(fx_setenv(&e, "H"), "from-file");
	toxenv_release(&e);
	fx_release(&f);
}

/* tox 4 adds PIP_DISABLE_PIP_VERSION_CHECK and PYTHONHASHSEED unless set, and forces PYTHONIOENCODING. */
static void test_setenv_defaults(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f,
			 "[testenv]\n"
			 "[testenv:own]\n"
			 "set_env =\n"
			 "  PYTHONHASHSEED = 0\n"
			 "  PYTHONIOENCODING = latin-1\n"
			 "  PIP_DISABLE_PIP_VERSION_CHECK = 0\n",
			 0), 0);
	CHECK_INT(fx_env(&f, "py", &e), 0);
	CHECK_STR(fx_setenv_all(&f, &e), "PIP_DISABLE_PIP_VERSION_CHECK=1|PYTHONHASHSEED=1234|PYTHONIOENCODING=utf-8");
	toxenv_release(&e);
	CHECK_INT(fx_env(&f, "own", &e), 0);
	CHECK_STR(fx_setenv_all(&f, &e), "PIP_DISABLE_PIP_VERSION_CHECK=0|PYTHONHASHSEED=0|PYTHONIOENCODING=utf-8");
	toxenv_release(&e);
	fx_release(&f);
}

/*
 * tox 4.58: a line like {[base]set_env} never replaces what the value's own
 * lines set, wherever they stand (4.11: the later won), nor what an earlier
 * such line set; it does replace tox's own entries, PYTHONIOENCODING too
 * (4.11 kept them). Checked with tox 4.58.
 */
static void test_setenv_defaults_win_over_substitution_lines(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f,
			 "[base]\n"
			 "set_env =\n"
			 "  PYTHONHASHSEED = 7\n"
			 "  PYTHONIOENCODING = x\n"
			 "  OTHER = o\n"
			 "[other]\n"
			 "set_env =\n"
			 "  OTHER = later\n"
			 "  MINE = ref\n"
			 "[testenv]\n"
			 "set_env =\n"
			 "  {[base]set_env}\n"
			 "  {[other]set_env}\n"
			 "  MINE = own\n",
			 0), 0);
	CHECK_INT(fx_env(&f, "py", &e), 0);
	CHECK_STR(fx_setenv(&e, "PYTHONHASHSEED"), "7");
	CHECK_STR(fx_setenv(&e, "PYTHONIOENCODING"), "x");
	CHECK_STR(fx_setenv(&e, "OTHER"), "o");
	CHECK_STR(fx_setenv(&e, "MINE"), "own");
	toxenv_release(&e);
	fx_release(&f);
}

/* tox 3 reads set_env's lines in order: "A=" after {[testenv]setenv} wins (checked with tox 3.28). */
static void test_setenv_tox3_later_line_wins(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f,
			 "[testenv]\nsetenv =\n  A=base\n  B=base\n"
			 "[testenv:a]\nsetenv =\n  A=first\n  {[testenv]setenv}\n  A=\n  C=own\n"
			 "[testenv:b]\nsetenv =\n  A=first\n  {[testenv]setenv}\n",
			 1), 0);
	CHECK_INT(fx_env(&f, "a", &e), 0);
	CHECK_STR(fx_setenv(&e, "A"), "");
	CHECK_STR(fx_setenv(&e, "B"), "base");
	toxenv_release(&e);
	CHECK_INT(fx_env(&f, "b", &e), 0);
	CHECK_STR(fx_setenv(&e, "A"), "base");
	toxenv_release(&e);
	fx_release(&f);
}

/* Sorted by code point (upper case before '_' before lower case); the last of a repeated key wins. */
static void test_setenv_sorted(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f, "[testenv]\nset_env =\n  b = 1\n  A = 2\n  Z = 3\n  _u = 4\n  A = 5\n", 0), 0);
	CHECK_INT(fx_env(&f, "py", &e), 0);
	CHECK_STR(fx_setenv_all(&f, &e),
		  "A=5|PIP_DISABLE_PIP_VERSION_CHECK=1|PYTHONHASHSEED=1234|PYTHONIOENCODING=utf-8|Z=3|_u=4|b=1");
	toxenv_release(&e);
	fx_release(&f);
}

/* KEY=VALUE split at the first '='; tox 4 cuts " # comment" and unescapes "\#". */
static void test_setenv_values(void)
{
	struct fx f;
	struct toxenv e;
	const char *ini = "[testenv]\n"
			  "setenv =\n"
			  "  A = 1 # c\n"
			  "  B=x\\#y\n"
			  "  U = a=b\n"
			  "  E =\n";

	CHECK_INT(fx_ini(&f, ini, 0), 0);
	CHECK_INT(fx_env(&f, "py", &e), 0);
	CHECK_STR(fx_setenv(&e, "A"), "1");
	CHECK_STR(fx_setenv(&e, "B"), "x#y");
	CHECK_STR(fx_setenv(&e, "U"), "a=b");
	CHECK_STR(fx_setenv(&e, "E"), "");
	toxenv_release(&e);
	fx_release(&f);

	/* tox 3 strips no inline comment and keeps the backslash */
	CHECK_INT(fx_ini(&f, ini, 1), 0);
	CHECK_INT(fx_env(&f, "py", &e), 0);
	CHECK_STR(fx_setenv(&e, "A"), "1 # c");
	CHECK_STR(fx_setenv(&e, "B"), "x\\#y");
	CHECK_STR(fx_setenv(&e, "U"), "a=b");
	toxenv_release(&e);
	fx_release(&f);
}

/* A line without '=' that holds no substitution is an error tox shows for set_env. */
static void test_setenv_invalid_line(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f, "[testenv]\nset_env =\n  A = 1\n  NOEQUALS\n", 0), 0);
	CHECK_INT(fx_env(&f, "py", &e), 0);
	CHECK(fx_has_error(&e, "invalid line 'NOEQUALS' in set_env"));
	toxenv_release(&e);
	fx_release(&f);
}

/* tox 3 knows only setenv, and sets PYTHONHASHSEED, TOX_ENV_NAME and TOX_ENV_DIR itself. */
static void test_setenv_tox3(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f, "[testenv]\nset_env = A=1\nsetenv = B=2\n", 1), 0);
	CHECK_INT(fx_env(&f, "py38", &e), 0);
	CHECK(fx_setenv(&e, "A") == NULL);
	CHECK_STR(fx_setenv(&e, "B"), "2");
	CHECK_STR(fx_setenv(&e, "PYTHONHASHSEED"), "1234");
	CHECK_STR(fx_setenv(&e, "TOX_ENV_NAME"), "py38");
	CHECK_STR(fx_setenv(&e, "TOX_ENV_DIR"), fx_path(&f, ".tox/py38"));
	CHECK(fx_setenv(&e, "PYTHONIOENCODING") == NULL);
	CHECK(fx_setenv(&e, "PIP_DISABLE_PIP_VERSION_CHECK") == NULL);
	toxenv_release(&e);
	fx_release(&f);
}

/* --- commands ----------------------------------------------------------------- */

static void test_commands_split(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f,
			 "[testenv]\n"
			 "commands_pre = echo pre\n"
			 "commands =\n"
			 "  pytest -k \"a b\" tests\n"
			 "\n"
			 "  python -c 'print(1)'\n"
			 "commands_post = echo post\n",
			 0), 0);
	CHECK_INT(fx_env(&f, "py", &e), 0);
	CHECK_INT(e.commands.n, 2);
	CHECK_STR(fx_cmd(&f, &e.commands, 0), "pytest|-k|a b|tests");
	CHECK_STR(fx_cmd(&f, &e.commands, 1), "python|-c|print(1)");
	CHECK_INT(e.commands.n == 2 ? e.commands.v[0].ignore_exit : -1, 0);
	CHECK_STR(fx_cmds(&f, &e.commands_pre), "echo pre");
	CHECK_STR(fx_cmds(&f, &e.commands_post), "echo post");
	toxenv_release(&e);
	fx_release(&f);
}

/* tox 4 takes one '-' off the first word ("- cmd", "-cmd", even "--x") and ignores the exit code. */
static void test_commands_ignore_exit(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f, "[testenv]\ncommands =\n  - pytest\n  -flake8 x\n  --weird\n  mypy -\n", 0), 0);
	CHECK_INT(fx_env(&f, "py", &e), 0);
	CHECK_INT(e.commands.n, 4);
	if (e.commands.n == 4) {
		CHECK_STR(fx_cmd(&f, &e.commands, 0), "pytest");
		CHECK_INT(e.commands.v[0].ignore_exit, 1);
		CHECK_STR(fx_cmd(&f, &e.commands, 1), "flake8|x");
		CHECK_INT(e.commands.v[1].ignore_exit, 1);
		CHECK_STR(fx_cmd(&f, &e.commands, 2), "-weird");
		CHECK_INT(e.commands.v[2].ignore_exit, 1);
		CHECK_STR(fx_cmd(&f, &e.commands, 3), "mypy|-");
		CHECK_INT(e.commands.v[3].ignore_exit, 0);
	}
	toxenv_release(&e);
	fx_release(&f);
}

/*
 * A trailing backslash joins the next line, after the factor filter has looked
 * at each line; tox 4.58 drops the continuation of a line its condition drops.
 */
static void test_commands_backslash_continuation(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f,
			 "[testenv]\n"
			 "commands =\n"
			 "  pytest \\\n"
			 "    --cov \\\n"
			 "    tests\n"
			 "  py38: coverage \\\n"
			 "    report\n",
			 0), 0);
	CHECK_INT(fx_env(&f, "py38", &e), 0);
	CHECK_STR(fx_cmds(&f, &e.commands), "pytest --cov tests ; coverage report");
	toxenv_release(&e);
	/* without py38 the continuation line goes with the line it continues (4.11 kept "report") */
	CHECK_INT(fx_env(&f, "py39", &e), 0);
	CHECK_STR(fx_cmds(&f, &e.commands), "pytest --cov tests");
	toxenv_release(&e);
	fx_release(&f);
}

/*
 * The tox-semantics.md §2.1 example: tox 4.11 made the orphaned "--cov" the
 * ignore-exit command "-cov"; 4.58 drops it with its line, and a value whose
 * every line is dropped counts as not written: [testenv]'s commands apply.
 * A continuation that goes on past the next line is kept (4.58's rule looks
 * one line ahead).
 */
static void test_commands_orphaned_option(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f,
			 "[testenv]\ncommands = base\n"
			 "[testenv:a-py39]\ncommands =\n  py38: pytest \\\n    --cov\n"
			 "[testenv:b-py39]\ncommands =\n  py38: pytest \\\n    --cov \\\n    tests\n  after\n",
			 0), 0);
	CHECK_INT(fx_env(&f, "a-py39", &e), 0);
	CHECK_STR(fx_cmds(&f, &e.commands), "base");
	toxenv_release(&e);
	CHECK_INT(fx_env(&f, "b-py39", &e), 0);
	CHECK_STR(fx_cmds(&f, &e.commands), "-cov tests ; after");
	toxenv_release(&e);
	fx_release(&f);
}

/* An unterminated quote: the words before it, then the rest of the line as one word. */
static void test_commands_unterminated_quote(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f, "[testenv]\ncommands = python -c 'print(1) x\n", 0), 0);
	CHECK_INT(fx_env(&f, "py", &e), 0);
	CHECK_STR(fx_cmd(&f, &e.commands, 0), "python|-c|'print(1) x");
	toxenv_release(&e);
	fx_release(&f);
}

/* tox 4 cuts "#..." before splitting; "\#" is a literal '#'. */
static void test_commands_comments(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f, "[testenv]\ncommands =\n  pytest a#b\n  echo a\\#b  # note\n", 0), 0);
	CHECK_INT(fx_env(&f, "py", &e), 0);
	CHECK_STR(fx_cmds(&f, &e.commands), "pytest a ; echo a#b");
	toxenv_release(&e);
	fx_release(&f);
}

/* tox 3: the dash stays in argv, backslashes are text, '#' starts a comment, '\' joins lines. */
static void test_commands_tox3(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f,
			 "[testenv]\n"
			 "commands =\n"
			 "  - pytest\n"
			 "  -flake8\n"
			 "  pytest a#b # c\n"
			 "  echo a\\b\n"
			 "  pytest \\\n"
			 "    --cov\n",
			 1), 0);
	CHECK_INT(fx_env(&f, "py", &e), 0);
	CHECK_INT(e.commands.n, 5);
	if (e.commands.n == 5) {
		CHECK_STR(fx_cmd(&f, &e.commands, 0), "-|pytest");
		CHECK_INT(e.commands.v[0].ignore_exit, 1);
		CHECK_STR(fx_cmd(&f, &e.commands, 1), "-flake8");
		CHECK_INT(e.commands.v[1].ignore_exit, 1);
		CHECK_STR(fx_cmd(&f, &e.commands, 2), "pytest|a");
		CHECK_INT(e.commands.v[2].ignore_exit, 0);
		CHECK_STR(fx_cmd(&f, &e.commands, 3), "echo|a\\b");
		CHECK_STR(fx_cmd(&f, &e.commands, 4), "pytest|--cov");
	}
	toxenv_release(&e);
	fx_release(&f);
}

/* --- deps ---------------------------------------------------------------------- */

/* tox 4 writes pip's one-argument options apart and escapes spaces in their paths. */
static void test_deps_tox4(void)
{
	struct fx f;
	struct toxenv e;
	char want[2048];

	CHECK_INT(fx_ini(&f,
			 "[testenv]\n"
			 "deps =\n"
			 "  # a comment line\n"
			 "  -rreq.txt\n"
			 "  -r other.txt\n"
			 "  -cconstraints.txt\n"
			 "  -e.\n"
			 "  --index-url=http://x\n"
			 "  -i http://y\n"
			 "  foo # c\n"
			 "  bar#baz\n"
			 "  git+https://x/y.git\\#egg=z\n"
			 "  -r a b.txt\n"
			 "  -r{toxinidir}/r.txt\n",
			 0), 0);
	CHECK_INT(fx_env(&f, "py", &e), 0);
	snprintf(want, sizeof(want),
		 "-r req.txt|-r other.txt|-c constraints.txt|-e .|--index-url=http://x|-i http://y|foo|bar|"
		 "git+https://x/y.git#egg=z|-r a\\ b.txt|-r %s/r.txt", f.dir);
	CHECK_STR(fx_join(&f, &e.deps), want);
	toxenv_release(&e);
	fx_release(&f);
}

/* tox 3 joins short options to their argument, writes long ones with '=', cuts only " #...". */
static void test_deps_tox3(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f,
			 "[testenv]\n"
			 "deps =\n"
			 "  -r req.txt\n"
			 "  -rreq2.txt\n"
			 "  --index-url http://x\n"
			 "  foo # c\n"
			 "  bar#baz\n",
			 1), 0);
	CHECK_INT(fx_env(&f, "py", &e), 0);
	CHECK_STR(fx_join(&f, &e.deps), "-rreq.txt|-rreq2.txt|--index-url=http://x|foo|bar#baz");
	toxenv_release(&e);
	fx_release(&f);
}

static void test_deps_factor_conditions(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f, "[testenv]\ndeps =\n  py38,py39: x\n  !py38: y\n  django{32,42}: django\n", 0), 0);
	CHECK_INT(fx_env(&f, "py38", &e), 0);
	CHECK_STR(fx_join(&f, &e.deps), "x");
	toxenv_release(&e);
	CHECK_INT(fx_env(&f, "py310-django42", &e), 0);
	CHECK_STR(fx_join(&f, &e.deps), "y|django");
	toxenv_release(&e);
	fx_release(&f);
}

/* tox 3's getstring filters, substitutes and filters again: "a: b: c" leaves "b: c", which the second pass drops. */
static void test_deps_tox3_filtered_twice(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f, "[testenv]\ndeps =\n  a: b: c\n  x\n", 1), 0);
	CHECK_INT(fx_env(&f, "a", &e), 0);
	CHECK_STR(fx_join(&f, &e.deps), "x");
	toxenv_release(&e);
	fx_release(&f);
}

/* --- base_python ----------------------------------------------------------------- */

/*
 * tox 4: the one interpreter factor as written; none: the running python.
 * 4.58 also reads free-threaded and debug builds ("py313t", "py312d") and
 * bare versions, as a whole name or a factor ("3.8", "cpython-3.12" ->
 * "3.12", "pypy-3.10" -> "pypy3.10", "lint-3.9t" -> "3.9t").
 */
static void test_base_python_from_factors(void)
{
	static const char *const cases[][2] = {
		{ "py311", "py311" }, { "py3.11-lint", "py3.11" }, { "pypy3", "pypy3" }, { "lint-py312", "py312" },
		{ "cpython3.11", "cpython3.11" }, { "py3", "py3" }, { "docs", FX_PYTHON }, { "py", FX_PYTHON },
		{ "python3.12", FX_PYTHON }, { "py312t", "py312t" }, { "py313td", "py313td" }, { "graalpy311", "graalpy311" },
		{ "3.8", "3.8" }, { "3.13t", "3.13t" }, { "cpython-3.12", "3.12" }, { "pypy-3.10", "pypy3.10" },
		{ "x-3.11", "3.11" }, { "lint-3.9t", "3.9t" }, { "3.12-x", "3.12" }, { "pypy", "pypy" }, { "4.2", FX_PYTHON },
	};
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f, "[testenv]\n", 0), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_INT(fx_env(&f, cases[i][0], &e), 0);
		CHECK_STR(fx_join(&f, &e.base_python), cases[i][1]);
		CHECK_INT(e.errors.n, 0);
		toxenv_release(&e);
	}
	fx_release(&f);
}

static void test_base_python_conflicting_factors(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f, "[testenv]\n", 0), 0);
	CHECK_INT(fx_env(&f, "py38-py39", &e), 0);
	CHECK(fx_has_error(&e, "conflicting factors py38, py39 in py38-py39"));
	toxenv_release(&e);
	fx_release(&f);
}

/* A configured base_python wins; one that contradicts the env name is an error. */
static void test_base_python_configured(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f,
			 "[testenv:docs]\n"
			 "basepython = python3.12\n"
			 "[testenv:py311]\n"
			 "basepython = python3.10\n"
			 "[testenv:py311-ok]\n"
			 "base_python = python3.11\n",
			 0), 0);
	CHECK_INT(fx_env(&f, "docs", &e), 0);
	CHECK_STR(fx_join(&f, &e.base_python), "python3.12");
	CHECK_INT(e.errors.n, 0);
	toxenv_release(&e);
	CHECK_INT(fx_env(&f, "py311", &e), 0);
	CHECK(fx_has_error(&e, "env name py311 conflicting with base python python3.10"));
	toxenv_release(&e);
	CHECK_INT(fx_env(&f, "py311-ok", &e), 0);
	CHECK_STR(fx_join(&f, &e.base_python), "python3.11");
	CHECK_INT(e.errors.n, 0);
	toxenv_release(&e);
	fx_release(&f);
}

/*
 * tox 4.11 _validate_base_python: every field the factor's spec sets must be
 * equal in the configured one, so "python3" (no minor) conflicts with py311.
 */
static void test_base_python_conflict_unset_fields(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f, "[testenv]\nbasepython = python3\n", 0), 0);
	CHECK_INT(fx_env(&f, "py311", &e), 0);
	CHECK(fx_has_error(&e, "env name py311 conflicting with base python python3"));
	toxenv_release(&e);
	CHECK_INT(fx_env(&f, "docs", &e), 0);
	CHECK_STR(fx_join(&f, &e.base_python), "python3");
	CHECK_INT(e.errors.n, 0);
	toxenv_release(&e);
	fx_release(&f);
}

/* ignore_basepython_conflict: the env name's interpreter wins over a contradicting setting. */
static void test_base_python_ignore_conflict(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f, "[tox]\nignore_basepython_conflict = true\n[testenv]\nbasepython = python3.10\n", 0), 0);
	CHECK_INT(fx_env(&f, "py311", &e), 0);
	CHECK_STR(fx_join(&f, &e.base_python), "py311");
	CHECK_INT(e.errors.n, 0);
	toxenv_release(&e);
	CHECK_INT(fx_env(&f, "docs", &e), 0);
	CHECK_STR(fx_join(&f, &e.base_python), "python3.10");
	toxenv_release(&e);
	fx_release(&f);
}

/* tox 3 maps the factor to a command name: py311 -> python3.11; a configured one wins. */
static void test_base_python_tox3(void)
{
	static const char *const cases[][2] = {
		{ "py311", "python3.11" }, { "py3", "python3" }, { "pypy310", "pypy3.10" }, { "pypy", "pypy" },
		{ "lint-py27", "python2.7" }, { "docs", FX_PYTHON }, { "py3.11", FX_PYTHON },
	};
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f, "[testenv]\n[testenv:py38-conf]\nbasepython = python3.10\n"
			     "[x]\nbasepython =\n    python3.11\n    python3.12\n[testenv:two]\nbasepython = {[x]basepython}\n", 1), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_INT(fx_env(&f, cases[i][0], &e), 0);
		CHECK_STR(fx_join(&f, &e.base_python), cases[i][1]);
		toxenv_release(&e);
	}
	CHECK_INT(fx_env(&f, "py38-conf", &e), 0);
	CHECK_STR(fx_join(&f, &e.base_python), "python3.10");
	toxenv_release(&e);
	/* tox 3's basepython is one string: two lines stay one value (checked with tox 3.28) */
	CHECK_INT(fx_env(&f, "two", &e), 0);
	CHECK_INT(e.base_python.n, 1);
	CHECK_STR(fx_join(&f, &e.base_python), "python3.11\npython3.12");
	toxenv_release(&e);
	fx_release(&f);
}

static void test_base_python_tox3_jython(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f, "[testenv]\n", 1), 0);
	CHECK_INT(fx_env(&f, "jython", &e), 0);
	CHECK_STR(fx_join(&f, &e.base_python), "jython");
	toxenv_release(&e);
	fx_release(&f);
}

/* --- other keys ---------------------------------------------------------------------- */

/* tox 4 booleans: true/1/yes/on and false/0/no/off, any case. */
static void test_booleans(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f,
			 "[testenv]\n"
			 "skip_install = True\n"
			 "usedevelop = yes\n"
			 "ignore_outcome = ON\n"
			 "ignore_errors = 1\n"
			 "recreate = FALSE\n"
			 "sitepackages = off\n"
			 "[testenv:neg]\n"
			 "skip_install = no\n"
			 "use_develop = 0\n",
			 0), 0);
	CHECK_INT(fx_env(&f, "py", &e), 0);
	CHECK_INT(e.skip_install, 1);
	CHECK_INT(e.use_develop, 1);
	CHECK_INT(e.ignore_outcome, 1);
	CHECK_INT(e.ignore_errors, 1);
	CHECK_INT(e.recreate, 0);
	CHECK_INT(e.system_site_packages, 0);
	toxenv_release(&e);
	CHECK_INT(fx_env(&f, "neg", &e), 0);
	CHECK_INT(e.skip_install, 0);
	CHECK_INT(e.use_develop, 0);
	CHECK_INT(e.ignore_outcome, 1);	/* inherited from [testenv] */
	toxenv_release(&e);
	fx_release(&f);
}

static void test_booleans_invalid(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f, "[testenv]\nskip_install = maybe\n", 0), 0);
	CHECK_INT(fx_env(&f, "py", &e), 0);
	CHECK(fx_has_error(&e, "value 'maybe' cannot be transformed to bool"));
	toxenv_release(&e);
	fx_release(&f);
}

/* depends is an env list: commas, braces, one expression per line. */
static void test_depends_generative(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f, "[testenv:cov]\ndepends =\n  py{38,39}, docs\n  lint\n", 0), 0);
	CHECK_INT(fx_env(&f, "cov", &e), 0);
	CHECK_STR(fx_join(&f, &e.depends), "py38|py39|docs|lint");
	toxenv_release(&e);
	fx_release(&f);
}

/* Lists: comma-separated on one line, one item per line otherwise. */
static void test_labels_and_lists(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f,
			 "[testenv]\n"
			 "labels = test, ci\n"
			 "extras =\n"
			 "  testing\n"
			 "  docs\n"
			 "allowlist_externals = make, bash\n"
			 "description = run the\n"
			 "  tests  for {envname}\n",
			 0), 0);
	CHECK_INT(fx_env(&f, "py", &e), 0);
	CHECK_STR(fx_join(&f, &e.labels), "test|ci");
	CHECK_STR(fx_join(&f, &e.extras), "testing|docs");
	CHECK_STR(fx_join(&f, &e.allowlist_externals), "make|bash");
	CHECK_STR(e.description, "run the tests for py");
	toxenv_release(&e);
	fx_release(&f);
}

/* pass_env items may not hold whitespace (a common mistake: "A B" on one line). */
static void test_pass_env_whitespace_error(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f, "[testenv]\npassenv = A B\n[testenv:ok]\npassenv = A, B\n", 0), 0);
	CHECK_INT(fx_env(&f, "py", &e), 0);
	CHECK(fx_has_error(&e, "pass_env values cannot contain whitespace"));
	toxenv_release(&e);
	CHECK_INT(fx_env(&f, "ok", &e), 0);
	CHECK_INT(e.errors.n, 0);
	CHECK(strvec_find(&e.pass_env, "A") >= 0);
	CHECK(strvec_find(&e.pass_env, "B") >= 0);
	toxenv_release(&e);
	fx_release(&f);
}


/* --- tox 4.58's further settings ------------------------------------------------ */

/* package: sdist with a project to package, else skip; skip_install, use_develop and no_package decide first. */
static void test_package_type(void)
{
	struct fx f;
	struct toxenv e;
	static const char ini[] =
		"[testenv]\n[testenv:lint]\nskip_install = true\n[testenv:dev]\nusedevelop = true\n"
		"[testenv:whl]\npackage = wheel\n[testenv:bad]\npackage = egg\n";

	CHECK_INT(fx_ini(&f, ini, 0), 0);
	CHECK_INT(fx_env(&f, "py", &e), 0);
	CHECK_STR(e.package_type, "skip");	/* no pyproject.toml, setup.py or setup.cfg */
	CHECK_STR(e.package_env, "");
	CHECK_STR(e.package, "");		/* as written */
	toxenv_release(&e);
	fx_release(&f);

	fx_init(&f);
	fx_write(&f, "pyproject.toml", "[build-system]\nbuild-backend = \"flit_core.buildapi\"\n");
	fx_write(&f, "tox.ini", ini);
	CHECK_INT(fx_load(&f), 0);
	CHECK_INT(fx_env(&f, "py", &e), 0);
	CHECK_STR(e.package_type, "sdist");
	CHECK_STR(e.package_env, ".pkg");
	CHECK_STR(e.wheel_build_env, "");
	toxenv_release(&e);
	CHECK_INT(fx_env(&f, "lint", &e), 0);
	CHECK_STR(e.package_type, "skip");
	toxenv_release(&e);
	CHECK_INT(fx_env(&f, "dev", &e), 0);
	CHECK_STR(e.package_type, "editable");
	CHECK_STR(e.wheel_build_env, ".pkg");	/* the packaging env's python: no version either */
	toxenv_release(&e);
	CHECK_INT(fx_env(&f, "whl", &e), 0);
	CHECK_STR(e.package_type, "wheel");
	toxenv_release(&e);
	CHECK_INT(fx_env(&f, "bad", &e), 0);
	CHECK(fx_has_error(&e, "invalid package config type egg"));
	toxenv_release(&e);
	fx_release(&f);
}

/* A wheel is built in an env of the run env's own Python: ".pkg-cpython312". */
static void test_wheel_build_env(void)
{
	struct fx f;
	struct toxenv e;

	fx_init(&f);
	fx_write(&f, "setup.py", "");
	fx_write(&f, "tox.ini", "[tox]\nisolated_build_env = .build\n[testenv]\npackage = wheel\n"
				"[testenv:own]\nwheel_build_env = .mine\n[testenv:other]\npackage_env = .other\n");
	CHECK_INT(fx_load(&f), 0);
	CHECK_INT(fx_env(&f, "py312", &e), 0);
	CHECK_STR(e.package_env, ".build");
	CHECK_STR(e.wheel_build_env, ".build-cpython312");
	toxenv_release(&e);
	CHECK_INT(fx_env(&f, "py313t-x", &e), 0);
	CHECK_STR(e.wheel_build_env, ".build-cpython313t");
	toxenv_release(&e);
	CHECK_INT(fx_env(&f, "own", &e), 0);
	CHECK_STR(e.wheel_build_env, ".mine");
	toxenv_release(&e);
	CHECK_INT(fx_env(&f, "other", &e), 0);
	CHECK_STR(e.package_env, ".other");
	CHECK_STR(e.wheel_build_env, ".other");
	toxenv_release(&e);
	fx_release(&f);
}

/* [tox] skipsdist / no_package: no env packages, whatever it says. */
static void test_no_package(void)
{
	struct fx f;
	struct toxenv e;

	fx_init(&f);
	fx_write(&f, "pyproject.toml", "");
	fx_write(&f, "tox.ini", "[tox]\nskipsdist = true\n[testenv]\nusedevelop = true\n");
	CHECK_INT(fx_load(&f), 0);
	CHECK_INT(fx_env(&f, "py", &e), 0);
	CHECK_INT(e.no_package, 1);
	CHECK_STR(e.package_type, "skip");
	toxenv_release(&e);
	fx_release(&f);
}

/*
 * A packaging env reads [testenv:.pkg] and then [pkgenv], not [testenv]; its
 * python is tox's own, its folders and backend settings its own.
 */
static void test_package_env_resolved(void)
{
	struct fx f;
	struct toxenv e;

	fx_init(&f);
	fx_write(&f, "pyproject.toml", "[project]\nname = 'x'\n[build-system]\nbuild-backend = 'setuptools.build_meta'\n");
	fx_write(&f, "tox.ini", "[tox]\nenv_list = a\n[pkgenv]\ndeps = build\n[testenv]\ndeps = pytest\nset_env = T = 1\n"
				"[testenv:.pkg]\nconfig_settings_build_wheel =\n    a = 1\n    b=\n"
				"[testenv:.pkg-cpython312]\nfresh_subprocess = false\n");
	CHECK_INT(fx_load(&f), 0);
	CHECK_INT(tox_is_package_env(&f.tox, ".pkg"), 1);
	CHECK_INT(tox_is_package_env(&f.tox, ".pkg-cpython312"), 1);
	CHECK_INT(tox_is_package_env(&f.tox, "py"), 0);
	CHECK_INT(fx_env(&f, ".pkg", &e), 0);
	CHECK_INT(e.is_package_env, 1);
	CHECK_STR(fx_join(&f, &e.deps), "build");
	CHECK(fx_setenv(&e, "T") == NULL);
	CHECK_STR(fx_join(&f, &e.base), "pkgenv");
	CHECK_STR(fx_join(&f, &e.base_python), FX_PYTHON);
	CHECK_STR(e.package_root, f.dir);
	CHECK_STR(e.meta_dir, fx_path(&f, ".tox/.pkg/.meta"));
	CHECK_STR(e.pkg_dir, fx_path(&f, ".tox/.pkg/dist"));
	CHECK_INT(e.fresh_subprocess, 1);	/* a setuptools backend */
	CHECK_STR(fx_join(&f, &e.config_settings), "build_wheel\ta\t1|build_wheel\tb\t");
	toxenv_release(&e);
	CHECK_INT(fx_env(&f, ".pkg-cpython312", &e), 0);
	CHECK_STR(fx_join(&f, &e.base_python), "cpython312");
	CHECK_INT(e.fresh_subprocess, 0);
	toxenv_release(&e);
	/* used by a, so neither listed nor run as an env of its own */
	CHECK_INT(tox_package_env_in_use(&f.tox, ".pkg"), 1);
	CHECK_INT(tox_package_env_in_use(&f.tox, "a"), 0);
	struct strvec run = STRVEC_INIT;
	tox_run_envs(&f.tox, &run);
	CHECK_STR(fx_join(&f, &run), "a|.pkg-cpython312");
	strvec_clear(&run);
	fx_release(&f);
}

/* env_tmp_dir and env_log_dir stay in {work_dir}/NAME when env_dir moves (tox 4); tox 3 moves them along. */
static void test_env_tmp_dir(void)
{
	static const char ini[] = "[testenv:a]\nenvdir = {toxinidir}/elsewhere\nset_env = T = {envtmpdir}\n";
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f, ini, 0), 0);
	CHECK_INT(fx_env(&f, "a", &e), 0);
	CHECK_STR(e.env_dir, fx_path(&f, "elsewhere"));
	CHECK_STR(e.env_tmp_dir, fx_path(&f, ".tox/a/tmp"));
	CHECK_STR(e.env_log_dir, fx_path(&f, ".tox/a/log"));
	CHECK_STR(fx_setenv(&e, "T"), fx_path(&f, ".tox/a/tmp"));
	toxenv_release(&e);
	fx_release(&f);
	CHECK_INT(fx_ini(&f, ini, 1), 0);
	CHECK_INT(fx_env(&f, "a", &e), 0);
	CHECK_STR(e.env_tmp_dir, fx_path(&f, "elsewhere/tmp"));
	toxenv_release(&e);
	fx_release(&f);
}

/* Numbers, lists and switches with their defaults. */
static void test_more_settings(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f,
			 "[testenv]\n"
			 "[testenv:set]\n"
			 "suicide_timeout = 1\ninterrupt_timeout = 2.5\nterminate_timeout = soon\ncommands_retry = 3\n"
			 "dependency_groups = Test_Deps, lint\npip_pre = true\nconstrain_package_deps = yes\n"
			 "extra_setup_commands = python -m pip list\nlist_dependencies_command = uv pip freeze\n"
			 "skip_missing_interpreters = true\nargs_are_paths = false\ndisallow_pass_env = SECRET_*\n",
			 0), 0);
	CHECK_INT(fx_env(&f, "py38", &e), 0);
	CHECK(e.suicide_timeout == 0.0 && e.interrupt_timeout == 0.3 && e.terminate_timeout == 0.2);
	CHECK_INT(e.commands_retry, 0);
	CHECK_INT(e.args_are_paths, 1);
	CHECK_INT(e.skip_missing_interpreters, 0);	/* tox 4.58's default */
	CHECK_STR(e.virtualenv_spec, "virtualenv<21.5.0");
	CHECK_STR(fx_join(&f, &e.list_dependencies_command), "python|-m|pip|freeze|--all");
	CHECK_STR(e.runner, "virtualenv");
	CHECK_STR(e.py_dot_ver, "3.8");
	CHECK_STR(e.env_site_packages_dir, fx_path(&f, ".tox/py38/lib/python3.8/site-packages"));
	toxenv_release(&e);
	CHECK_INT(fx_env(&f, "set", &e), 0);
	CHECK(e.suicide_timeout == 1.0 && e.interrupt_timeout == 2.5 && e.terminate_timeout == 0.2);
	CHECK(fx_has_error(&e, "could not convert string to float: 'soon'"));
	CHECK_INT(e.commands_retry, 3);
	CHECK_STR(fx_join(&f, &e.dependency_groups), "lint|test-deps");
	CHECK_INT(e.pip_pre, 1);
	CHECK_INT(e.constrain_package_deps, 1);
	CHECK_INT(e.use_frozen_constraints, 0);
	CHECK_STR(fx_cmds(&f, &e.extra_setup_commands), "python -m pip list");
	CHECK_STR(fx_join(&f, &e.list_dependencies_command), "uv|pip|freeze");
	CHECK_INT(e.skip_missing_interpreters, 1);
	CHECK_INT(e.args_are_paths, 0);
	CHECK_STR(fx_join(&f, &e.disallow_pass_env), "SECRET_*");
	CHECK_STR(e.virtualenv_spec, "");
	toxenv_release(&e);
	CHECK_INT(fx_env(&f, "py36", &e), 0);
	CHECK_STR(e.virtualenv_spec, "virtualenv<20.22.0");
	toxenv_release(&e);
	fx_release(&f);
}

const struct test toxenv_tests[] = {
	{ "package_type", test_package_type },
	{ "wheel_build_env", test_wheel_build_env },
	{ "no_package", test_no_package },
	{ "package_env_resolved", test_package_env_resolved },
	{ "env_tmp_dir", test_env_tmp_dir },
	{ "more_settings", test_more_settings },
	{ "setenv_substitution_line", test_setenv_substitution_line },
	{ "setenv_file_lines", test_setenv_file_lines },
	{ "setenv_file_overrides_inline", test_setenv_file_overrides_inline },
	{ "setenv_defaults", test_setenv_defaults },
	{ "setenv_defaults_win_over_substitution_lines", test_setenv_defaults_win_over_substitution_lines },
	{ "setenv_tox3_later_line_wins", test_setenv_tox3_later_line_wins },
	{ "setenv_sorted", test_setenv_sorted },
	{ "setenv_values", test_setenv_values },
	{ "setenv_invalid_line", test_setenv_invalid_line },
	{ "setenv_tox3", test_setenv_tox3 },
	{ "commands_split", test_commands_split },
	{ "commands_ignore_exit", test_commands_ignore_exit },
	{ "commands_backslash_continuation", test_commands_backslash_continuation },
	{ "commands_orphaned_option", test_commands_orphaned_option },
	{ "commands_unterminated_quote", test_commands_unterminated_quote },
	{ "commands_comments", test_commands_comments },
	{ "commands_tox3", test_commands_tox3 },
	{ "deps_tox4", test_deps_tox4 },
	{ "deps_tox3", test_deps_tox3 },
	{ "deps_factor_conditions", test_deps_factor_conditions },
	{ "deps_tox3_filtered_twice", test_deps_tox3_filtered_twice },
	{ "base_python_from_factors", test_base_python_from_factors },
	{ "base_python_conflicting_factors", test_base_python_conflicting_factors },
	{ "base_python_configured", test_base_python_configured },
	{ "base_python_conflict_unset_fields", test_base_python_conflict_unset_fields },
	{ "base_python_ignore_conflict", test_base_python_ignore_conflict },
	{ "base_python_tox3", test_base_python_tox3 },
	{ "base_python_tox3_jython", test_base_python_tox3_jython },
	{ "booleans", test_booleans },
	{ "booleans_invalid", test_booleans_invalid },
	{ "depends_generative", test_depends_generative },
	{ "labels_and_lists", test_labels_and_lists },
	{ "pass_env_whitespace_error", test_pass_env_whitespace_error },
	{ NULL, NULL },
};
