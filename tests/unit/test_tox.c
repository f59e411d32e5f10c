/*
 * Loading a configuration: discovery (tox-semantics.md §12), the envlist (§4),
 * what -a lists (§5), inheritance and `base` (§10.1), tox 3 switching and
 * errors reported with file:line:col.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"
#include "tests.h"
#include "../../src/config/factor.h"

static const char *all_envs(struct fx *f)
{
	struct strvec all = STRVEC_INIT;
	const char *s;

	tox_all_envs(&f->tox, &all);
	s = fx_join(f, &all);
	strvec_clear(&all);
	return s;
}

static void test_tox_load_paths(void)
{
	struct fx f;

	CHECK_INT(fx_ini(&f, "[tox]\nenvlist = py38\n", 0), 0);
	CHECK_STR(f.tox.path, fx_path(&f, "tox.ini"));
	CHECK_STR(f.tox.toxinidir, f.dir);
	CHECK_STR(f.tox.workdir, fx_path(&f, ".tox"));
	CHECK(f.tox.core != NULL);
	CHECK_STR(f.tox.core ? f.tox.core->name : NULL, "tox");
	CHECK_INT(f.tox.tox3, 0);
	CHECK_STR(fx_join(&f, &f.tox.envlist), "py38");
	fx_release(&f);
}

/* toxworkdir may be set, relative to the file's folder. */
static void test_tox_workdir(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f, "[tox]\ntoxworkdir = {toxinidir}/build/tox\n", 0), 0);
	CHECK_STR(f.tox.workdir, fx_path(&f, "build/tox"));
	CHECK_INT(fx_env(&f, "py", &e), 0);
	CHECK_STR(e.env_dir, fx_path(&f, "build/tox/py"));
	toxenv_release(&e);
	fx_release(&f);
}

/* A folder is searched, then its parents; a file is read as given. */
static void test_tox_discovery_parents_and_file(void)
{
	struct fx f;
	const char *sub;

	fx_init(&f);
	fx_write(&f, "tox.ini", "[tox]\nenvlist = top\n");
	fx_write(&f, "other.ini", "[tox]\nenvlist = other\n");
	fx_mkdir(&f, "sub");
	fx_mkdir(&f, "sub/deeper");
	sub = fx_path(&f, "sub/deeper");
	f.opts.path = sub;
	CHECK_INT(fx_load(&f), 0);
	CHECK_STR(f.tox.path, fx_path(&f, "tox.ini"));
	CHECK_STR(f.tox.toxinidir, f.dir);
	CHECK_STR(fx_join(&f, &f.tox.envlist), "top");
	tox_release(&f.tox);
	f.opts.path = fx_path(&f, "other.ini");
	CHECK_INT(fx_load(&f), 0);
	CHECK_STR(fx_join(&f, &f.tox.envlist), "other");
	fx_release(&f);
}

/* In one folder tox.ini comes first, then setup.cfg, then pyproject.toml. */
static void test_tox_discovery_order(void)
{
	struct fx f;

	fx_init(&f);
	fx_write(&f, "tox.ini", "[tox]\nenvlist = ini\n");
	fx_write(&f, "setup.cfg", "[tox:tox]\nenvlist = cfg\n");
	fx_write(&f, "pyproject.toml", "[tool.tox]\nlegacy_tox_ini = \"\"\"\n[tox]\nenvlist = toml\n\"\"\"\n");
	CHECK_INT(fx_load(&f), 0);
	CHECK_STR(fx_join(&f, &f.tox.envlist), "ini");
	tox_release(&f.tox);
	unlink(fx_path(&f, "tox.ini"));
	CHECK_INT(fx_load(&f), 0);
	CHECK_STR(fx_join(&f, &f.tox.envlist), "cfg");
	fx_release(&f);
}

/* setup.cfg counts only with a [tox:tox] section, which is then the core section. */
static void test_tox_setup_cfg(void)
{
	struct fx f;
	struct toxenv e;

	fx_init(&f);
	fx_write(&f, "setup.cfg", "[metadata]\nname = x\n[tox:tox]\nenvlist = py38, lint\n[testenv]\ndeps = d\n");
	CHECK_INT(fx_load(&f), 0);
	CHECK_STR(f.tox.path, fx_path(&f, "setup.cfg"));
	CHECK_STR(f.tox.core ? f.tox.core->name : NULL, "tox:tox");
	CHECK_STR(fx_join(&f, &f.tox.envlist), "py38|lint");
	CHECK_INT(fx_env(&f, "lint", &e), 0);
	CHECK_STR(fx_join(&f, &e.deps), "d");
	toxenv_release(&e);
	fx_release(&f);
}

