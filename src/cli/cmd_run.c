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
#include "../run/runner.h"
#include "../util/util.h"

static const char *status_word(const struct env_result *r)
{
	switch (r->status) {
	case ENV_PASSED: return r->ignored_failure ? "failed (ignored)" : "passed";
	case ENV_FAILED: return "FAILED";
	case ENV_SKIPPED: return "skipped";
	default: return r->seconds > 0 ? "interrupted" : "not run";
	}
}

static void print_duration(double s)
{
	if (s >= 60)
		printf("%dm%02ds", (int)(s / 60), (int)s % 60);
	else
		printf("%.0fs", s);
}

/*
 * On a terminal, one status line redrawn in place (at most twice a second,
 * the runner's pace) with a line printed above it for each finished env;
 * elsewhere (CI logs) only the line per finished env.
 */
static void progress(void *ctx, const struct env_result *r, const struct run_status *st)
{
	int tty = *(int *)ctx;

	if (tty)
		fputs("\r\033[K", stdout);
	if (r)
		printf("[%zu/%zu] %s %s in %.1fs%s%s\n", st->done, st->total, r->name, status_word(r), r->seconds,
		       r->reason[0] ? ": " : "", r->reason);
	if (tty && st->done < st->total) {
		printf("%zu/%zu done, %zu failed, %zu running", st->done, st->total, st->failed, st->nrunning);
		if (st->nrunning)
			printf(" (%s%s)", st->running[0], st->nrunning > 1 ? ", ..." : "");
		printf(", ");
		print_duration(st->elapsed);
		if (st->left >= 0) {
			printf(", about ");
			print_duration(st->left);
			printf(" left");
		}
		if (st->silent) {
			printf("; %s quiet for ", st->silent);
			print_duration(st->silent_s);
			printf(" (stuck? --timeout SECONDS stops such a command)");
		}
	}
	fflush(stdout);
}

/* The last lines of a log, for a failed env. */
static void print_tail(const char *path, int lines)
{
	size_t len;
	char *text = read_file_tail(path, 64 * 1024, &len);	/* a log of any size: only its end is read */
	const char *p, *end;
	int seen = 0;

	if (!text)
		return;
	end = text + len;
	p = end;
	while (p > text && seen <= lines)
		if (*--p == '\n' && p + 1 < end)
			seen++;
	if (seen > lines)
		p++;
	for (const char *l = p; l < end;) {
		const char *nl = memchr(l, '\n', (size_t)(end - l));
		size_t n = nl ? (size_t)(nl - l) : (size_t)(end - l);
		fputs("    | ", stdout);
		for (size_t i = 0; i < n; i++) {
			if (l[i])
				putchar(l[i]);
			else
				fputs("^@", stdout);	/* a NUL byte, shown as a terminal would */
		}
		putchar('\n');
		l += n + (nl ? 1 : 0);
	}
	free(text);
}

static const char *const status_key[] = { "passed", "failed", "skipped", "not run" };

/* A list of tests in --result-json: env, test, seconds (with flaky: how many recorded runs it was flaky in). */
static void write_json_tests(FILE *f, const char *key, const struct test_time *v, size_t n, int flaky)
{
	fprintf(f, ",\n  \"%s\": [", key);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s\n    {\"env\": ", i ? "," : "");
		json_string(f, v[i].env);
		fprintf(f, ", \"test\": ");
		json_string(f, v[i].test);
		fprintf(f, ", \"seconds\": %.3f", v[i].seconds);
		if (flaky)
			fprintf(f, ", \"times_flaky\": %zu", v[i].times_flaky);
		fputc('}', f);
	}
	fprintf(f, "%s]", n ? "\n  " : "");
}

