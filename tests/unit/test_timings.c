/* blitz timings: the state's recent history exported as text and imported into another state. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "fixture.h"
#include "harness.h"
#include "tests.h"
#include "../../src/state/db.h"
#include "../../src/state/timings.h"
#include "../../src/util/util.h"

/* The name imports are made under, as errors show it. */
#define NAME "nodes/a.timings"

/* db's export as a string (the caller frees it). */
static char *export_text(struct db *db)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	CHECK(f != NULL);
	CHECK_INT(db_export(db, f), 0);
	fclose(f);
	return buf;
}

/* db_import of the len bytes of text. */
static int import_mem(struct db *db, const char *text, size_t len, size_t added[2], char *err, size_t errsz)
{
	/* fmemopen refuses an empty buffer on some libcs: /dev/null is the empty file */
	FILE *f = len ? fmemopen((void *)text, len, "r") : fopen("/dev/null", "r");
	int rc;

	CHECK(f != NULL);
	rc = db_import(db, f, NAME, added, err, errsz);
	fclose(f);
	return rc;
}

static int import_text(struct db *db, const char *text, size_t added[2], char *err, size_t errsz)
{
	return import_mem(db, text, strlen(text), added, err, errsz);
}

/* Add a row to env_runs with the time given (db_record_env uses the clock). */
static void add_env_row(struct db *db, const char *env, double seconds, int ok, long long at)
{
	char *sql = sqlite3_mprintf("INSERT INTO env_runs(env, seconds, ok, at) VALUES (%Q, %.17g, %d, %lld)", env,
				    seconds, ok, at);

	CHECK_INT(sqlite3_exec(db->h, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_free(sql);
}

/* Count the lines of text that start with prefix. */
static int count_lines(const char *text, const char *prefix)
{
	int n = 0;

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		n += strncmp(l, prefix, strlen(prefix)) == 0;
	return n;
}

/* Export from one state, import into another: only the recent rows go, and every prediction is the same. */
static void test_timings_round_trip(void)
{
	struct fx f;
	struct db a, b;
	const char *tests[] = { "m::a", "m::b" }, *outcomes[] = { "passed", "skipped" };
	size_t added[2];
	char err[256];

	fx_init(&f);
	fx_mkdir(&f, "a");
	fx_mkdir(&f, "b");
	db_open(&a, fx_path(&f, "a/.blitz"));
	db_open(&b, fx_path(&f, "b/.blitz"));
	for (int i = 1; i <= 7; i++) {
		double secs[] = { i * 0.5, i * 0.25 };
		db_record_env(&a, "py311", i * 1.5, i % 2);
		db_record_tests(&a, "py311", 2, tests, secs, outcomes);
	}
	db_record_tests(&a, "py312", 1, tests, (const double[]){ 0.1 }, outcomes);
	/* recent by time, not by insertion: the row added last is the oldest */
	add_env_row(&a, "lint", 4, 1, 2000);
	add_env_row(&a, "lint", 8, 0, 3000);
	add_env_row(&a, "lint", 100, 1, 1000);
	for (int i = 0; i < 3; i++)
		add_env_row(&a, "lint", 2, 1, 4000 + i);
	char *text = export_text(&a);
	CHECK(strncmp(text, "blitz-timings 1\n", 16) == 0);
	CHECK_INT(count_lines(text, "env\tpy311\t"), 5);
	CHECK_INT(count_lines(text, "env\tlint\t"), 5);
	CHECK_INT(count_lines(text, "test\tpy311\tm::a\t"), 5);
	CHECK_INT(count_lines(text, "test\tpy312\tm::a\t"), 1);
	/* the latest five by time, oldest first: 100 (at 1000) is left out */
	CHECK(strstr(text, "env\tlint\t4\t1\t2000\nenv\tlint\t8\t0\t3000\nenv\tlint\t2\t1\t4000\n") != NULL);
	CHECK(strstr(text, "\t100\t") == NULL && strstr(text, "\t1000\n") == NULL);
	CHECK_INT(import_text(&b, text, added, err, sizeof(err)), 0);
	CHECK_INT(added[0], 10);
	CHECK_INT(added[1], 11);
	CHECK(db_env_duration(&b, "py311") == db_env_duration(&a, "py311"));
	CHECK(db_env_duration(&b, "lint") == db_env_duration(&a, "lint"));
	CHECK(db_test_duration(&b, "py311", "m::a") == db_test_duration(&a, "py311", "m::a"));
	CHECK(db_test_duration(&b, "py311", "m::b") == db_test_duration(&a, "py311", "m::b"));
	CHECK(db_test_duration(&b, "py312", "m::a") == db_test_duration(&a, "py312", "m::a"));
	CHECK(db_test_duration(&b, "py312", "m::b") < 0);
	/* and b, which holds just those rows, exports the same text */
	char *again = export_text(&b);
	CHECK_STR(again, text);
	free(again);
	free(text);
	db_close(&a);
	db_close(&b);
	fx_release(&f);
}

/* Names with tabs, newlines, carriage returns and backslashes travel escaped and come back whole. */
static void test_timings_escaping(void)
{
	struct fx f;
	struct db a, b;
	const char *env = "py\\3\t11", *test = "m::t[a\tb\nc\\d\re]", *outcome = "failed";
	size_t added[2];
	char err[256];

	fx_init(&f);
	db_open(&a, fx_path(&f, "a"));
	db_open(&b, fx_path(&f, "b"));
	db_record_env(&a, env, 3.25, 0);
	db_record_tests(&a, env, 1, &test, (const double[]){ 0.125 }, &outcome);
	char *text = export_text(&a);
	CHECK(strstr(text, "env\tpy\\\\3\\t11\t3.25\t0\t") != NULL);
	CHECK(strstr(text, "test\tpy\\\\3\\t11\tm::t[a\\tb\\nc\\\\d\\re]\t0.125\tfailed\t") != NULL);
	CHECK_INT(count_lines(text, ""), 3);
	CHECK_INT(import_text(&b, text, added, err, sizeof(err)), 0);
	CHECK(db_env_duration(&b, env) == 3.25);
	CHECK(db_test_duration(&b, env, test) == 0.125);
	free(text);
	db_close(&a);
	db_close(&b);
	fx_release(&f);
}

static const struct {
	const char *line, *want;
} malformed[] = {
	{ "env\tpy\t1\t1", "env row has 4 fields, expected 5" },
	{ "env\tpy\t1\t1\t5\tx\ty\tz", "env row has 8 fields, expected 5" },
	{ "test\tpy\tt\t1\tpassed", "test row has 5 fields, expected 6" },
	{ "env\tpy\tx\t1\t5", "seconds 'x' is not a number >= 0" },
	{ "env\tpy\tnan\t1\t5", "seconds 'nan'" },
	{ "env\tpy\t-1\t1\t5", "seconds '-1'" },
	{ "env\tpy\t1e999\t1\t5", "seconds '1e999'" },
	{ "env\tpy\t\t1\t5", "seconds ''" },
	{ "env\tpy\t 1\t1\t5", "seconds ' 1'" },
	{ "env\tpy\t1\tyes\t5", "ok 'yes': give 1 (passed) or 0 (failed)" },
	{ "test\tpy\tt\t1\tmaybe\t5", "outcome 'maybe': give passed, failed, error, skipped or flaky" },
	{ "env\tpy\t1\t1\tsoon", "at 'soon' is not a Unix time" },
	{ "env\tpy\t1\t1\t-5", "at '-5'" },
	{ "env\tpy\t1\t1\t99999999999999999999", "at '99999999999999999999'" },
	{ "env\tpy\t1e308\t1\t5", "seconds '1e308' is more than a week" },
	{ "test\tpy\tt\t604801\tpassed\t5", "seconds '604801' is more than a week" },
	{ "env\t\t1\t1\t5", "empty env name" },
	{ "test\tpy\t\t1\tpassed\t5", "empty test name" },
	{ "env\tp\\qy\t1\t1\t5", "env name: unknown escape '\\q'" },
	{ "test\tpy\tt\\\t1\tpassed\t5", "test name ends with a lone backslash" },
	{ "envy\tpy\t1\t1\t5", "unknown row 'envy'" },
	{ "env py 1 1 5", "unknown row 'env py 1 1 5'" },
};

/* A bad line is an error naming the file and line, and nothing of the file is added. */
static void test_timings_malformed(void)
{
	struct fx f;
	struct db db;
	size_t added[2];
	char err[256], want[256];

	fx_init(&f);
	db_open(&db, fx_path(&f, ".blitz"));
	for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		char *text = xasprintf("blitz-timings 1\nenv\tgood\t2\t1\t7\n\ntest\tgood\tt\t1\tpassed\t7\n%s\n"
				       "env\tlater\t1\t1\t7\n", malformed[i].line);
		added[0] = added[1] = 99;
		err[0] = '\0';
		CHECK_INT(import_text(&db, text, added, err, sizeof(err)), -1);
		snprintf(want, sizeof(want), NAME ":5: %s", malformed[i].want);
		if (strncmp(err, want, strlen(want)) != 0)
			test_fail(__FILE__, __LINE__, "line %zu: got \"%s\", want \"%s...\"", i, err, want);
		CHECK(added[0] == 0 && added[1] == 0);
		free(text);
	}
	/* the good lines before the bad one were rolled back */
	CHECK(db_env_duration(&db, "good") < 0);
	CHECK(db_test_duration(&db, "good", "t") < 0);
	/* a NUL byte inside a line */
	static const char nul[] = "blitz-timings 1\nenv\tp\0y\t1\t1\t5\n";
	CHECK_INT(import_mem(&db, nul, sizeof(nul) - 1, added, err, sizeof(err)), -1);
	CHECK_STR(err, NAME ":2: a NUL byte in the line");
	db_close(&db);
	fx_release(&f);
}

/* The first line says what the file is, in a version this blitz reads. */
static void test_timings_header(void)
{
	struct fx f;
	struct db db;
	size_t added[2];
	char err[256];

	fx_init(&f);
	db_open(&db, fx_path(&f, ".blitz"));
	CHECK_INT(import_text(&db, "blitz-timings 2\nenv\tpy\t1\t1\t5\n", added, err, sizeof(err)), -1);
	CHECK_STR(err, NAME ":1: format version '2' is not one this blitz reads (it reads 1)");
	CHECK_INT(import_text(&db, "env\tpy\t1\t1\t5\n", added, err, sizeof(err)), -1);
	CHECK_STR(err, NAME ":1: not a blitz timings file: the first line must be 'blitz-timings 1'");
	CHECK_INT(import_text(&db, "", added, err, sizeof(err)), -1);
	CHECK(strncmp(err, NAME ":1: empty, not a blitz timings file", strlen(NAME ":1: empty")) == 0);
	CHECK(db_env_duration(&db, "py") < 0);
	/* the header alone is an empty history; the last line needs no newline; CRLF and blank lines pass */
	CHECK_INT(import_text(&db, "blitz-timings 1", added, err, sizeof(err)), 0);
	CHECK(added[0] == 0 && added[1] == 0);
	CHECK_INT(import_text(&db, "blitz-timings 1\r\n\r\nenv\tpy\t2.5\t1\t5\r\n\nenv\tpy\t3.5\t1\t6", added, err,
			      sizeof(err)), 0);
	CHECK_INT(added[0], 2);
	CHECK(db_env_duration(&db, "py") == 3);
	db_close(&db);
	fx_release(&f);
}

/* Importing a file twice adds nothing the second time; a file that overlaps adds only what is new. */
static void test_timings_import_twice(void)
{
	struct fx f;
	struct db db;
	size_t added[2];
	char err[256];
	const char *text = "blitz-timings 1\nenv\tpy\t10\t1\t100\nenv\tpy\t20\t0\t200\n"
			   "test\tpy\tm::a\t1\tpassed\t100\ntest\tpy\tm::a\t3\tfailed\t200\n";

	fx_init(&f);
	db_open(&db, fx_path(&f, ".blitz"));
	CHECK_INT(import_text(&db, text, added, err, sizeof(err)), 0);
	CHECK(added[0] == 2 && added[1] == 2);
	CHECK_INT(import_text(&db, text, added, err, sizeof(err)), 0);
	CHECK(added[0] == 0 && added[1] == 0);
	CHECK(db_env_duration(&db, "py") == 15);
	CHECK(db_test_duration(&db, "py", "m::a") == 2);
	/* one row new (another time), one the same, one of the same time but another duration */
	CHECK_INT(import_text(&db, "blitz-timings 1\nenv\tpy\t30\t1\t300\nenv\tpy\t20\t0\t200\nenv\tpy\t40\t1\t200\n",
			      added, err, sizeof(err)), 0);
	CHECK(added[0] == 2 && added[1] == 0);
	CHECK(db_env_duration(&db, "py") == 25);
	/* what the state exports, imported back into it, is all there already */
	char *out = export_text(&db);
	CHECK_INT(import_text(&db, out, added, err, sizeof(err)), 0);
	CHECK(added[0] == 0 && added[1] == 0);
	free(out);
	db_close(&db);
	fx_release(&f);
}

/* Without a usable state: export writes an empty history, import refuses. */
static void test_timings_no_state(void)
{
	struct db db;
	size_t added[2];
	char err[256];

	memset(&db, 0, sizeof(db));
	char *text = export_text(&db);
	CHECK_STR(text, "blitz-timings 1\n");
	CHECK_INT(import_text(&db, text, added, err, sizeof(err)), -1);
	CHECK_STR(err, NAME ": no state to import into");
	free(text);
}

/* A parsed line written again is the same line; the writer refuses what the parser would. */
static void test_timings_parse_write(void)
{
	static const char *const lines[] = {
		"env\tpy311\t12.5\t1\t1700000000\n",
		"env\tpy\\\\311\t0\t0\t0\n",
		"test\tpy311\tm.py::T::t[\\t\\n\\r]\t0.1\tskipped\t5\n",
		"test\tpy311\tx\t1e-300\terror\t9223372036854775807\n",
	};
	struct timings_row row;
	char err[256];

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		char *line = xstrdup(lines[i]), *out = NULL;
		size_t len = strlen(line) - 1, outlen = 0;
		line[len] = '\0';
		CHECK_INT(timings_parse_line(line, len, &row, err, sizeof(err)), 0);
		FILE *f = open_memstream(&out, &outlen);
		CHECK_INT(timings_write_row(f, &row), 0);
		fclose(f);
		CHECK_STR(out, lines[i]);
		free(out);
		free(line);
	}
	row.kind = TIMINGS_TEST;
	row.env = "py";
	row.test = "t";
	row.seconds = 1;
	row.outcome = "maybe";
	row.at = 1;
	CHECK_INT(timings_write_row(stdout, &row), -1);
	row.outcome = "passed";
	row.seconds = -2;
	CHECK_INT(timings_write_row(stdout, &row), -1);
}

const struct test timings_tests[] = {
	{ "timings_round_trip", test_timings_round_trip },
	{ "timings_escaping", test_timings_escaping },
	{ "timings_malformed", test_timings_malformed },
	{ "timings_header", test_timings_header },
	{ "timings_import_twice", test_timings_import_twice },
	{ "timings_no_state", test_timings_no_state },
	{ "timings_parse_write", test_timings_parse_write },
	{ NULL, NULL },
};