/* A setup.cfg without [tox:tox] is passed over for pyproject.toml's legacy_tox_ini. */
static void test_tox_pyproject_legacy_ini(void)
{
	struct fx f;

	fx_init(&f);
	fx_write(&f, "setup.cfg", "[metadata]\nname = x\n");
	fx_write(&f, "pyproject.toml",
		 "[build-system]\n"
		 "requires = [\"setuptools\"]\n"
		 "\n"
		 "[tool.tox]\n"
		 "legacy_tox_ini = \"\"\"\n"
		 "[tox]\n"
		 "envlist = py{38,39}\n"
		 "\"\"\"\n"
		 "\n"
		 "[tool.other]\n"
		 "x = 1\n");
	CHECK_INT(fx_load(&f), 0);
	CHECK_STR(f.tox.path, fx_path(&f, "pyproject.toml"));
	CHECK_STR(fx_join(&f, &f.tox.envlist), "py38|py39");
	fx_release(&f);

	/* a literal string works too */
	fx_init(&f);
	fx_write(&f, "pyproject.toml", "[tool.tox]\nlegacy_tox_ini = '''\n[tox]\nenvlist = lit\n'''\n");
	CHECK_INT(fx_load(&f), 0);
	CHECK_STR(fx_join(&f, &f.tox.envlist), "lit");
	fx_release(&f);

	/* in a basic string a backslash at the end of a line joins it to the next text */
	fx_init(&f);
	fx_write(&f, "pyproject.toml", "[tool.tox]\nlegacy_tox_ini = \"\"\"\n[tox]\nenvlist = a, \\\n    b\n\"\"\"\n");
	CHECK_INT(fx_load(&f), 0);
	CHECK_STR(fx_join(&f, &f.tox.envlist), "a|b");
	fx_release(&f);
}

/* Errors inside legacy_tox_ini name pyproject.toml and the line in it. */
static void test_tox_pyproject_error_lines(void)
{
	struct fx f;

	fx_init(&f);
	fx_write(&f, "pyproject.toml",
		 "[build-system]\n"
		 "requires = [\"setuptools\"]\n"
		 "\n"
		 "[tool.tox]\n"
		 "legacy_tox_ini = \"\"\"\n"
		 "[tox]\n"
		 "envlist = py38\n"
		 "[testenv]\n"
		 "deps = a\n"
		 "deps = b\n"
		 "\"\"\"\n");
	CHECK_INT(fx_load(&f), -1);
	CHECK_STR(f.d.file, fx_path(&f, "pyproject.toml"));
	CHECK_INT(f.d.line, 10);
	fx_release(&f);
}

/* No configuration in the folder or above it. */
static void test_tox_no_config(void)
{
	struct fx f;
	char parent[1024], *slash;

	fx_init(&f);
	/* a configuration above the temporary folder would be found: nothing to test then */
	snprintf(parent, sizeof(parent), "%s", f.dir);
	while ((slash = strrchr(parent, '/'))) {
		static const char *const names[] = { "tox.ini", "setup.cfg", "pyproject.toml" };
		*slash = '\0';
		for (size_t i = 0; i < 3; i++) {
			char path[1100];
			snprintf(path, sizeof(path), "%s/%s", parent, names[i]);
			if (access(path, F_OK) == 0) {
				fx_release(&f);
				return;
			}
		}
	}
	fx_write(&f, "setup.cfg", "[metadata]\n");
	fx_write(&f, "pyproject.toml", "[tool.black]\n");
	CHECK_INT(fx_load(&f), -1);
	CHECK(f.d.msg[0] != '\0');
	fx_release(&f);
}

