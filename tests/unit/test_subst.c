/*
 * Substitution and the typed settings built on it, through the public API:
 * small tox.ini files loaded with tox_load() and resolved with
 * tox_env_resolve() (tox-semantics.md §6-§11).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"
#include "tests.h"

/* --- posargs --------------------------------------------------------------- */

/* No "--" on the command line: {posargs} is empty and {posargs:x} is x. */
static void test_subst_posargs_default(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f,
			 "[testenv]\n"
			 "commands =\n"
			 "  pytest {posargs:tests}\n"
			 "  echo {posargs}\n"
			 "  echo {posargs:a:b}\n"
			 "  pytest {posargs:-k \"a b\"}\n"
			 "  pytest {posargs:{envname}/t}\n",
			 0), 0);
	CHECK_INT(fx_env(&f, "py", &e), 0);
	CHECK_INT(e.commands.n, 5);
	CHECK_STR(fx_cmd(&f, &e.commands, 0), "pytest|tests");
	CHECK_STR(fx_cmd(&f, &e.commands, 1), "echo");
	CHECK_STR(fx_cmd(&f, &e.commands, 2), "echo|a:b");
	CHECK_STR(fx_cmd(&f, &e.commands, 3), "pytest|-k|a b");
	CHECK_STR(fx_cmd(&f, &e.commands, 4), "pytest|py/t");
	toxenv_release(&e);
	fx_release(&f);
}

/* With "--" the arguments replace the default, each shell-quoted, so they split back unchanged. */
static void test_subst_posargs_given(void)
{
	struct fx f;
	struct toxenv e;

	fx_init(&f);
	fx_write(&f, "tox.ini", "[testenv]\ncommands = pytest {posargs:tests} end\nset_env = P={posargs}\n");
	strvec_push(&f.posargs, "-k");
	strvec_push(&f.posargs, "a b");
	strvec_push(&f.posargs, "it's");
	f.opts.posargs = &f.posargs;
	CHECK_INT(fx_load(&f), 0);
	CHECK_INT(fx_env(&f, "py", &e), 0);
	CHECK_STR(fx_cmd(&f, &e.commands, 0), "pytest|-k|a b|it's|end");
	CHECK_STR(fx_setenv(&e, "P"), "-k 'a b' 'it'\"'\"'s'");
	toxenv_release(&e);
	fx_release(&f);
}

/* "--" with nothing after it still counts as given: the default is not used. */
static void test_subst_posargs_given_empty(void)
{
	struct fx f;
	struct toxenv e;

	fx_init(&f);
	fx_write(&f, "tox.ini", "[testenv]\ncommands = pytest {posargs:tests}\n");
	f.opts.posargs = &f.posargs;
	CHECK_INT(fx_load(&f), 0);
	CHECK_INT(fx_env(&f, "py", &e), 0);
	CHECK_STR(fx_cmd(&f, &e.commands, 0), "pytest");
	toxenv_release(&e);
	fx_release(&f);
}

/* "[]" is the old spelling of {posargs}, recognised anywhere, even inside a word. */
static void test_subst_legacy_posargs(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f, "[testenv]\ncommands =\n  pytest []\n  echo x[]y\n", 0), 0);
	CHECK_INT(fx_env(&f, "py", &e), 0);
	CHECK_STR(fx_cmd(&f, &e.commands, 0), "pytest");
	CHECK_STR(fx_cmd(&f, &e.commands, 1), "echo|xy");
	toxenv_release(&e);
	fx_release(&f);

	fx_init(&f);
	fx_write(&f, "tox.ini", "[testenv]\ncommands = pytest [] -x\n");
	strvec_push(&f.posargs, "a b");
	strvec_push(&f.posargs, "c");
	f.opts.posargs = &f.posargs;
	CHECK_INT(fx_load(&f), 0);
	CHECK_INT(fx_env(&f, "py", &e), 0);
	CHECK_STR(fx_cmd(&f, &e.commands, 0), "pytest|a b|c|-x");
	toxenv_release(&e);
	fx_release(&f);
}

