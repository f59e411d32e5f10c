#ifndef BLITZ_TIMINGS_H
#define BLITZ_TIMINGS_H

/*
 * The recent history of .blitz/state.db as text, so that CI nodes can pool
 * what each learnt (blitz timings export / import). The format, version 1:
 *
 *	blitz-timings 1
 *	env<TAB>ENV<TAB>SECONDS<TAB>OK<TAB>AT
 *	test<TAB>ENV<TAB>TEST<TAB>SECONDS<TAB>OUTCOME<TAB>AT
 *
 * one row per line: SECONDS a decimal number >= 0, OK 1 (passed) or 0, AT
 * the Unix time of the run, OUTCOME passed, failed, error or skipped. Inside
 * ENV and TEST a backslash, tab, newline and carriage return are written \\,
 * \t, \n and \r. Blank lines are ignored, and so is a carriage return ending
 * a line (a file that went through a Windows checkout).
 */

#include <stddef.h>
#include <stdio.h>

struct db;

/* The first line of a timings file. */
#define TIMINGS_HEADER "blitz-timings 1"

enum timings_kind {
	TIMINGS_ENV,		/* a row of env_runs */
	TIMINGS_TEST,		/* a row of test_runs */
};

/* One row of the history. The strings belong to whoever filled the row. */
struct timings_row {
	enum timings_kind kind;
	const char *env;
	const char *test;	/* TIMINGS_TEST only */
	double seconds;
	int ok;			/* TIMINGS_ENV only: 1 when the env passed */
	const char *outcome;	/* TIMINGS_TEST only */
	long long at;
};

/*
 * Parse one line of len bytes (without its newline) into row, unescaping the
 * fields in place: row's strings point into line. Returns 0, or -1 with err
 * saying what is wrong (without file or line, which the caller adds).
 */
int timings_parse_line(char *line, size_t len, struct timings_row *row, char *err, size_t errsz);

/* Write row as one line (newline included) to out. Returns 0, or -1 when row is one import would refuse. */
int timings_write_row(FILE *out, const struct timings_row *row);

/*
 * Write the recent history of db to out: the header, then for each env its
 * last few runs and for each test of an env its last few results (as many
 * as a prediction averages), oldest first. A state that could not be opened
 * (db->h NULL) is an empty history. Returns 0; -1 when a query failed
 * (reported with error()) or writing did (ferror(out) set, for the caller to
 * report with the file's name).
 */
int db_export(struct db *db, FILE *out);

/*
 * Add the rows of the timings file read from in (named name in messages) to
 * db, in one transaction, leaving out rows already there (same env, test, at
 * and seconds): importing a file twice adds nothing the second time. added
 * (may be NULL) gets how many env and test rows were added. Returns 0, or -1
 * with err saying "name:line: what is wrong" (or why the state refused the
 * rows); then nothing of the file was added.
 */
int db_import(struct db *db, FILE *in, const char *name, size_t added[2], char *err, size_t errsz);

#endif
