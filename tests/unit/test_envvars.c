/* The environment commands run in: pass_env, set_env, PATH and tox's own variables. */
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "harness.h"
#include "tests.h"
#include "../../src/run/envvars.h"
#include "../../src/util/util.h"

static const char *get(const struct strvec *env, const char *key)
{
	size_t n = strlen(key);

	for (size_t i = 0; i < env->n; i++)
		if (strncmp(env->v[i], key, n) == 0 && env->v[i][n] == '=')
			return env->v[i] + n + 1;
	return NULL;
}

static void test_envvars_pass_and_set(void)
{
	struct fx f;
	struct toxenv e;
	struct strvec env = STRVEC_INIT;
	char *environ_[] = { "PATH=/usr/bin:/bin", "HOME=/home/u", "pip_index_url=http://mirror", "SECRET=x",
			     "CI=true", "KEEP=from-outside", NULL };

	CHECK_INT(fx_ini(&f, "[testenv]\npass_env = PIP_*, CI, KEEP\nset_env =\n    KEEP = from-set-env\n    A = 1\n", 0), 0);
	CHECK_INT(fx_env(&f, "py311", &e), 0);
	envvars_build(&e, "/w/.tox", 0, environ_, &env);
	/* tox 4's defaults pass HOME; globs match without regard to case */
	CHECK_STR(get(&env, "HOME"), "/home/u");
	CHECK_STR(get(&env, "pip_index_url"), "http://mirror");
	CHECK_STR(get(&env, "CI"), "true");
	CHECK(get(&env, "SECRET") == NULL);
	/* set_env wins over a passed value, once */
	CHECK_STR(get(&env, "KEEP"), "from-set-env");
	size_t keeps = 0;
	for (size_t i = 0; i < env.n; i++)
		keeps += strncmp(env.v[i], "KEEP=", 5) == 0;
	CHECK_INT(keeps, 1);
	CHECK_STR(get(&env, "A"), "1");
	CHECK_STR(get(&env, "PYTHONHASHSEED"), "1234");
	strvec_clear(&env);
	toxenv_release(&e);
	fx_release(&f);
}

static void test_envvars_tox_variables(void)
{
	struct fx f;
	struct toxenv e;
	struct strvec env = STRVEC_INIT;
	char *environ_[] = { "PATH=/usr/bin:/bin", NULL };
	char *bin;

	CHECK_INT(fx_ini(&f, "[testenv]\ncommands = pytest\n", 0), 0);
	CHECK_INT(fx_env(&f, "py311", &e), 0);
	envvars_build(&e, "/w/.tox", 0, environ_, &env);
	bin = xconcat(e.env_dir, "/bin:/usr/bin:/bin", NULL);
	CHECK_STR(get(&env, "PATH"), bin);
	CHECK_STR(get(&env, "VIRTUAL_ENV"), e.env_dir);
	CHECK_STR(get(&env, "TOX_ENV_NAME"), "py311");
	CHECK_STR(get(&env, "TOX_ENV_DIR"), e.env_dir);
	CHECK_STR(get(&env, "TOX_WORK_DIR"), "/w/.tox");
	free(bin);
	strvec_clear(&env);
	toxenv_release(&e);
	fx_release(&f);
}

/* tox 4 forces PYTHONIOENCODING and PIP_USER over set_env; tox 3 leaves set_env's. */
static void test_envvars_forced(void)
{
	struct fx f;
	struct toxenv e;
	struct strvec env = STRVEC_INIT;
	char *environ_[] = { "PATH=/usr/bin", NULL };

	CHECK_INT(fx_ini(&f, "[testenv]\nset_env =\n    PYTHONIOENCODING = latin-1\n    PIP_USER = 1\n", 0), 0);
	CHECK_INT(fx_env(&f, "py", &e), 0);
	envvars_build(&e, "/w/.tox", 0, environ_, &env);
	CHECK_STR(get(&env, "PYTHONIOENCODING"), "utf-8");
	CHECK_STR(get(&env, "PIP_USER"), "0");
	strvec_clear(&env);
	toxenv_release(&e);
	fx_release(&f);
	CHECK_INT(fx_ini(&f, "[testenv]\nsetenv =\n    PYTHONIOENCODING = latin-1\n    PIP_USER = 1\n", 1), 0);
	CHECK_INT(fx_env(&f, "py", &e), 0);
	envvars_build(&e, "/w/.tox", 1, environ_, &env);
	CHECK_STR(get(&env, "PYTHONIOENCODING"), "latin-1");
	CHECK_STR(get(&env, "PIP_USER"), "1");
	strvec_clear(&env);
	toxenv_release(&e);
	fx_release(&f);
}

/* tox 3 installs with the whole environment (PIP_* and HOME reach pip), but PYTHONPATH; commands see pass_env's. */
static void test_envvars_tox3_install(void)
{
	struct fx f;
	struct toxenv e;
	struct strvec inst = STRVEC_INIT, cmds = STRVEC_INIT;
	char *environ_[] = { "PATH=/usr/bin", "HOME=/home/u", "PIP_FIND_LINKS=/wh", "PYTHONPATH=/x", "OTHER=1", NULL };

	CHECK_INT(fx_ini(&f, "[testenv]\nsetenv = A = 1\n", 1), 0);
	CHECK_INT(fx_env(&f, "py", &e), 0);
	envvars_build_install_tox3(&e, "/w/.tox", environ_, &inst);
	envvars_build(&e, "/w/.tox", 1, environ_, &cmds);
	CHECK_STR(get(&inst, "HOME"), "/home/u");
	CHECK_STR(get(&inst, "PIP_FIND_LINKS"), "/wh");
	CHECK_STR(get(&inst, "OTHER"), "1");
	CHECK_STR(get(&inst, "A"), "1");
	CHECK_STR(get(&inst, "PIP_USER"), "0");
	CHECK_STR(get(&inst, "PIP_NO_DEPS"), "0");
	CHECK(get(&inst, "PYTHONPATH") == NULL);
	CHECK(get(&cmds, "HOME") == NULL && get(&cmds, "PIP_FIND_LINKS") == NULL && get(&cmds, "OTHER") == NULL);
	CHECK_STR(get(&cmds, "A"), "1");
	strvec_clear(&inst);
	strvec_clear(&cmds);
	toxenv_release(&e);
	fx_release(&f);
}

const struct test envvars_tests[] = {
	{ "envvars_forced", test_envvars_forced },
	{ "envvars_tox3_install", test_envvars_tox3_install },
	{ "envvars_pass_and_set", test_envvars_pass_and_set },
	{ "envvars_tox_variables", test_envvars_tox_variables },
	{ NULL, NULL },
};