/* --- {env:...} -------------------------------------------------------------- */

/* The process environment, then the default: the rest of the arguments joined with ':'. */
static void test_subst_env_defaults(void)
{
	struct fx f;
	struct toxenv e;

	unsetenv("BLITZ_UT_NOPE");
	unsetenv("BLITZ_UT_URL");
	setenv("BLITZ_UT_SET", "v a l", 1);
	setenv("BLITZ_UT_EMPTY", "", 1);
	CHECK_INT(fx_ini(&f,
			 "[testenv]\n"
			 "set_env =\n"
			 "  C = {env:BLITZ_UT_NOPE:de fault}\n"
			 "  U = {env:BLITZ_UT_URL:http://h:80/x}\n"
			 "  S = {env:BLITZ_UT_SET}\n"
			 "  S2 = {env:BLITZ_UT_SET:unused}\n"
			 "  N = <{env:BLITZ_UT_NOPE}>\n"
			 "  E = <{env:BLITZ_UT_EMPTY:dflt}>\n",
			 0), 0);
	CHECK_INT(fx_env(&f, "py", &e), 0);
	CHECK_STR(fx_setenv(&e, "C"), "de fault");
	CHECK_STR(fx_setenv(&e, "U"), "http://h:80/x");
	CHECK_STR(fx_setenv(&e, "S"), "v a l");
	CHECK_STR(fx_setenv(&e, "S2"), "v a l");
	CHECK_STR(fx_setenv(&e, "N"), "<>");
	/* a variable set to "" is set: its default does not apply */
	CHECK_STR(fx_setenv(&e, "E"), "<>");
	toxenv_release(&e);
	fx_release(&f);
}

/* A default may itself hold {env:...}: the innermost set variable wins. */
static void test_subst_env_nested_default(void)
{
	struct fx f;
	struct toxenv e;
	const char *ini = "[testenv]\ndeps = {env:BLITZ_UT_A:{env:BLITZ_UT_B:x}}\n";

	unsetenv("BLITZ_UT_A");
	unsetenv("BLITZ_UT_B");
	CHECK_INT(fx_ini(&f, ini, 0), 0);
	CHECK_INT(fx_env(&f, "one", &e), 0);
	CHECK_STR(fx_join(&f, &e.deps), "x");
	toxenv_release(&e);
	setenv("BLITZ_UT_B", "b", 1);
	CHECK_INT(fx_env(&f, "two", &e), 0);
	CHECK_STR(fx_join(&f, &e.deps), "b");
	toxenv_release(&e);
	setenv("BLITZ_UT_A", "a", 1);
	CHECK_INT(fx_env(&f, "three", &e), 0);
	CHECK_STR(fx_join(&f, &e.deps), "a");
	toxenv_release(&e);
	fx_release(&f);
}

/* {env:K} looks in the env's own set_env before the process environment, wherever K is written. */
static void test_subst_env_reads_set_env(void)
{
	struct fx f;
	struct toxenv e;

	setenv("BLITZ_UT_K", "from-os", 1);
	setenv("A", "9", 1);
	CHECK_INT(fx_ini(&f,
			 "[testenv]\n"
			 "set_env =\n"
			 "  B = {env:A}x\n"
			 "  A = 1\n"
			 "  BLITZ_UT_K = from-set-env\n"
			 "commands = echo {env:BLITZ_UT_K} {env:A}\n"
			 "deps = {env:BLITZ_UT_K}\n",
			 0), 0);
	CHECK_INT(fx_env(&f, "py", &e), 0);
	CHECK_STR(fx_setenv(&e, "B"), "1x");
	CHECK_STR(fx_cmd(&f, &e.commands, 0), "echo|from-set-env|1");
	CHECK_STR(fx_join(&f, &e.deps), "from-set-env");
	toxenv_release(&e);
	fx_release(&f);
}

