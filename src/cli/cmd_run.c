/* blitz run (and blitz alone): run the selected envs and report what happened. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "../config/diag.h"
#include "../config/tox.h"
#include "../env/fingerprint.h"
#include "../env/ramdir.h"
#include "../plan/split.h"
#include "../report/summary.h"
#include "../run/runner.h"
#include "../util/util.h"

/* -p: auto (the cores), all (every selected env at once), 0 (one at a time, as tox), or a number. */
static size_t slots(const char *parallel, size_t envs)
{
	char *end;
	long n;

	if (!parallel)
		return 1;
	if (strcmp(parallel, "auto") == 0) {
		n = sysconf(_SC_NPROCESSORS_ONLN);
		return n > 0 ? (size_t)n : 1;
	}
	if (strcmp(parallel, "all") == 0)
		return envs ? envs : 1;
	n = strtol(parallel, &end, 10);
	if (*end || end == parallel || n < 0) {
		fprintf(stderr, "blitz: error: -p '%s': give a number of envs at once, auto, all, or 0 for one at a time\n",
			parallel);
		exit(2);
	}
	return n ? (size_t)n : 1;
}

/*
 * --ram (or [blitz] ram = true): the work folder, and the envs in it, in a
 * RAM file system for this run (removed when it ends). Returns that folder,
 * or NULL when the envs stay where they are.
 */
static char *ram_workdir(struct tox *t, const struct opts *o, int *lock_fd)
{
	struct diag d = { 0 };
	int on = o->ram ? 1 : tox_blitz_bool(t, "ram", 0, &d);
	char err[512], name[32];
	char *dir;

	if (on < 0) {
		char *msg = diag_format(&d);
		error("%s", msg);
		free(msg);
		exit(2);
	}
	if (!on)
		return NULL;
	snprintf(name, sizeof(name), "%016llx", (unsigned long long)fp_str(FP_INIT, t->toxinidir));
	if (!(dir = ramdir_create(ramdir_roots(), name, lock_fd, err, sizeof(err)))) {
		warn("--ram: %s; the envs stay in %s", err, t->workdir);
		return NULL;
	}
	printf("envs in RAM for this run: %s (removed when it ends)\n", dir);
	tox_set_workdir(t, dir);
	return dir;
}

/* A whole number >= min in s (all of it), or -1. */
static long count_of(const char *s, long min)
{
	char *end;
	long v;

	if (!s || !*s)
		return -1;
	v = strtol(s, &end, 10);
	return *end || v < min ? -1 : v;
}

/*
 * Which CI node this is (0-based *node of *nodes): --shard I/N (I from 1),
 * else what the CI says: CircleCI (CIRCLE_NODE_INDEX from 0, _TOTAL),
 * GitLab (CI_NODE_INDEX from 1, _TOTAL), Buildkite (BUILDKITE_PARALLEL_JOB
 * from 0, _COUNT), a Kubernetes indexed job (JOB_COMPLETION_INDEX from 0,
 * with --shard-total). *nodes stays 0 when the run is not split among
 * nodes. Exits 2 on a bad value.
 */
static void which_node(const struct opts *o, size_t *node, size_t *nodes)
{
	static const struct {
		const char *index, *total;
		long first;
	} ci[] = {
		{ "CIRCLE_NODE_INDEX", "CIRCLE_NODE_TOTAL", 0 },
		{ "CI_NODE_INDEX", "CI_NODE_TOTAL", 1 },
		{ "BUILDKITE_PARALLEL_JOB", "BUILDKITE_PARALLEL_JOB_COUNT", 0 },
	};
	long i = -1, n = -1;

	*node = *nodes = 0;
	if (o->shard) {
		const char *slash = strchr(o->shard, '/');
		char *first = slash ? xstrndup(o->shard, (size_t)(slash - o->shard)) : NULL;
		i = count_of(first, 1);
		n = slash ? count_of(slash + 1, 1) : -1;
		free(first);
		if (i < 0 || n < 0 || i > n) {
			fprintf(stderr, "blitz: error: --shard '%s': give this node's number and how many nodes, e.g. 2/4\n",
				o->shard);
			exit(2);
		}
		*node = (size_t)(i - 1);
		*nodes = (size_t)n;
		return;
	}
	for (size_t k = 0; k < sizeof(ci) / sizeof(*ci); k++) {
		const char *vi = getenv(ci[k].index), *vn = getenv(ci[k].total);
		if (!vi || !vn)
			continue;
		i = count_of(vi, ci[k].first);
		n = count_of(vn, 1);
		if (i < 0 || n < 0 || i - ci[k].first >= n) {
			fprintf(stderr, "blitz: error: %s=%s and %s=%s do not name a node: unset them or give --shard I/N\n",
				ci[k].index, vi, ci[k].total, vn);
			exit(2);
		}
		*node = (size_t)(i - ci[k].first);
		*nodes = n > 1 ? (size_t)n : 0;
		return;
	}
	const char *job = getenv("JOB_COMPLETION_INDEX");
	if (o->shard_total) {
		n = count_of(o->shard_total, 1);
		i = count_of(job, 0);
		if (n < 0 || i < 0 || i >= n) {
			fprintf(stderr, "blitz: error: --shard-total '%s' goes with JOB_COMPLETION_INDEX (%s) of a Kubernetes "
				"indexed job: give the job's completions, more than its index\n", o->shard_total,
				job ? job : "not set");
			exit(2);
		}
		*node = (size_t)i;
		*nodes = n > 1 ? (size_t)n : 0;
	}
}

