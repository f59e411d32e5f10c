#ifndef BLITZ_REPORT_SUMMARY_H
#define BLITZ_REPORT_SUMMARY_H

/* Printing a run's results (summary.c). */
#include "../results/result.h"
#include "../run/runner.h"

/*
 * The run's progress (a run_progress_fn; ctx points to an int, 1 when
 * stdout is a terminal): on a terminal one status line redrawn in place
 * with a line above it for each finished env; elsewhere only those lines.
 */
void report_progress(void *ctx, const struct env_result *r, const struct run_status *st);

/* The summary after the run, to stdout: envs, failures with their logs' tails, tests, services, totals. */
void report_summary(const struct run_result *res);

/* --result-json: the run as data, at path; 0, or -1 (printed). */
int report_json(const char *path, const struct run_result *res);

#endif
