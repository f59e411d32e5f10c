/* What tox reads of pyproject.toml besides its configuration (src/config/pyproject.c). */
#include <string.h>

#include "fixture.h"
#include "harness.h"
#include "tests.h"
#include "../../src/config/pyproject.h"

static const char project[] =
	"[project]\nname = \"My_Proj\"\n"
	"[project.optional-dependencies]\ntest = [\"pytest\", \"cov\"]\nDocs = [\"sphinx\"]\n"
	"[dependency-groups]\n"
	"Test_Deps = [\"pytest>=7\", {include-group = \"lint\"}]\n"
	"lint = [\"ruff\", \"pytest>=7\"]\n"
	"all = [\"my-proj[test,docs]\", \"attrs\"]\n"
	"loop-a = [{include-group = \"loop-b\"}]\n"
	"loop-b = [{include-group = \"Loop_A\"}]\n";

/* Groups resolved as tox 4 does: normalised names, includes, the project's own extras, sorted without repeats. */
static void test_pyproject_groups(void)
{
	struct fx f;
	struct strvec groups = STRVEC_INIT, out = STRVEC_INIT;
	struct diag d = { 0 };

	fx_init(&f);
	fx_write(&f, "pyproject.toml", project);
	strvec_push(&groups, "test-deps");
	CHECK_INT(pyproject_dependency_groups(f.dir, &groups, &out, &d), 0);
	CHECK_STR(fx_join(&f, &out), "pytest>=7|ruff");
	strvec_clear(&out);
	strvec_clear(&groups);
	strvec_push(&groups, "all");
	CHECK_INT(pyproject_dependency_groups(f.dir, &groups, &out, &d), 0);
	CHECK_STR(fx_join(&f, &out), "attrs|cov|pytest|sphinx");
	strvec_clear(&out);
	strvec_clear(&groups);
	/* errors name the file and, where it says, the place */
	strvec_push(&groups, "nope");
	CHECK_INT(pyproject_dependency_groups(f.dir, &groups, &out, &d), -1);
	CHECK(strstr(d.msg, "dependency group 'nope' not found") != NULL);
	strvec_clear(&groups);
	strvec_push(&groups, "loop_a");
	CHECK_INT(pyproject_dependency_groups(f.dir, &groups, &out, &d), -1);
	CHECK(strstr(d.msg, "Cyclic dependency group include: loop-a -> loop-b -> loop-a") != NULL);
	CHECK(d.line == 11);
	/* none asked, no file: nothing */
	fx_write(&f, "pyproject.toml", "[project]\nname = \"x\"\n");
	CHECK_INT(pyproject_dependency_groups(f.dir, &groups, &out, &d), -1);
	CHECK(strstr(d.msg, "no dependency groups defined") != NULL);
	strvec_clear(&groups);
	CHECK_INT(pyproject_dependency_groups(f.dir, &groups, &out, &d), 0);
	strvec_push(&groups, "x");
	CHECK_INT(pyproject_dependency_groups(fx_path(&f, "nowhere"), &groups, &out, &d), 0);
	CHECK_INT((int)out.n, 0);
	strvec_clear(&groups);
	fx_release(&f);
}

const struct test pyproject_tests[] = {
	{ "pyproject_groups", test_pyproject_groups },
	{ NULL, NULL },
};
