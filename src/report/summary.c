/*
 * What blitz prints of a run: the status line while it runs and a line per
 * finished env, then the summary (each env's result and time, the tails of
 * the failed ones' logs, the slowest and flaky tests, the services, the
 * totals); and the run as JSON (--result-json). From the run's results
 * (results/result.h) only.
 */
#include "summary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/json.h"
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
void report_progress(void *ctx, const struct env_result *r, const struct run_status *st)
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
int report_json(const char *path, const struct run_result *res)
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

void report_summary(const struct run_result *res)
{
	size_t width = 3;
	for (size_t i = 0; i < res->n; i++)
		if (strlen(res->envs[i].name) > width)
			width = strlen(res->envs[i].name);
	printf("\n%-*s  %-16s %8s\n", (int)width, "env", "result", "time");
	for (size_t i = 0; i < res->n; i++)
		printf("%-*s  %-16s %7.1fs\n", (int)width, res->envs[i].name, status_word(&res->envs[i]),
		       res->envs[i].seconds);
	for (size_t i = 0; i < res->n; i++) {
		const struct env_result *r = &res->envs[i];
		if (r->status != ENV_FAILED && !r->ignored_failure)
			continue;
		printf("\n%s: %s\n", r->name, r->reason);
		if (r->nsteps) {
			printf("  log: %s\n", r->log_path);
			print_tail(r->log_path, 15);
		}
	}
	size_t failed = 0, passed = 0, reused = 0;
	for (size_t i = 0; i < res->n; i++) {
		failed += res->envs[i].status == ENV_FAILED;
		passed += res->envs[i].status == ENV_PASSED;
		reused += res->envs[i].reused;
	}
	if (res->nslowest) {
		printf("\nslowest tests:\n");
		for (size_t i = 0; i < res->nslowest; i++)
			printf("  %7.2fs  %s  %s\n", res->slowest[i].seconds, res->slowest[i].env, res->slowest[i].test);
	}
	if (res->nflaky) {
		printf("\nflaky tests (failed, then passed on a rerun):\n");
		for (size_t i = 0; i < res->nflaky; i++)
			printf("  %s  %s  (flaky in %zu recorded run%s)\n", res->flaky[i].env, res->flaky[i].test,
			       res->flaky[i].times_flaky, res->flaky[i].times_flaky == 1 ? "" : "s");
	}
	print_services(res);
	if (res->junit && res->nflaky)
		printf("\n%zu tests (%zu failed, %zu flaky) in %s\n", res->tests, res->tests_failed, res->nflaky, res->junit);
	else if (res->junit)
		printf("\n%zu tests (%zu failed) in %s\n", res->tests, res->tests_failed, res->junit);
	printf("\n%zu passed, %zu failed of %zu env%s in %.1fs", passed, failed, res->n, res->n == 1 ? "" : "s",
	       res->seconds);
	if (reused)
		printf(" (%zu reused unchanged)", reused);
	printf("%s\n", res->interrupted ? " (interrupted)" : "");
}