/* tox-semantics.md §17: braces, commas, a comment and several lines. */
static void test_tox_envlist(void)
{
	struct fx f;

	CHECK_INT(fx_ini(&f, "[tox]\nenvlist = py{38,39}-{a,b}, docs # c\n", 0), 0);
	CHECK_STR(fx_join(&f, &f.tox.envlist), "py38-a|py38-b|py39-a|py39-b|docs");
	fx_release(&f);
	CHECK_INT(fx_ini(&f, "[tox]\nenv_list =\n    py38\n    # comment\n    lint, docs\n", 0), 0);
	CHECK_STR(fx_join(&f, &f.tox.envlist), "py38|lint|docs");
	fx_release(&f);
}

/* tox 4 keeps the first of each name; tox 3 lists duplicates and removes all whitespace. */
static void test_tox_envlist_tox3_vs_tox4(void)
{
	struct fx f;

	CHECK_INT(fx_ini(&f, "[tox]\nenvlist = a,b\n    a\n", 0), 0);
	CHECK_STR(fx_join(&f, &f.tox.envlist), "a|b");
	fx_release(&f);
	CHECK_INT(fx_ini(&f, "[tox]\nenvlist = a,b\n    a\n", 1), 0);
	CHECK_STR(fx_join(&f, &f.tox.envlist), "a|b|a");
	fx_release(&f);
	CHECK_INT(fx_ini(&f, "[tox]\nenvlist = docs ; x, py{38, 39}  # c\n", 1), 0);
	CHECK_STR(fx_join(&f, &f.tox.envlist), "docs;x|py38|py39");
	fx_release(&f);
}

/* A '{' left open on an envlist line is reported where it is. */
static void test_tox_envlist_unterminated_brace(void)
{
	struct fx f;

	CHECK_INT(fx_ini(&f, "[tox]\nenvlist = py{38,39\n", 0), -1);
	CHECK_STR(f.d.file, fx_path(&f, "tox.ini"));
	CHECK_INT(f.d.line, 2);
	CHECK_INT(f.d.col, 13);
	fx_release(&f);
	CHECK_INT(fx_ini(&f, "[tox]\nenvlist =\n    py38\n    py{39,310\n", 0), -1);
	CHECK_INT(f.d.line, 4);
	CHECK_INT(f.d.col, 7);
	fx_release(&f);
}

/*
 * tox 4 -a: envlist, [testenv:...] names (expanded), then condition markers
 * naming unknown factors, from tox's own sections only (4.58; 4.11 also took
 * "3.10" from [gh-actions]).
 */
static void test_tox_all_envs_tox4(void)
{
	struct fx f;

	CHECK_INT(fx_ini(&f,
			 "[tox]\n"
			 "envlist = py38, lint\n"
			 "[testenv]\n"
			 "deps =\n"
			 "    cov: pytest-cov\n"
			 "    py38: x\n"
			 "    !lint: y\n"
			 "    py38-mysql: z\n"
			 "commands = python -c \"a: b\"\n"
			 "[testenv:docs]\n"
			 "[testenv:gen{1,2}]\n"
			 "[testenv:lint]\n"
			 "[gh-actions]\n"
			 "python =\n"
			 "    3.10: py310\n"
			 "[testenv:ranged]\n"
			 "deps = py3{12-13}: r\n",
			 0), 0);
	CHECK_STR(all_envs(&f), "py38|lint|docs|gen1|gen2|ranged|cov|py38-mysql|py312|py313");
	CHECK_INT(tox_env_known(&f.tox, "gen2"), 1);
	CHECK_INT(tox_env_known(&f.tox, "cov"), 1);
	CHECK_INT(tox_env_known(&f.tox, "nope"), 0);
	fx_release(&f);
}

/* tox 3 -a: no markers, and sections a generative header makes come first. */
static void test_tox_all_envs_tox3(void)
{
	struct fx f;

	CHECK_INT(fx_ini(&f,
			 "[testenv]\n"
			 "deps = cov: x\n"
			 "[testenv:zz]\n"
			 "[testenv:gen{1,2}-x]\n"
			 "[testenv:mm]\n",
			 1), 0);
	CHECK_STR(all_envs(&f), "gen1-x|gen2-x|zz|mm");
	fx_release(&f);
	CHECK_INT(fx_ini(&f, "[tox]\nenvlist = b,a,b\n[testenv:c]\n", 1), 0);
	CHECK_STR(all_envs(&f), "b|a|b|c");
	fx_release(&f);
}

