#ifndef BLITZ_RESULTS_TESTS_H
#define BLITZ_RESULTS_TESTS_H

/*
 * The run's tests, as each env's pytest reported them (JUnit XML), kept in
 * one report (a testsuite per env) and in the state db's history; this
 * file alone writes them.
 */
#include <stddef.h>

#include "junit.h"
#include "result.h"

struct db;

struct test_report {
	struct junit junit;		/* every env's test cases, in the order read */
};

/* Where blitz has env's k-th pytest command (1-based) write its JUnit XML (allocated). */
char *tests_junit_path(const char *run_dir, const char *env, size_t k);

/*
 * A pytest command of env ended: its tests, read from the JUnit XML at
 * path, into tr and db's history (rerun: it reran failed tests, and those
 * that passed are flaky). Returns the sum of their seconds, or -1 when
 * there was nothing (err "": no file; else why it could not be read).
 */
double tests_read(struct test_report *tr, struct db *db, const char *env, const char *path, int rerun, char *err,
		  size_t errsz);

/* suite's cases from index from on, as JUnit XML at path (written whole, or not at all). */
void tests_write_cases(const struct test_report *tr, const char *suite, size_t from, const char *path);

/*
 * At the end: every env's tests in one JUnit XML in run_dir (res->junit),
 * how many and how many failed, the flaky ones (with their history in db)
 * and the durations slowest into res.
 */
void tests_finish(const struct test_report *tr, struct db *db, const char *run_dir, size_t durations,
		  struct run_result *res);

void tests_release(struct test_report *tr);

#endif
