#ifndef BLITZ_JUNIT_H
#define BLITZ_JUNIT_H

#include <stdio.h>
#include <stddef.h>

/*
 * JUnit XML as pytest (--junitxml) and other runners write it: read with
 * expat, streaming (a report of any size in constant memory per test), and
 * written back merged: one <testsuite> per suite name, each test once.
 */
enum junit_outcome { JUNIT_PASSED, JUNIT_FAILED, JUNIT_ERROR, JUNIT_SKIPPED };

struct junit_prop;

struct junit_case {
	char *suite;			/* the <testsuite name=...> it is in ("" when none) */
	char *classname, *name;		/* attributes of <testcase> */
	char *file;			/* file="..." (pytest's xunit1), or NULL */
	int line;			/* line="...", or 0 */
	double time;			/* seconds */
	enum junit_outcome outcome;
	char *kind;			/* the <failure>/<error>/<skipped> element's type="...", or NULL */
	char *message;			/* its message="...", or NULL */
	char *text;			/* its text (the traceback), or NULL */
	int flaky;			/* passed on a rerun after failing: <property name="blitz.flaky"> */
	char *system_out, *system_err;	/* its <system-out> and <system-err> text (each cut at 64 KiB), or NULL */
	struct junit_prop *props;	/* its other <property> elements, in order */
	size_t nprops;
};

struct junit_prop {
	char *name, *value;
};

struct junit {
	struct junit_case *v;
	size_t n, cap;
};

/*
 * Append the test cases of the JUnit XML text (name: what to call it in
 * errors, e.g. its path). Returns 0, or -1 with err holding name, line and
 * what is wrong (cases before the error are kept).
 */
int junit_parse(struct junit *j, const char *text, size_t len, const char *name, char *err, size_t errsz);

/* The same for a file, read in pieces. */
int junit_read(struct junit *j, const char *path, char *err, size_t errsz);

/*
 * Write j as one JUnit XML document: <testsuites> holding a <testsuite> per
 * suite name (in the order first seen), with its tests, failures, errors,
 * skipped and time counted from its cases, each case with its properties,
 * result, system-out and system-err as read; a test (suite, classname, name)
 * seen more than once is written once, as its last result. counts (or
 * NULL) gets how many tests it wrote of each enum junit_outcome. Returns 0,
 * or -1 when writing failed.
 */
int junit_write(FILE *f, const struct junit *j, size_t counts[4]);

const char *junit_outcome_name(enum junit_outcome o);

void junit_release(struct junit *j);

#endif