/* tox 4's EnvSelector._collect_names ends with the env names of [tox] labels. */
static void test_tox_all_envs_labels(void)
{
	struct fx f;

	CHECK_INT(fx_ini(&f, "[tox]\nenvlist = py38\nlabels =\n    lint = flake8, mypy\n    test = py38\n", 0), 0);
	CHECK_STR(all_envs(&f), "py38|flake8|mypy");
	fx_release(&f);
}

/* An env reads its own section, then [testenv]; the first section that has a key wins. */
static void test_tox_inheritance(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f,
			 "[testenv]\n"
			 "deps = a\n"
			 "commands = t\n"
			 "[testenv:x]\n"
			 "commands = c\n"
			 "[testenv:filtered]\n"
			 "deps =\n"
			 "    py39: own\n",
			 0), 0);
	CHECK_INT(fx_env(&f, "x", &e), 0);
	CHECK_STR(fx_join(&f, &e.deps), "a");
	CHECK_STR(fx_cmds(&f, &e.commands), "c");
	toxenv_release(&e);
	/* own section has deps, emptied by its condition: tox 4.58 takes [testenv]'s (4.11: none) */
	CHECK_INT(fx_env(&f, "filtered", &e), 0);
	CHECK_STR(fx_join(&f, &e.deps), "a");
	CHECK_STR(fx_cmds(&f, &e.commands), "t");
	toxenv_release(&e);
	fx_release(&f);
}

/* tox 4.58 asks each section for set_env and setenv before it goes on to the next (4.11: the other way). */
static void test_tox_alias_precedence(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f, "[testenv]\nset_env = A=base\n[testenv:x]\nsetenv = A=own\n", 0), 0);
	CHECK_INT(fx_env(&f, "x", &e), 0);
	CHECK_STR(fx_setenv(&e, "A"), "own");
	toxenv_release(&e);
	fx_release(&f);
}

/* `base` replaces [testenv] as the parent; each name is tried as [name], then [testenv:name]. */
static void test_tox_base(void)
{
	struct fx f;
	struct toxenv e;
	const char *ini = "[base]\n"
			  "deps = b\n"
			  "commands = from-base\n"
			  "[testenv]\n"
			  "deps = t\n"
			  "commands = from-testenv\n"
			  "description = testenv\n"
			  "[testenv:x]\n"
			  "base = base\n"
			  "[testenv:other]\n"
			  "extras = o\n"
			  "[testenv:y]\n"
			  "base = other, testenv\n";

	CHECK_INT(fx_ini(&f, ini, 0), 0);
	CHECK_INT(fx_env(&f, "x", &e), 0);
	CHECK_STR(fx_join(&f, &e.deps), "b");
	CHECK_STR(fx_cmds(&f, &e.commands), "from-base");
	CHECK_STR(e.description, "");
	toxenv_release(&e);
	CHECK_INT(fx_env(&f, "y", &e), 0);
	CHECK_STR(fx_join(&f, &e.extras), "o");
	CHECK_STR(fx_join(&f, &e.deps), "t");
	CHECK_STR(e.description, "testenv");
	toxenv_release(&e);
	fx_release(&f);

	/* tox 3 has no `base` */
	CHECK_INT(fx_ini(&f, ini, 1), 0);
	CHECK_INT(fx_env(&f, "x", &e), 0);
	CHECK_STR(fx_join(&f, &e.deps), "t");
	toxenv_release(&e);
	fx_release(&f);
}

/* [testenv:py{38,39}-lint] defines both envs; a name two headers define is the first one's in tox 4. */
static void test_tox_generative_sections(void)
{
	struct fx f;
	struct toxenv e;
	const char *ini = "[testenv:py{38,39}-lint]\n"
			  "commands = flake8\n"
			  "[testenv:py{38,39}]\n"
			  "deps = gen\n"
			  "[testenv:py38]\n"
			  "deps = own\n";

	for (int tox3 = 0; tox3 <= 1; tox3++) {
		CHECK_INT(fx_ini(&f, ini, tox3), 0);
		CHECK_INT(fx_env(&f, "py39-lint", &e), 0);
		CHECK_STR(fx_cmds(&f, &e.commands), "flake8");
		toxenv_release(&e);
		CHECK_INT(fx_env(&f, "py310-lint", &e), 0);
		CHECK_STR(fx_cmds(&f, &e.commands), "");
		toxenv_release(&e);
		CHECK_INT(fx_env(&f, "py39", &e), 0);
		CHECK_STR(fx_join(&f, &e.deps), "gen");
		toxenv_release(&e);
		if (!tox3) {
			CHECK_INT(fx_env(&f, "py38", &e), 0);
			CHECK_STR(fx_join(&f, &e.deps), "gen");
			toxenv_release(&e);
		}
		fx_release(&f);
	}
}