/* --result-json: the run as data (per env: result, tox's code, reason, time, log, each step with its exit code). */
static int write_json(const char *path, const struct run_result *res)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return error("cannot write '%s':", path);
	fprintf(f, "{\n  \"seconds\": %.3f,\n  \"interrupted\": %s,\n  \"envs\": [", res->seconds,
		res->interrupted ? "true" : "false");
	for (size_t i = 0; i < res->n; i++) {
		const struct env_result *r = &res->envs[i];
		fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
		json_string(f, r->name);
		fprintf(f, ", \"result\": \"%s\", \"code\": %d, \"ignored_failure\": %s, \"reused\": %s, \"seconds\": %.3f, \"reason\": ",
			status_key[r->status], r->code, r->ignored_failure ? "true" : "false", r->reused ? "true" : "false",
			r->seconds);
		json_string(f, r->reason);
		fprintf(f, ", \"log\": ");
		json_string(f, r->log_path);
		fprintf(f, ", \"steps\": [");
		for (size_t k = 0; k < r->nsteps; k++) {
			fprintf(f, "%s\n      {\"what\": ", k ? "," : "");
			json_string(f, r->steps[k].what);
			fprintf(f, ", \"command\": ");
			json_string(f, r->steps[k].cmd);
			fprintf(f, ", \"exit_code\": %d, \"signal\": %d, \"seconds\": %.3f, \"cpu_seconds\": %.3f}",
				r->steps[k].exit_code, r->steps[k].signo, r->steps[k].seconds, r->steps[k].cpu_seconds);
		}
		fprintf(f, "%s]}", r->nsteps ? "\n    " : "");
	}
	fprintf(f, "\n  ],\n  \"junit\": ");
	if (res->junit)
		json_string(f, res->junit);
	else
		fputs("null", f);
	fprintf(f, ",\n  \"tests\": %zu,\n  \"tests_failed\": %zu", res->tests, res->tests_failed);
	write_json_tests(f, "slowest", res->slowest, res->nslowest, 0);
	write_json_tests(f, "flaky", res->flaky, res->nflaky, 1);
	fprintf(f, ",\n  \"services\": [");
	for (size_t i = 0; i < res->nservices; i++) {
		const struct service_result *sv = &res->services[i];
		fprintf(f, "%s\n    {\"service\": ", i ? "," : "");
		json_string(f, sv->service);
		fprintf(f, ", \"slot\": %zu, \"port\": %d, \"started\": %s, \"starts\": %zu, \"ready_seconds\": ", sv->slot,
			sv->port, sv->starts ? "true" : "false", sv->starts);
		if (sv->ready_seconds >= 0)
			fprintf(f, "%.4f", sv->ready_seconds);
		else
			fputs("null", f);
		fprintf(f, ", \"job_wait_seconds\": ");
		if (sv->job_wait_seconds >= 0)
			fprintf(f, "%.4f", sv->job_wait_seconds);
		else
			fputs("null", f);
		fprintf(f, ", \"log\": ");
		json_string(f, sv->log_path);
		fprintf(f, ", \"error\": ");
		if (sv->error)
			json_string(f, sv->error);
		else
			fputs("null", f);
		fputc('}', f);
	}
	fprintf(f, "%s]\n}\n", res->nservices ? "\n  " : "");
	if (fclose(f) != 0)
		return error("cannot write '%s':", path);
	return 0;
}