/* PATH={env:PATH}:x reads the outer PATH instead of itself. */
static void test_subst_env_self_reference(void)
{
	struct fx f;
	struct toxenv e;

	setenv("PATH", "/usr/bin:/bin", 1);
	CHECK_INT(fx_ini(&f, "[testenv]\nset_env =\n  PATH = {env:PATH}:/x\n", 0), 0);
	CHECK_INT(fx_env(&f, "py", &e), 0);
	CHECK_STR(fx_setenv(&e, "PATH"), "/usr/bin:/bin:/x");
	toxenv_release(&e);
	fx_release(&f);
}

/* A={env:B} and B={env:A}: an error that names the file and a line of the cycle. */
static void test_subst_env_circular(void)
{
	struct fx f;
	struct toxenv e;

	unsetenv("A");
	unsetenv("B");
	CHECK_INT(fx_ini(&f, "[testenv]\nset_env =\n  A = {env:B}\n  B = {env:A}\n", 0), 0);
	CHECK_INT(fx_env(&f, "py", &e), -1);
	CHECK_STR(f.d.file, fx_path(&f, "tox.ini"));
	CHECK(f.d.line == 3 || f.d.line == 4);
	CHECK(strstr(f.d.msg, "circular") != NULL);
	toxenv_release(&e);
	fx_release(&f);
}

/* --- references to other settings ------------------------------------------ */

/* {[section]key} is the raw value filtered with the calling env's factors. */
static void test_subst_section_reference_filtered(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f,
			 "[base]\n"
			 "deps =\n"
			 "    a  # comment\n"
			 "    py38: b\n"
			 "[testenv]\n"
			 "deps =\n"
			 "    {[base]deps}\n"
			 "    c\n",
			 0), 0);
	CHECK_INT(fx_env(&f, "py38", &e), 0);
	CHECK_STR(fx_join(&f, &e.deps), "a|b|c");
	toxenv_release(&e);
	CHECK_INT(fx_env(&f, "py39", &e), 0);
	CHECK_STR(fx_join(&f, &e.deps), "a|c");
	toxenv_release(&e);
	fx_release(&f);
}

/* {[testenv:other]key} is env other's resolved value, inheritance included (tox 4). */
static void test_subst_other_env_reference(void)
{
	struct fx f;
	struct toxenv e;
	const char *ini = "[testenv]\n"
			  "deps = base\n"
			  "[testenv:other]\n"
			  "commands = echo {envname}\n"
			  "[testenv:y]\n"
			  "deps =\n"
			  "    {[testenv:other]deps}\n"
			  "    extra\n"
			  "commands = {[testenv:other]commands}\n";

	CHECK_INT(fx_ini(&f, ini, 0), 0);
	CHECK_INT(fx_env(&f, "y", &e), 0);
	CHECK_STR(fx_join(&f, &e.deps), "base|extra");
	CHECK_STR(fx_cmd(&f, &e.commands, 0), "echo|other");
	toxenv_release(&e);
	fx_release(&f);

	/* tox 3 reads the raw [testenv:other] section only, which has no deps */
	CHECK_INT(fx_ini(&f, ini, 1), 0);
	CHECK_INT(fx_env(&f, "y", &e), -1);
	CHECK(strstr(f.d.msg, "[testenv:other]deps") != NULL);
	toxenv_release(&e);
	fx_release(&f);
}

/* A missing key takes the default; a missing section leaves the expression as written. */
static void test_subst_reference_defaults(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f,
			 "[base]\n"
			 "x = 1\n"
			 "[testenv]\n"
			 "deps =\n"
			 "    {[base]nokey:dflt}\n"
			 "    {[nosec]k:d}\n"
			 "    {[base]x}\n"
			 "    {[base]nokey}\n",
			 0), 0);
	CHECK_INT(fx_env(&f, "py", &e), 0);
	CHECK_STR(fx_join(&f, &e.deps), "dflt|{[nosec]k:d}|1|{[base]nokey}");
	toxenv_release(&e);
	fx_release(&f);
}

