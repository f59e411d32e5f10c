#ifndef BLITZ_RUNNER_H
#define BLITZ_RUNNER_H

#include <stddef.h>

struct tox;
struct strvec;

/* How a run goes. */
struct run_opts {
	size_t slots;			/* envs at once (>= 1); with auto_width, the cores to start from */
	int auto_width;			/* -p auto: more envs while cores sit idle (plan/width.h) */
	int fail_fast;			/* stop at the first failed env */
	int recreate;			/* -r: build every env again, even unchanged */
	long long timeout_ns;		/* a command (not an install) running longer is stopped; 0: none */
	const char *run_dir;		/* logs go here (created) */
	const char *state_dir;		/* .blitz: durations from earlier runs */
	enum { SKIP_MISSING_CONFIG, SKIP_MISSING_YES, SKIP_MISSING_NO } skip_missing;	/* --skip-missing-interpreters */
	size_t durations;		/* how many of the slowest tests to report (--durations) */
	int split_by;			/* enum split_by (plan/split.h): what stays in one shard */
	int no_split;			/* --no-split: every pytest command runs as written */
	int dry_run;			/* --dry-run: print the plan, run nothing */
	size_t reruns;			/* --reruns N: failed tests run again, in a fresh process, up to N times */
	size_t node, nodes;		/* --shard I/N: this is node (0-based) of nodes (> 1); else 0, 0 */
};

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

/*
 * Called as each env finishes (r set), and about twice a second while envs
 * run (r NULL): done of total finished, failed of them, elapsed seconds, the
 * estimated seconds left (-1: unknown) and the names running. ctx is the caller's.
 */
struct run_status {
	size_t done, total, failed;
	double elapsed, left;
	const char *const *running;
	size_t nrunning;
	const char *silent;		/* the env whose running command has been quiet longest, past a minute; or NULL */
	double silent_s;		/* for how long */
};
typedef void (*run_progress_fn)(void *ctx, const struct env_result *r, const struct run_status *st);

/*
 * Run the envs of t named in envs: for each, find its interpreter, create its
 * venv, install its deps and the project, run its commands; several at once,
 * dependencies first and the longest (by earlier runs) next. Fills res (free
 * with run_result_release()). Returns 0 when every env passed or was
 * skipped, 130 when interrupted, 2 for an error that stopped the run
 * before any env (message printed); when envs failed, the exit status tox
 * gives (tox 4: one env selected, its code; with fail_fast the first failed
 * env's; else 1; tox 3: 1), and 1 when every env was skipped (tox 4).
 */
int runner_run(struct tox *t, const struct strvec *envs, const struct run_opts *o, struct run_result *res,
	       run_progress_fn progress, void *ctx);

void run_result_release(struct run_result *res);

#endif
