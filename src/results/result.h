#ifndef BLITZ_RESULTS_RESULT_H
#define BLITZ_RESULTS_RESULT_H

/*
 * What a run found: each env's outcome and steps, its tests, its services.
 * Data for the report (report/), never printed here. An env's result is
 * written by record.c alone; the run's tests by tests.c; a run_result is
 * put together by the run (run/runner.c) from those.
 */
#include <stddef.h>

enum env_status {
	ENV_PASSED,
	ENV_FAILED,
	ENV_SKIPPED,		/* interpreter missing and skip_missing_interpreters */
	ENV_NOT_RUN,		/* interrupted or --fail-fast before it started */
};

/* One step of an env as it ran. */
struct step_result {
	char *what;			/* "create", "deps", "package" or "command" */
	char *cmd;			/* its words, shell-quoted and joined */
	int exit_code;			/* -1 when it did not exit (signal, timeout, not started) */
	int signo;
	double seconds;
	double cpu_seconds;		/* user + system, the step's process and the children it waited for */
};

/* One env's outcome: data for the report, never printed here. */
struct env_result {
	char *name;
	enum env_status status;
	char reason[512];		/* why it failed or was skipped; "" when it passed */
	double seconds;
	char *log_path;			/* owned */
	int ignored_failure;		/* failed but ignore_outcome = true: counts as passed */
	int code;			/* failed: the exit code tox gives it (a command's, -N for signal N), else 0 */
	int reused;			/* its venv and deps were in place, unchanged: not built again */
	struct step_result *steps;	/* in the order they ran */
	size_t nsteps;
};

/* A test as its env's pytest reported it (JUnit XML). */
struct test_time {
	char *env, *test;		/* test: "classname::name" */
	double seconds;
	size_t times_flaky;		/* flaky tests: how often it was, this run included (history) */
};

/* A service instance of the run (blitz_services): one per service and slot that needed it. */
struct service_result {
	char *service;
	size_t slot;
	int port;
	double ready_seconds;		/* from its start to ready, the first time; -1: never ready */
	double job_wait_seconds;	/* the longest a job on its slot waited for it (start, reset); -1: no job used it */
	size_t starts;			/* how often it was started (more than once: it died, or was started again) */
	char *log_path;
	char *error;			/* why it failed, or NULL */
};

struct run_result {
	char *junit;			/* the run's merged JUnit XML (every pytest command's), or NULL */
	size_t tests, tests_failed;	/* in it: how many, how many failed or errored */
	struct test_time *slowest;	/* the run_opts.durations slowest, slowest first */
	size_t nslowest;
	struct test_time *flaky;	/* tests that failed, then passed on a rerun (--reruns) */
	size_t nflaky;
	struct env_result *envs;	/* in selection order */
	size_t n;
	struct service_result *services;	/* the service instances it started */
	size_t nservices;
	int interrupted;		/* the signal that stopped the run, or 0 */
	double seconds;
};

/* Free what res holds. */
void run_result_release(struct run_result *res);

#endif
