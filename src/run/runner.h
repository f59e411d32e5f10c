#ifndef BLITZ_RUNNER_H
#define BLITZ_RUNNER_H

#include <stddef.h>

#include "../results/result.h"

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


#endif
