/*
 * The record of each env's run: its log's own lines and its result; the
 * only writer of struct env_result. See record.h.
 */
#include "record.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/util.h"

void record_init(struct env_result *r, const char *name, const char *log_path)
{
	memset(r, 0, sizeof(*r));
	r->name = xstrdup(name);
	r->status = ENV_NOT_RUN;
	r->log_path = xstrdup(log_path);
}

void record_line(const struct env_result *r, const char *what, const char *path)
{
	FILE *f = fopen(r->log_path, "a");

	if (f) {
		fprintf(f, "[blitz] %s: %s %s\n", r->name, what, path);
		fclose(f);
	}
}

void record_append_log(const char *to, const char *from)
{
	size_t len;
	char *text = read_file(from, &len);
	FILE *f = fopen(to, "a");

	if (f && text)
		fwrite(text, 1, len, f);
	if (f)
		fclose(f);
	free(text);
}

static struct step_result *add_step(struct env_result *r, const char *what, char *cmd)
{
	struct step_result *sr;

	r->steps = xrealloc(r->steps, (r->nsteps + 1) * sizeof(*r->steps));
	sr = &r->steps[r->nsteps++];
	memset(sr, 0, sizeof(*sr));
	sr->what = xstrdup(what);
	sr->cmd = cmd;
	return sr;
}

void record_step(struct env_result *r, const char *what, const char *cmd, int exit_code, int signo, double seconds,
		 double cpu_seconds)
{
	struct step_result *sr = add_step(r, what, xstrdup(cmd));

	sr->exit_code = exit_code;
	sr->signo = signo;
	sr->seconds = seconds;
	sr->cpu_seconds = cpu_seconds;
}

void record_inproc(struct env_result *r, const char *what, const char *cmd, int code, long long t0)
{
	struct step_result *sr = add_step(r, what, xstrdup(cmd));

	sr->exit_code = code;
	sr->seconds = (double)(now_ns() - t0) / 1e9;
}

void record_end(struct env_result *r, enum env_status status, const char *reason, const char *note, int code,
		int ignore_outcome, double seconds)
{
	r->status = status;
	if (reason && status == ENV_FAILED && note && note[0])
		snprintf(r->reason, sizeof(r->reason), "%.200s; %.300s", note, reason);
	else if (reason)
		snprintf(r->reason, sizeof(r->reason), "%s", reason);
	if (status == ENV_FAILED)
		r->code = code ? code : r->code ? r->code : 1;
	if (status == ENV_FAILED && ignore_outcome) {
		r->ignored_failure = 1;
		r->status = ENV_PASSED;
	}
	if (seconds >= 0)
		r->seconds = seconds;
}

void record_reused(struct env_result *r, int reused)
{
	r->reused = reused;
}

void record_release(struct env_result *r)
{
	for (size_t k = 0; k < r->nsteps; k++) {
		free(r->steps[k].what);
		free(r->steps[k].cmd);
	}
	free(r->steps);
	free(r->name);
	free(r->log_path);
	memset(r, 0, sizeof(*r));
}

void run_result_release(struct run_result *res)
{
	for (size_t i = 0; i < res->nslowest; i++) {
		free(res->slowest[i].env);
		free(res->slowest[i].test);
	}
	free(res->slowest);
	for (size_t i = 0; i < res->nflaky; i++) {
		free(res->flaky[i].env);
		free(res->flaky[i].test);
	}
	free(res->flaky);
	free(res->junit);
	for (size_t i = 0; i < res->nservices; i++) {
		free(res->services[i].service);
		free(res->services[i].log_path);
		free(res->services[i].error);
	}
	free(res->services);
	for (size_t i = 0; i < res->n; i++)
		record_release(&res->envs[i]);
	free(res->envs);
	memset(res, 0, sizeof(*res));
}