/* A value that refers to itself is expanded until the depth limit and then kept as written. */
static void test_subst_self_reference_stays_literal(void)
{
	struct fx f;
	struct toxenv e;
	int saved = dup(2), null = open("/dev/null", O_WRONLY);

	CHECK_INT(fx_ini(&f, "[testenv]\ndeps = {[testenv]deps}\n", 0), 0);
	dup2(null, 2);	/* the depth warning */
	CHECK_INT(fx_env(&f, "py", &e), 0);
	dup2(saved, 2);
	CHECK_STR(fx_join(&f, &e.deps), "{[testenv]deps}");
	close(null);
	close(saved);
	toxenv_release(&e);
	fx_release(&f);
}

/* --- built-in keys ---------------------------------------------------------- */

static void test_subst_paths(void)
{
	struct fx f;
	struct toxenv e;
	char want[2048];

	CHECK_INT(fx_ini(&f,
			 "[testenv]\n"
			 "commands =\n"
			 "  echo {toxinidir} {toxworkdir} {envname}\n"
			 "  echo {envdir} {envbindir} {envpython}\n"
			 "  echo {envtmpdir} {envlogdir} {env_dir}\n",
			 0), 0);
	CHECK_INT(fx_env(&f, "py311", &e), 0);
	snprintf(want, sizeof(want), "echo|%s|%s/.tox|py311", f.dir, f.dir);
	CHECK_STR(fx_cmd(&f, &e.commands, 0), want);
	CHECK_STR(fx_word(&e.commands, 1, 1), fx_path(&f, ".tox/py311"));
	CHECK_STR(fx_word(&e.commands, 1, 2), fx_path(&f, ".tox/py311/bin"));
	CHECK_STR(fx_word(&e.commands, 1, 3), fx_path(&f, ".tox/py311/bin/python"));
	CHECK_STR(fx_word(&e.commands, 2, 1), fx_path(&f, ".tox/py311/tmp"));
	CHECK_STR(fx_word(&e.commands, 2, 2), fx_path(&f, ".tox/py311/log"));
	CHECK_STR(fx_word(&e.commands, 2, 3), fx_path(&f, ".tox/py311"));
	CHECK_STR(e.env_dir, fx_path(&f, ".tox/py311"));
	CHECK_STR(e.change_dir, f.dir);
	toxenv_release(&e);
	fx_release(&f);
}

/* The version comes from the interpreter factor, so no interpreter is asked. */
static void test_subst_envsitepackagesdir(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f, "[testenv]\ncommands = echo {envsitepackagesdir}\n", 0), 0);
	CHECK_INT(fx_env(&f, "py311", &e), 0);
	CHECK_STR(fx_word(&e.commands, 0, 1), fx_path(&f, ".tox/py311/lib/python3.11/site-packages"));
	toxenv_release(&e);
	CHECK_INT(fx_env(&f, "py3.12-lint", &e), 0);
	CHECK_STR(fx_word(&e.commands, 0, 1),
		  fx_path(&f, ".tox/py3.12-lint/lib/python3.12/site-packages"));
	toxenv_release(&e);
	fx_release(&f);
}

/* {tty:ON:OFF} follows opts.isatty; {/} and {:} are the path and PATH separators. */
static void test_subst_tty_and_separators(void)
{
	struct fx f;
	struct toxenv e;
	const char *ini = "[testenv]\ncommands = echo {tty:on:off} {/} {:} <{tty:--color=yes}>\n";

	CHECK_INT(fx_ini(&f, ini, 0), 0);
	CHECK_INT(fx_env(&f, "py", &e), 0);
	CHECK_STR(fx_cmd(&f, &e.commands, 0), "echo|off|/|:|<>");
	toxenv_release(&e);
	fx_release(&f);

	fx_init(&f);
	fx_write(&f, "tox.ini", ini);
	f.opts.isatty = 1;
	CHECK_INT(fx_load(&f), 0);
	CHECK_INT(fx_env(&f, "py", &e), 0);
	CHECK_STR(fx_cmd(&f, &e.commands, 0), "echo|on|/|:|<--color=yes>");
	toxenv_release(&e);
	fx_release(&f);
}

