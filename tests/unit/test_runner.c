/*
 * blitz run's engine on real venvs (python3 -m venv, without pip: these envs
 * install nothing) and real commands: passing, failing, killed by a signal,
 * a command outside the env, a missing interpreter, depends.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.h"
#include "harness.h"
#include "tests.h"
#include "../../src/run/runner.h"
#include "../../src/config/factor.h"
#include "../../src/util/util.h"

static const struct env_result *result(const struct run_result *res, const char *name)
{
	for (size_t i = 0; i < res->n; i++)
		if (strcmp(res->envs[i].name, name) == 0)
			return &res->envs[i];
	return NULL;
}

static void test_runner_outcomes(void)
{
	struct fx f;
	struct strvec envs = STRVEC_INIT;
	struct run_result res;
	struct run_opts ro = { .slots = 3 };
	const struct env_result *r;

	setenv("PATH", "/usr/bin:/bin", 1);
	CHECK_INT(fx_ini(&f,
			 "[tox]\nenvlist = ok, fail, sig, outside, nopy, last\n"
			 "[testenv]\nskip_install = true\nbase_python = python3\nallowlist_externals = sh\n"
			 "commands = sh -c 'echo ran {envname}'\n"
			 "[testenv:fail]\ncommands = sh -c 'echo failing; exit 3'\n"
			 "[testenv:sig]\ncommands = sh -c 'kill -KILL $$'\n"
			 "[testenv:outside]\ncommands = ls\n"
			 "[testenv:nopy]\nbase_python = python2.1\n"
			 "[testenv:last]\ndepends = ok, fail\n", 0), 0);
	f.tox.default_python = "python3";
	envlist_expand_value("ok, fail, sig, outside, nopy, last", &envs, ENVLIST_DEDUP);
	ro.run_dir = fx_path(&f, ".blitz/runs/1");
	ro.state_dir = fx_path(&f, ".blitz");
	CHECK_INT(runner_run(&f.tox, &envs, &ro, &res, NULL, NULL), 1);
	r = result(&res, "ok");
	CHECK(r && r->status == ENV_PASSED);
	char *log = r ? read_file(r->log_path, NULL) : NULL;
	CHECK(log && strstr(log, "ran ok"));
	free(log);
	r = result(&res, "fail");
	CHECK(r && r->status == ENV_FAILED && strstr(r->reason, "exit code 3"));
	r = result(&res, "sig");
	CHECK(r && r->status == ENV_FAILED && strstr(r->reason, "killed by signal 9"));
	r = result(&res, "outside");
	CHECK(r && r->status == ENV_FAILED && strstr(r->reason, "allowlist_externals"));
	/* tox 4.58 fails an env whose interpreter is missing unless skip_missing_interpreters says otherwise */
	r = result(&res, "nopy");
	CHECK(r && r->status == ENV_FAILED && strstr(r->reason, "python2.1"));
	/* depends waits for its envs, failed or not, then runs */
	r = result(&res, "last");
	CHECK(r && r->status == ENV_PASSED);
	run_result_release(&res);
	strvec_clear(&envs);
	fx_release(&f);
}

/* --fail-fast: the first failure stops the rest. */
static void test_runner_fail_fast(void)
{
	struct fx f;
	struct strvec envs = STRVEC_INIT;
	struct run_result res;
	struct run_opts ro = { .slots = 1, .fail_fast = 1 };

	setenv("PATH", "/usr/bin:/bin", 1);
	CHECK_INT(fx_ini(&f, "[testenv]\nskip_install = true\nbase_python = python3\nallowlist_externals = sh\n"
			      "commands = sh -c 'exit 0'\n[testenv:bad]\ncommands = sh -c 'exit 1'\n", 0), 0);
	strvec_push(&envs, "bad");
	strvec_push(&envs, "good");
	ro.run_dir = fx_path(&f, ".blitz/runs/2");
	ro.state_dir = fx_path(&f, ".blitz");
	CHECK_INT(runner_run(&f.tox, &envs, &ro, &res, NULL, NULL), 1);
	CHECK(result(&res, "bad")->status == ENV_FAILED);
	CHECK(result(&res, "good")->status == ENV_NOT_RUN);
	run_result_release(&res);
	strvec_clear(&envs);
	fx_release(&f);
}