int cmd_run(const struct opts *o)
{
	struct tox t;
	struct strvec envs = STRVEC_INIT;
	struct run_result res;
	struct run_opts ro;
	char stamp[64];
	time_t now = time(NULL);
	int rc;

	cli_load(&t, o);
	int ram_lock = -1;
	char *ram = ram_workdir(&t, o, &ram_lock);
	cli_select(&t, o, &envs);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", localtime(&now));
	char *state = cli_state_dir(&t);
	/*
	 * its own folder, named by mkdtemp: two runs that start in the same
	 * second with the same pid (in two PID namespaces sharing the project)
	 * never share one. Made by the runner, which says why when it cannot.
	 */
	char *runs = xconcat(state, "/runs", NULL);
	char *run_dir = xasprintf("%s/%s-%ld-XXXXXX", runs, stamp, (long)getpid());
	if (!o->dry_run && mkdirs(runs) == 0)
		mkdtemp(run_dir);
	free(runs);
	memset(&ro, 0, sizeof(ro));
	ro.slots = slots(o->parallel, envs.n);
	ro.auto_width = o->parallel && strcmp(o->parallel, "auto") == 0;
	if (o->timeout) {
		char *end;
		double secs = strtod(o->timeout, &end);
		if (*end || secs <= 0) {
			fprintf(stderr, "blitz: error: --timeout '%s': give the seconds a command may run, e.g. 600\n", o->timeout);
			exit(2);
		}
		ro.timeout_ns = (long long)(secs * 1e9);
	}
	ro.durations = 5;
	if (o->durations) {
		char *end;
		long n = strtol(o->durations, &end, 10);
		if (*end || n < 0 || end == o->durations) {
			fprintf(stderr, "blitz: error: --durations '%s': give how many of the slowest tests to show, e.g. 10\n",
				o->durations);
			exit(2);
		}
		ro.durations = (size_t)n;
	}
	int line = 0;
	const char *by = o->split_by ? o->split_by : tox_blitz_value(&t, "split_by", &line);
	/*
	 * a class's tests stay in one process, in pytest's order, unless the
	 * user says they are independent (split_by = test): a class's set-up
	 * and the order its tests rely on are what splitting breaks first
	 */
	enum split_by sb = SPLIT_CLASS;
	if (by && split_by_parse(by, &sb) < 0) {
		if (o->split_by)
			fprintf(stderr, "blitz: error: --split-by '%s': give test, class or module\n", by);
		else
			fprintf(stderr, "blitz: error: %s:%d: [blitz] split_by = %s: write test, class or module\n", t.path,
				line, by);
		exit(2);
	}
	ro.split_by = (int)sb;
	which_node(o, &ro.node, &ro.nodes);
	const char *reruns = o->reruns ? o->reruns : tox_blitz_value(&t, "reruns", &line);
	if (reruns) {
		char *end;
		long n = strtol(reruns, &end, 10);
		if (*end || n < 0 || end == reruns) {
			if (o->reruns)
				fprintf(stderr, "blitz: error: --reruns '%s': give how many times a failed test may run again, e.g. 2\n",
					reruns);
			else
				fprintf(stderr, "blitz: error: %s:%d: [blitz] reruns = %s: write how many times a failed test may run again, e.g. 2\n",
					t.path, line, reruns);
			exit(2);
		}
		ro.reruns = (size_t)n;
	}
	ro.no_split = o->no_split;
	ro.dry_run = o->dry_run;
	ro.fail_fast = o->fail_fast;
	ro.recreate = o->recreate;
	if (o->skip_missing && strcmp(o->skip_missing, "config") != 0)
		ro.skip_missing = strcmp(o->skip_missing, "true") == 0 ? SKIP_MISSING_YES : SKIP_MISSING_NO;
	ro.run_dir = run_dir;
	ro.state_dir = state;
	int tty = isatty(1);
	rc = runner_run(&t, &envs, &ro, &res, report_progress, &tty);
	if (tty)
		fputs("\r\033[K", stdout);
	if (o->dry_run) {
		/* the plan is printed: nothing ran */
	} else if (rc != 2) {
		report_summary(&res);
	}
	if (rc != 2 && o->result_json && report_json(o->result_json, &res) < 0 && rc == 0)
		rc = 1;
	run_result_release(&res);
	if (ram && remove_tree(ram) < 0)
		warn("could not remove the RAM folder '%s' of this run's envs: %s", ram, strerror(errno));
	if (ram_lock >= 0)
		close(ram_lock);
	free(ram);
	free(run_dir);
	free(state);
	strvec_clear(&envs);
	tox_release(&t);
	return rc;
}