/* Each service of blitz_services: its slots, how long each took to get ready, what failed. */
static void print_services(const struct run_result *res)
{
	if (!res->nservices)
		return;
	printf("\nservices:\n");
	for (size_t i = 0; i < res->nservices; i++) {
		const struct service_result *sv = &res->services[i];
		int first = 1;
		for (size_t k = 0; k < i; k++)
			first &= strcmp(res->services[k].service, sv->service) != 0;
		if (!first)
			continue;
		size_t n = 0, restarts = 0;
		double lo = -1, hi = -1, wait = -1;
		for (size_t k = i; k < res->nservices; k++) {
			const struct service_result *o = &res->services[k];
			if (strcmp(o->service, sv->service) != 0)
				continue;
			n++;
			restarts += o->starts > 1 ? o->starts - 1 : 0;
			if (o->ready_seconds >= 0 && (lo < 0 || o->ready_seconds < lo))
				lo = o->ready_seconds;
			if (o->ready_seconds > hi)
				hi = o->ready_seconds;
			if (o->job_wait_seconds > wait)
				wait = o->job_wait_seconds;
		}
		printf("  %s: %zu slot%s", sv->service, n, n == 1 ? "" : "s");
		if (lo >= 0)
			printf(", ready in %.3f-%.3f s", lo, hi);
		if (wait >= 0)
			printf(", jobs waited for it up to %.3f s", wait);
		if (restarts)
			printf(", started again %zu time%s", restarts, restarts == 1 ? "" : "s");
		printf("\n");
		for (size_t k = i; k < res->nservices; k++)
			if (strcmp(res->services[k].service, sv->service) == 0 && res->services[k].error)
				printf("    slot %zu: %s\n", res->services[k].slot, res->services[k].error);
	}
}

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
	char *run_dir = xasprintf("%s/runs/%s-%ld", state, stamp, (long)getpid());
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
	enum split_by sb = SPLIT_TEST;
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
	rc = runner_run(&t, &envs, &ro, &res, progress, &tty);
	if (tty)
		fputs("\r\033[K", stdout);
	if (o->dry_run) {
		/* the plan is printed: nothing ran */
	} else if (rc != 2) {
		size_t width = 3;
		for (size_t i = 0; i < res.n; i++)
			if (strlen(res.envs[i].name) > width)
				width = strlen(res.envs[i].name);
		printf("\n%-*s  %-16s %8s\n", (int)width, "env", "result", "time");
		for (size_t i = 0; i < res.n; i++)
			printf("%-*s  %-16s %7.1fs\n", (int)width, res.envs[i].name, status_word(&res.envs[i]),
			       res.envs[i].seconds);
		for (size_t i = 0; i < res.n; i++) {
			const struct env_result *r = &res.envs[i];
			if (r->status != ENV_FAILED && !r->ignored_failure)
				continue;
			printf("\n%s: %s\n", r->name, r->reason);
			if (r->nsteps) {
				printf("  log: %s\n", r->log_path);
				print_tail(r->log_path, 15);
			}
		}
		size_t failed = 0, passed = 0, reused = 0;
		for (size_t i = 0; i < res.n; i++) {
			failed += res.envs[i].status == ENV_FAILED;
			passed += res.envs[i].status == ENV_PASSED;
			reused += res.envs[i].reused;
		}
		if (res.nslowest) {
			printf("\nslowest tests:\n");
			for (size_t i = 0; i < res.nslowest; i++)
				printf("  %7.2fs  %s  %s\n", res.slowest[i].seconds, res.slowest[i].env, res.slowest[i].test);
		}
		if (res.nflaky) {
			printf("\nflaky tests (failed, then passed on a rerun):\n");
			for (size_t i = 0; i < res.nflaky; i++)
				printf("  %s  %s  (flaky in %zu recorded run%s)\n", res.flaky[i].env, res.flaky[i].test,
				       res.flaky[i].times_flaky, res.flaky[i].times_flaky == 1 ? "" : "s");
		}
		print_services(&res);
		if (res.junit && res.nflaky)
			printf("\n%zu tests (%zu failed, %zu flaky) in %s\n", res.tests, res.tests_failed, res.nflaky, res.junit);
		else if (res.junit)
			printf("\n%zu tests (%zu failed) in %s\n", res.tests, res.tests_failed, res.junit);
		printf("\n%zu passed, %zu failed of %zu env%s in %.1fs", passed, failed, res.n, res.n == 1 ? "" : "s",
		       res.seconds);
		if (reused)
			printf(" (%zu reused unchanged)", reused);
		printf("%s\n", res.interrupted ? " (interrupted)" : "");
	}
	if (rc != 2 && o->result_json && write_json(o->result_json, &res) < 0 && rc == 0)
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
