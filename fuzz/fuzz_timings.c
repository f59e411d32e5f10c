/*
 * Fuzz blitz timings import. Each line goes through timings_parse_line, and
 * a row it accepts, written back, must parse to the same row (the writer
 * against the reader). The whole input goes through db_import into a state
 * of its own, which must add nothing when the import fails (with a message
 * naming the file), nothing more when the same input is imported again, and
 * nothing when the state's own export is imported back.
 *
 * The state lives in one folder per process, made on the first call, and is
 * emptied after each input.
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scratch.h"
#include "../src/state/db.h"
#include "../src/state/timings.h"
#include "../src/util/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NAME "fuzz.timings"

static char dir[256];
static struct db db;

static void cleanup(void)
{
	db_close(&db);
	remove_tree(dir);
}

static void setup(void)
{
	if (dir[0])
		return;
	fuzz_scratch_dir(dir, sizeof(dir), "fuzz_timings");
	db_open(&db, dir);
	if (!db.h)
		abort();
	/* a state thrown away after each input needs no durability: faster runs */
	sqlite3_exec(db.h, "PRAGMA synchronous=OFF", NULL, NULL, NULL);
	atexit(cleanup);
}

static int same_row(const struct timings_row *a, const struct timings_row *b)
{
	if (a->kind != b->kind || strcmp(a->env, b->env) || a->seconds != b->seconds || a->at != b->at)
		return 0;
	if (a->kind == TIMINGS_ENV)
		return a->ok == b->ok;
	return !strcmp(a->test, b->test) && !strcmp(a->outcome, b->outcome);
}

/* One line of len bytes: what parses, written back, parses to the same row. */
static void check_line(const uint8_t *data, size_t len)
{
	char *line = xmalloc(len + 1), *out = NULL;
	size_t outlen = 0;
	struct timings_row row, back;
	char err[256];

	memcpy(line, data, len);
	line[len] = '\0';
	if (timings_parse_line(line, len, &row, err, sizeof(err)) == 0) {
		FILE *f = open_memstream(&out, &outlen);
		if (!f)
			abort();
		if (timings_write_row(f, &row) < 0)
			__builtin_trap();	/* the parser accepted a row the writer refuses */
		fclose(f);
		if (!outlen || out[outlen - 1] != '\n' || memchr(out, '\n', outlen - 1))
			__builtin_trap();	/* a row is one line */
		out[--outlen] = '\0';
		if (timings_parse_line(out, outlen, &back, err, sizeof(err)) < 0 || !same_row(&row, &back))
			__builtin_trap();
	}
	free(out);
	free(line);
}

/* How many rows the state holds: env runs plus test runs. */
static long long rows(void)
{
	sqlite3_stmt *st;
	long long n = -1;

	if (sqlite3_prepare_v2(db.h, "SELECT (SELECT count(*) FROM env_runs) + (SELECT count(*) FROM test_runs)", -1,
			       &st, NULL) != SQLITE_OK)
		abort();
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* db_import of size bytes at data; added and err as it filled them. */
static int import(const void *data, size_t size, size_t added[2], char *err, size_t errsz)
{
	/* fmemopen may refuse an empty buffer: /dev/null is the empty file */
	FILE *f = size ? fmemopen((void *)data, size, "r") : fopen("/dev/null", "r");
	int rc;

	if (!f)
		abort();
	rc = db_import(&db, f, NAME, added, err, errsz);
	fclose(f);
	return rc;
}

/* Import the input, again, then the state's export: the state must change as the contract says. */
static void check_import(const uint8_t *data, size_t size)
{
	size_t added[2];
	char err[1024] = "", *out = NULL;
	size_t outlen = 0;
	long long before = rows();

	if (import(data, size, added, err, sizeof(err)) < 0) {
		if (rows() != before || added[0] || added[1] || strncmp(err, NAME, strlen(NAME)) != 0)
			__builtin_trap();	/* a failed import changed the state, or says nothing of where */
		return;
	}
	if (rows() != before + (long long)(added[0] + added[1]))
		__builtin_trap();
	if (import(data, size, added, err, sizeof(err)) < 0 || added[0] || added[1])
		__builtin_trap();	/* a second import of the same file added rows */
	FILE *f = open_memstream(&out, &outlen);
	if (!f)
		abort();
	if (db_export(&db, f) < 0)
		__builtin_trap();
	fclose(f);
	if (import(out, outlen, added, err, sizeof(err)) < 0 || added[0] || added[1])
		__builtin_trap();	/* the export was refused, or held rows the state lacked */
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setup();
	for (size_t i = 0; i < size;) {
		const uint8_t *nl = memchr(data + i, '\n', size - i);
		size_t len = nl ? (size_t)(nl - (data + i)) : size - i;
		check_line(data + i, len);
		i += len + 1;
	}
	check_import(data, size);
	sqlite3_exec(db.h, "DELETE FROM env_runs; DELETE FROM test_runs", NULL, NULL, NULL);
	return 0;
}