/*
 * tox 3's expand_section_names adds a generated section only when no section
 * of that name exists, so [testenv:py38] keeps its own settings; -a lists the
 * generated sections first (checked with tox 3.28).
 */
static void test_tox_generative_sections_tox3(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f,
			 "[testenv:py{38,39}-lint]\n"
			 "commands = flake8\n"
			 "[testenv:py{38,39}]\n"
			 "deps = gen\n"
			 "[testenv:py38]\n"
			 "deps = own\n",
			 1), 0);
	CHECK_INT(fx_env(&f, "py38", &e), 0);
	CHECK_STR(fx_join(&f, &e.deps), "own");
	toxenv_release(&e);
	CHECK_STR(all_envs(&f), "py38-lint|py39-lint|py39|py38");
	fx_release(&f);
}

/* requires = tox<4 means tox would provision tox 3: tox 3 semantics; plugins are noted. */
static void test_tox_requires_tox3(void)
{
	static const struct {
		const char *req;
		int tox3;
	} cases[] = {
		{ "tox<4", 1 }, { "tox < 4.0", 1 }, { "tox<=3.28", 1 }, { "tox>=4", 0 }, { "tox>=3.20,<4", 1 },
		{ "virtualenv<20", 0 },
	};
	struct fx f;
	char ini[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(ini, sizeof(ini), "[tox]\nrequires =\n    %s\n", cases[i].req);
		CHECK_INT(fx_ini(&f, ini, 0), 0);
		if (f.tox.tox3 != cases[i].tox3)
			test_fail(__FILE__, __LINE__, "requires %s: tox3 = %d, want %d", cases[i].req, f.tox.tox3,
				  cases[i].tox3);
		fx_release(&f);
	}
	CHECK_INT(fx_ini(&f, "[tox]\nrequires =\n    tox<4\n    tox-gh-actions\n", 0), 0);
	CHECK_INT(f.tox.tox3, 1);
	CHECK(strvec_find(&f.tox.ignored_requires, "tox-gh-actions") >= 0);
	fx_release(&f);
}

/* Switched by requires, the whole file follows tox 3: duplicates in the envlist, no set_env key. */
static void test_tox_requires_switches_semantics(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f, "[tox]\nrequires = tox<4\nenvlist = a,a\n[testenv]\nset_env = A=1\n", 0), 0);
	CHECK_STR(fx_join(&f, &f.tox.envlist), "a|a");
	CHECK_INT(fx_env(&f, "a", &e), 0);
	CHECK(fx_setenv(&e, "A") == NULL);
	toxenv_release(&e);
	fx_release(&f);
}

/* tox 3.28 refuses a file that needs a newer tox; tox 4 semantics load it. */
static void test_tox_minversion_tox3(void)
{
	struct fx f;

	CHECK_INT(fx_ini(&f, "[tox]\nenvlist = py\nminversion = 4.2.0\n", 1), -1);
	CHECK_STR(f.d.file, fx_path(&f, "tox.ini"));
	CHECK_INT(f.d.line, 3);
	CHECK(strstr(f.d.msg, "4.2.0") != NULL);
	fx_release(&f);
	CHECK_INT(fx_ini(&f, "[tox]\nenvlist = py\nminversion = 4.2.0\n", 0), 0);
	fx_release(&f);
	CHECK_INT(fx_ini(&f, "[tox]\nminversion = 3.0\n", 1), 0);
	fx_release(&f);
}

/* tox 3.28 handle_provision: config.minversion or reader.getstring("min_version"). */
static void test_tox_min_version_tox3(void)
{
	struct fx f;

	CHECK_INT(fx_ini(&f, "[tox]\nmin_version = 4.0\n", 1), -1);
	CHECK_INT(f.d.line, 2);
	fx_release(&f);
}