/* \{ \} \: make the character literal; what nothing answers is left as written (tox 4). */
static void test_subst_escapes_and_unknown(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f,
			 "[testenv]\n"
			 "commands =\n"
			 "  echo {nokey} {nokey:dflt} \\{x\\} x[]y\n"
			 "  echo {} {py38,py39} a\\:b\n"
			 "  echo {a {envname} c\n",
			 0), 0);
	CHECK_INT(fx_env(&f, "py", &e), 0);
	CHECK_STR(fx_cmd(&f, &e.commands, 0), "echo|{nokey}|dflt|{x}|xy");
	CHECK_STR(fx_cmd(&f, &e.commands, 1), "echo|{}|{py38,py39}|a:b");
	CHECK_STR(fx_cmd(&f, &e.commands, 2), "echo|{a|py|c");
	toxenv_release(&e);
	fx_release(&f);
}

/* A '{' without its '}' is an ordinary character (tox 4 never reports it). */
static void test_subst_unterminated_brace(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f, "[testenv]\ncommands =\n  python -c \"print('{')\"\n  echo {x\n", 0), 0);
	CHECK_INT(fx_env(&f, "py", &e), 0);
	CHECK_STR(fx_cmd(&f, &e.commands, 0), "python|-c|print('{')");
	CHECK_STR(fx_cmd(&f, &e.commands, 1), "echo|{x");
	toxenv_release(&e);
	fx_release(&f);
}

/*
 * A dialect choice: tox 4 keeps an unterminated "{posargs" or "{env:..." as
 * text (tox-semantics.md §6.1); such a value is a typo whose result would be
 * a wrong command, so blitz stops with the place of the error. A '{' that
 * starts no substitution stays text, as in tox (test above).
 */
static void test_subst_unterminated_substitution_error(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f, "[testenv]\ncommands = echo {posargs\n", 0), 0);
	CHECK_INT(fx_env(&f, "py", &e), -1);
	CHECK(strstr(f.d.msg, "unterminated '{posargs'") != NULL);
	CHECK_INT(f.d.line, 2);
	toxenv_release(&e);
	fx_release(&f);
}

/* tox 3: an unknown {name} is an error. */
static void test_subst_tox3_unknown_key(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f, "[testenv]\ncommands = echo {nokey}\n", 1), 0);
	CHECK_INT(fx_env(&f, "py", &e), -1);
	CHECK(strstr(f.d.msg, "nokey") != NULL);
	toxenv_release(&e);
	fx_release(&f);
}

const struct test subst_tests[] = {
	{ "subst_posargs_default", test_subst_posargs_default },
	{ "subst_posargs_given", test_subst_posargs_given },
	{ "subst_posargs_given_empty", test_subst_posargs_given_empty },
	{ "subst_legacy_posargs", test_subst_legacy_posargs },
	{ "subst_env_defaults", test_subst_env_defaults },
	{ "subst_env_nested_default", test_subst_env_nested_default },
	{ "subst_env_reads_set_env", test_subst_env_reads_set_env },
	{ "subst_env_self_reference", test_subst_env_self_reference },
	{ "subst_env_circular", test_subst_env_circular },
	{ "subst_section_reference_filtered", test_subst_section_reference_filtered },
	{ "subst_other_env_reference", test_subst_other_env_reference },
	{ "subst_reference_defaults", test_subst_reference_defaults },
	{ "subst_self_reference_stays_literal", test_subst_self_reference_stays_literal },
	{ "subst_paths", test_subst_paths },
	{ "subst_envsitepackagesdir", test_subst_envsitepackagesdir },
	{ "subst_tty_and_separators", test_subst_tty_and_separators },
	{ "subst_escapes_and_unknown", test_subst_escapes_and_unknown },
	{ "subst_unterminated_brace", test_subst_unterminated_brace },
	{ "subst_unterminated_substitution_error", test_subst_unterminated_substitution_error },
	{ "subst_tox3_unknown_key", test_subst_tox3_unknown_key },
	{ NULL, NULL },
};
