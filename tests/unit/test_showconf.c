/*
 * blitz config in tox 4.58's layout (src/cli/showconf.c): Python's float
 * repr, the text and the JSON of a small file, checked against what tox 4.58
 * printed for it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "harness.h"
#include "tests.h"
#include "../../src/cli/pyvalue.h"
#include "../../src/cli/showconf.h"
#include "../../src/util/util.h"

static const char *repr(double d)
{
	static char buf[64];

	py_float_repr(d, buf, sizeof(buf));
	return buf;
}

/* Python 3's repr(float): the shortest digits that read back, exponent below 1e-4 and from 1e16. */
static void test_py_float_repr(void)
{
	CHECK_STR(repr(0.0), "0.0");
	CHECK_STR(repr(0.3), "0.3");
	CHECK_STR(repr(0.2), "0.2");
	CHECK_STR(repr(1), "1.0");
	CHECK_STR(repr(2.5), "2.5");
	CHECK_STR(repr(-3), "-3.0");
	CHECK_STR(repr(100), "100.0");
	CHECK_STR(repr(123.456), "123.456");
	CHECK_STR(repr(0.0001), "0.0001");
	CHECK_STR(repr(0.00001), "1e-05");
	CHECK_STR(repr(1e16), "1e+16");
	CHECK_STR(repr(1.5e16), "1.5e+16");
	CHECK_STR(repr(1e15), "1000000000000000.0");
	CHECK_STR(repr(0.1 + 0.2), "0.30000000000000004");
}

/* What showconf wrote for env (and the core with core), into a string the caller frees. */
static char *show(struct fx *f, const char *env, int json, const struct strvec *keys, int core)
{
	FILE *tmp = tmpfile();
	struct showconf sc;
	struct toxenv e;
	char *text;
	long n;

	showconf_begin(&sc, tmp, json, keys);
	if (env && fx_env(f, env, &e) == 0)
		showconf_env(&sc, &f->tox, &e);
	if (env)
		toxenv_release(&e);
	if (core)
		showconf_core(&sc, &f->tox, 0);
	showconf_end(&sc);
	n = ftell(tmp);
	rewind(tmp);
	text = xcalloc(1, (size_t)n + 1);
	if (fread(text, 1, (size_t)n, tmp) != (size_t)n)
		text[0] = '\0';
	fclose(tmp);
	return text;
}

/* -k keys in the order given, tox's spelling of an alias, an unknown key left out (tox 4.58's output). */
static void test_showconf_keys(void)
{
	struct fx f;
	struct strvec keys = STRVEC_INIT;
	char *out;

	CHECK_INT(fx_ini(&f, "[tox]\nenv_list = lint\n[testenv:lint]\nskip_install = true\ncommands = ruff check .\n"
			     "suicide_timeout = 1\nlabels = b, a\n", 0), 0);
	strvec_split(&keys, "commands basepython nosuchkey suicide_timeout labels skip_install use_develop package", " ", 0);
	out = show(&f, "lint", 0, &keys, 0);
	CHECK_STR(out, "[testenv:lint]\ncommands = ruff check .\nbase_python = " FX_PYTHON "\nsuicide_timeout = 1.0\n"
		       "labels =\n  a\n  b\nskip_install = True\npackage = skip\n");
	free(out);
	out = show(&f, "lint", 1, &keys, 0);
	CHECK_STR(out, "{\n  \"env\": {\n    \"lint\": {\n      \"commands\": [\n        \"ruff check .\"\n      ],\n"
		       "      \"base_python\": [\n        \"" FX_PYTHON "\"\n      ],\n      \"suicide_timeout\": 1.0,\n"
		       "      \"labels\": [\n        \"a\",\n        \"b\"\n      ],\n      \"skip_install\": true,\n"
		       "      \"package\": \"skip\"\n    }\n  }\n}\n");
	free(out);
	strvec_clear(&keys);
	/* the core: lists, a map of lists, "None" for what is not set */
	strvec_split(&keys, "env_list labels min_version requires", " ", 0);
	out = show(&f, NULL, 1, &keys, 1);
	CHECK_STR(out, "{\n  \"env\": {},\n  \"tox\": {\n    \"env_list\": [\n      \"lint\"\n    ],\n    \"labels\": {},\n"
		       "    \"min_version\": \"None\",\n    \"requires\": [\n      \"tox\"\n    ]\n  }\n}\n");
	free(out);
	strvec_clear(&keys);
	fx_release(&f);
}

/* Without -k: type first, every key, and the keys tox would not read on the last line. */
static void test_showconf_unused(void)
{
	struct fx f;
	char *out;

	CHECK_INT(fx_ini(&f, "[testenv:x]\nsetenv = A=1\nwhitelist_externals = make\nblitz_services = redis\n", 0), 0);
	out = show(&f, "x", 0, NULL, 0);
	CHECK(starts_with(out, "[testenv:x]\ntype = VirtualEnvRunner\nset_env =\n  A=1\n"));
	CHECK(strstr(out, "\n# !!! unused: whitelist_externals\n") != NULL);
	CHECK(strstr(out, "\npackage = skip\n# !!!") != NULL);
	free(out);
	fx_release(&f);
}

const struct test showconf_tests[] = {
	{ "py_float_repr", test_py_float_repr },
	{ "showconf_keys", test_showconf_keys },
	{ "showconf_unused", test_showconf_unused },
	{ NULL, NULL },
};