/* A parse error is "file:line:col: message". */
static void test_tox_error_location(void)
{
	struct fx f;
	char *msg, want[1024];

	CHECK_INT(fx_ini(&f, "[tox]\nenvlist = a\n[testenv]\ndeps = x\n  y\ncommands = c\ndeps = z\n", 0), -1);
	CHECK_STR(f.d.file, fx_path(&f, "tox.ini"));
	CHECK_INT(f.d.line, 7);
	CHECK_INT(f.d.col, 1);
	msg = diag_format(&f.d);
	snprintf(want, sizeof(want), "%s/tox.ini:7:1: ", f.dir);
	CHECK(strncmp(msg, want, strlen(want)) == 0);
	free(msg);
	fx_release(&f);
}

/* tox 3 resolves every env when it reads a file: one broken env rejects it. */
static void test_tox_check_all_tox3(void)
{
	struct fx f;
	struct diag d;

	CHECK_INT(fx_ini(&f, "[tox]\nenvlist = ok\n[testenv:bad]\ncommands = echo {nokey}\n", 1), 0);
	memset(&d, 0, sizeof(d));
	CHECK_INT(tox_check_all(&f.tox, &d), -1);
	CHECK(strstr(d.msg, "nokey") != NULL);
	fx_release(&f);
	CHECK_INT(fx_ini(&f, "[tox]\nenvlist = ok\n[testenv:good]\ncommands = echo {envname}\n", 1), 0);
	memset(&d, 0, sizeof(d));
	CHECK_INT(tox_check_all(&f.tox, &d), 0);
	fx_release(&f);
}

/* tox 4.58 applies conditions in [tox] too, the platform being a factor there (checked with tox 4.58). */
static void test_tox_core_conditions(void)
{
	struct fx f;
	char ini[256];

	snprintf(ini, sizeof(ini), "[tox]\nenv_list =\n    py38\n    %s: py39\n    nosuchos: py310\nrequires =\n    nomatch: x\n",
		 factor_sys_platform());
	CHECK_INT(fx_ini(&f, ini, 0), 0);
	CHECK_STR(fx_join(&f, &f.tox.envlist), "py38|py39");
	CHECK(tox_core_value(&f.tox, "requires") == NULL);
	CHECK_INT(f.tox.ignored_requires.n, 0);
	fx_release(&f);
}

const struct test tox_tests[] = {
	{ "tox_core_conditions", test_tox_core_conditions },
	{ "tox_load_paths", test_tox_load_paths },
	{ "tox_workdir", test_tox_workdir },
	{ "tox_discovery_parents_and_file", test_tox_discovery_parents_and_file },
	{ "tox_discovery_order", test_tox_discovery_order },
	{ "tox_setup_cfg", test_tox_setup_cfg },
	{ "tox_pyproject_legacy_ini", test_tox_pyproject_legacy_ini },
	{ "tox_pyproject_error_lines", test_tox_pyproject_error_lines },
	{ "tox_no_config", test_tox_no_config },
	{ "tox_envlist", test_tox_envlist },
	{ "tox_envlist_tox3_vs_tox4", test_tox_envlist_tox3_vs_tox4 },
	{ "tox_envlist_unterminated_brace", test_tox_envlist_unterminated_brace },
	{ "tox_all_envs_tox4", test_tox_all_envs_tox4 },
	{ "tox_all_envs_tox3", test_tox_all_envs_tox3 },
	{ "tox_all_envs_labels", test_tox_all_envs_labels },
	{ "tox_inheritance", test_tox_inheritance },
	{ "tox_alias_precedence", test_tox_alias_precedence },
	{ "tox_base", test_tox_base },
	{ "tox_generative_sections", test_tox_generative_sections },
	{ "tox_generative_sections_tox3", test_tox_generative_sections_tox3 },
	{ "tox_requires_tox3", test_tox_requires_tox3 },
	{ "tox_requires_switches_semantics", test_tox_requires_switches_semantics },
	{ "tox_minversion_tox3", test_tox_minversion_tox3 },
	{ "tox_min_version_tox3", test_tox_min_version_tox3 },
	{ "tox_error_location", test_tox_error_location },
	{ "tox_check_all_tox3", test_tox_check_all_tox3 },
	{ NULL, NULL },
};
