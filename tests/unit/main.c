/*
 * Unit test runner: every test runs in its own forked process with a time
 * limit, so a crash or a hang is reported against that test and the rest still
 * run. The last line is "N passed, N failed".
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "tests.h"

static int failures;

void test_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "    %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	failures++;
}

static const struct test *const groups[] = {
	ini_tests, toml_tests, pyproject_tests, envlist_tests, factor_tests, filter_tests, shlex_tests, subst_tests, toxenv_tests, tox_tests, select_tests, check_tests, pool_tests, sched_tests, db_tests, envvars_tests, interp_tests, steps_tests, runner_tests, width_tests, fingerprint_tests, layer_tests, venv_tests, ramdir_tests, junit_tests, split_tests, timings_tests, service_tests, showconf_tests,
};

/* Run one test in a child; return 1 when it passed. */
static int run_one(const struct test *t)
{
	pid_t pid;
	int status;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 0;
	}
	if (pid == 0) {
		alarm(20);
		failures = 0;
		t->fn();
		fflush(stdout);
		_exit(failures ? 1 : 0);
	}
	while (waitpid(pid, &status, 0) < 0)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 1;
	if (WIFSIGNALED(status))
		fprintf(stderr, "    killed by signal %d%s\n", WTERMSIG(status),
			WTERMSIG(status) == SIGALRM ? " (timed out)" : "");
	return 0;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;

	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
		for (const struct test *t = groups[g]; t->name; t++) {
			if (argc > 1 && !strstr(t->name, argv[1]))
				continue;
			if (run_one(t)) {
				passed++;
			} else {
				failed++;
				fprintf(stderr, "FAIL %s\n", t->name);
			}
		}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