/* Ctrl-C mid-run: every env's processes stop, the run says 130, nothing is left in the process table. */
static void test_runner_interrupt(void)
{
	struct fx f;
	int pipefd[2];
	pid_t child;

	setenv("PATH", "/usr/bin:/bin", 1);
	CHECK_INT(fx_ini(&f, "[testenv]\nskip_install = true\nbase_python = python3\nallowlist_externals = sh\n"
			      "commands = sh -c 'sleep 317 & sleep 318; wait'\n", 0), 0);
	CHECK_INT(pipe(pipefd), 0);
	child = fork();
	if (child == 0) {
		struct strvec envs = STRVEC_INIT;
		struct run_result res;
		struct run_opts ro = { .slots = 2 };
		strvec_push(&envs, "a");
		strvec_push(&envs, "b");
		ro.run_dir = fx_path(&f, ".blitz/runs/3");
		ro.state_dir = fx_path(&f, ".blitz");
		int rc = runner_run(&f.tox, &envs, &ro, &res, NULL, NULL);
		unsigned char c = (unsigned char)rc;
		(void)!write(pipefd[1], &c, 1);
		_exit(0);
	}
	/* let both envs get their sleeps going, then Ctrl-C */
	for (int i = 0; i < 100; i++) {
		usleep(100000);
		FILE *ps = popen("pgrep -f 'sleep 31[78]' | wc -l", "r");
		char buf[16] = "";
		if (ps) {
			(void)!fgets(buf, sizeof(buf), ps);
			pclose(ps);
		}
		if (atoi(buf) >= 4)
			break;
	}
	kill(child, SIGINT);
	unsigned char rc = 0;
	CHECK_INT(read(pipefd[0], &rc, 1), 1);
	CHECK_INT(rc, 130);
	waitpid(child, NULL, 0);
	FILE *ps = popen("pgrep -f 'sleep 31[78]' | wc -l", "r");
	char buf[16] = "";
	if (ps) {
		(void)!fgets(buf, sizeof(buf), ps);
		pclose(ps);
	}
	CHECK_INT(atoi(buf), 0);
	fx_release(&f);
}

/* --timeout stops a command that runs too long; the env fails saying so. */
static void test_runner_timeout(void)
{
	struct fx f;
	struct strvec envs = STRVEC_INIT;
	struct run_result res;
	struct run_opts ro = { .slots = 1, .timeout_ns = 300000000LL };

	setenv("PATH", "/usr/bin:/bin", 1);
	CHECK_INT(fx_ini(&f, "[testenv]\nskip_install = true\nbase_python = python3\nallowlist_externals = sleep\n"
			      "commands = sleep 30\n", 0), 0);
	strvec_push(&envs, "slow");
	ro.run_dir = fx_path(&f, ".blitz/runs/4");
	ro.state_dir = fx_path(&f, ".blitz");
	CHECK_INT(runner_run(&f.tox, &envs, &ro, &res, NULL, NULL), 1);
	CHECK(res.envs[0].status == ENV_FAILED && strstr(res.envs[0].reason, "ran out of time"));
	CHECK(res.envs[0].seconds < 10);
	run_result_release(&res);
	strvec_clear(&envs);
	fx_release(&f);
}

const struct test runner_tests[] = {
	{ "runner_timeout", test_runner_timeout },
	{ "runner_interrupt", test_runner_interrupt },
	{ "runner_outcomes", test_runner_outcomes },
	{ "runner_fail_fast", test_runner_fail_fast },
	{ NULL, NULL },
};
