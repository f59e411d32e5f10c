#ifndef BLITZ_RESULTS_RECORD_H
#define BLITZ_RESULTS_RECORD_H

#include <stddef.h>

/*
 * What a run writes down about each env (and each task, whose result is
 * kept the same way): lines in its log, and its result (struct
 * env_result, result.h), which only this file writes. Every part of the
 * run reports here; none of them keeps a result of its own.
 */
#include "result.h"

/* r, made for env name, its log at log_path; not started (ENV_NOT_RUN). */
void record_init(struct env_result *r, const char *name, const char *log_path);

/* A line "[blitz] NAME: WHAT PATH" in r's log. */
void record_line(const struct env_result *r, const char *what, const char *path);

/* Copy the log at from to the end of the log at to. */
void record_append_log(const char *to, const char *from);

/* A step (what: "create", "deps", ...; cmd its words) ran: into r's steps (exit_code -1: it did not exit). */
void record_step(struct env_result *r, const char *what, const char *cmd, int exit_code, int signo, double seconds,
		 double cpu_seconds);

/* A step blitz did in its own process (what, cmd), started at t0, exiting with code: into r's steps. */
void record_inproc(struct env_result *r, const char *what, const char *cmd, int code, long long t0);

/*
 * r ends with status; reason says why it did not pass (note, when set and
 * it failed, comes first: what most likely made it fail); code: tox's exit
 * code for a failure (1 when 0); ignore_outcome: a failure counts as
 * passed; seconds: how long it ran (< 0: it never started).
 */
void record_end(struct env_result *r, enum env_status status, const char *reason, const char *note, int code,
		int ignore_outcome, double seconds);

/* What r holds, freed. */
void record_release(struct env_result *r);

/* r was reused unchanged (its venv, deps and project in place). */
void record_reused(struct env_result *r, int reused);

#endif
