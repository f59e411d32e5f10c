/* blitz check: what tox would reject only when running an env, found with its place in the file. */
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "harness.h"
#include "tests.h"
#include "../../src/config/check.h"

/* Check env; return the problems joined with '\n' (owned by f via a strvec it keeps). */
static const char *check(struct fx *f, const char *env, int *count)
{
	struct toxenv e;
	struct strvec out = STRVEC_INIT;
	const char *joined;

	CHECK_INT(fx_env(f, env, &e), 0);
	*count = tox_env_check(&f->tox, &e, &out);
	joined = fx_join(f, &out);
	strvec_clear(&out);
	toxenv_release(&e);
	return joined;
}

static void test_check_missing_requirement_file(void)
{
	struct fx f;
	int n;

	CHECK_INT(fx_ini(&f, "[testenv]\ndeps =\n    pytest\n    -rrequirements/test.txt\n", 0), 0);
	const char *msg = check(&f, "py311", &n);
	CHECK_INT(n, 1);
	/* the place is the line and column where the file is named */
	CHECK(strstr(msg, "tox.ini:4:7: requirement file") != NULL);
	CHECK(strstr(msg, "requirements/test.txt") != NULL);
	CHECK(strstr(msg, "create it or fix the path") != NULL);
	fx_release(&f);
}

static void test_check_present_and_nested_files(void)
{
	struct fx f;
	int n;

	CHECK_INT(fx_ini(&f, "[testenv]\ndeps = -r {toxinidir}/req.txt\n", 0), 0);
	fx_write(&f, "req.txt", "pytest\n-r more.txt\n-c  constraints.txt\n");
	fx_write(&f, "more.txt", "flask\n");
	const char *msg = check(&f, "py311", &n);
	/* the missing file is reported against the requirement file that names it */
	CHECK_INT(n, 1);
	CHECK(strstr(msg, "req.txt:3:5: requirement file") != NULL);
	CHECK(strstr(msg, "constraints.txt") != NULL);
	fx_write(&f, "constraints.txt", "");
	msg = check(&f, "py311", &n);
	CHECK_INT(n, 0);
	fx_release(&f);
}

static void test_check_values_tox_cannot_convert(void)
{
	struct fx f;
	int n;

	CHECK_INT(fx_ini(&f, "[testenv]\nskip_install = maybe\nbase_python = python3\n", 0), 0);
	const char *msg = check(&f, "py311", &n);
	CHECK_INT(n, 2);
	CHECK(strstr(msg, "tox.ini:2:16: env 'py311': value 'maybe' cannot be transformed to bool") != NULL);
	CHECK(strstr(msg, "tox.ini:3:15: env 'py311': env name py311 conflicting with base python python3") != NULL);
	fx_release(&f);
}

static void test_check_circular_section_reference(void)
{
	struct fx f;
	struct toxenv e;

	CHECK_INT(fx_ini(&f, "[testenv]\ndeps = x {[testenv]deps} {[testenv]deps}\n", 0), 0);
	CHECK_INT(fx_env(&f, "py", &e), -1);
	CHECK(strstr(f.d.msg, "circular reference: {[testenv]deps}") != NULL);
	CHECK_INT(f.d.line, 2);
	toxenv_release(&e);
	fx_release(&f);
}

const struct test check_tests[] = {
	{ "check_missing_requirement_file", test_check_missing_requirement_file },
	{ "check_present_and_nested_files", test_check_present_and_nested_files },
	{ "check_values_tox_cannot_convert", test_check_values_tox_cannot_convert },
	{ "check_circular_section_reference", test_check_circular_section_reference },
	{ NULL, NULL },
};
